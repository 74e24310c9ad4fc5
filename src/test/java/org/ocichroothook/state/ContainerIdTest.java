package org.ocichroothook.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.text.Printable;

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

  /** The loop that checks an id accepts exactly what the documented expression matches. */
  @Test
  void checksWhatItsExpressionSays() {
    Pattern valid = Pattern.compile(ContainerId.VALID);
    String alphabet = "azAZ09_+.-/ :\u00e9\n\u0000";
    Random random = new Random(17);
    for (int i = 0; i < 50_000; i++) {
      int length = random.nextInt(i % 10 == 0 ? 260 : 6);
      StringBuilder id = new StringBuilder();
      for (int j = 0; j < length; j++) {
        id.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String value = id.toString();
      boolean accepted;
      try {
        new ContainerId(value);
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertEquals(valid.matcher(value).matches(), accepted, Printable.quote(value));
    }
  }
}
