package org.ocichroothook.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocichroothook.input.BadInputException;

class ContainerIdTest {

  @ParameterizedTest
  @ValueSource(strings = {"c1", "u1", "a", "0baace87306", "my_box.v2+x-y", "A"})
  void acceptsSafeNames(String id) throws Exception {
    assertEquals(id, ContainerId.parse(id).value());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", ".", "..", "../x", "a/b", "/abs", ".hidden", "-flag", "_x", "a b", "a\nb", "é"
      })
  void refusesNamesThatAreNotOneSafePathComponent(String id) {
    assertThrows(BadInputException.class, () -> ContainerId.parse(id));
  }

  @org.junit.jupiter.api.Test
  void boundsTheLength() throws Exception {
    ContainerId.parse("a".repeat(255));
    assertThrows(BadInputException.class, () -> ContainerId.parse("a".repeat(256)));
    assertThrows(IllegalArgumentException.class, () -> new ContainerId(null));
  }
}
