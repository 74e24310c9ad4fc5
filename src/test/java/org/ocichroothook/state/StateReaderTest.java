package org.ocichroothook.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ocichroothook.Fixtures;
import org.ocichroothook.input.BadInputException;

class StateReaderTest {

  static List<Path> validStates() {
    return Fixtures.all("state");
  }

  @ParameterizedTest
  @MethodSource("validStates")
  void everyCapturedStateParses(Path fixture) throws Exception {
    byte[] json = Fixtures.read(fixture);
    ContainerState state = StateReader.read(new ByteArrayInputStream(json));
    StateDocument wire = StateReader.parse(json);
    assertEquals(wire.id(), state.id().value());
    assertEquals(Path.of(wire.bundle()).normalize(), state.bundle());
    assertTrue(state.bundle().isAbsolute());
  }

  @Test
  void keepsWhatRuntimesReallySend() throws Exception {
    ContainerState runc = read(Fixtures.state("runc-direct.prestart.json"));
    assertEquals("creating", runc.status());
    assertEquals(23938, runc.pid());
    assertEquals(Map.of("dev.gvisor.flag.platform", "kvm"), runc.annotations());

    ContainerState runcStop = read(Fixtures.state("runc-direct.poststop.json"));
    assertNull(runcStop.pid(), "runc omits pid at poststop");

    ContainerState crun = read(Fixtures.state("crun-direct.poststop.json"));
    assertEquals(0, crun.pid(), "crun sends pid 0 at poststop");

    ContainerState odd = read(Fixtures.state("own-odd-shapes.poststop.json"));
    assertEquals("paused", odd.status());
    assertEquals(-1, odd.pid());
    assertEquals(Map.of(), odd.annotations(), "null annotations read as none");
    assertEquals(Path.of("/srv/bundles/odd"), odd.bundle(), "bundle is normalized");
  }

  static Stream<Arguments> invalidStates() {
    return Stream.of(
        Arguments.of("missing-id.json", "missing required field \"id\""),
        Arguments.of("missing-bundle.json", "missing required field \"bundle\""),
        Arguments.of("pid-string.json", "field \"pid\" must be an integer, got a string"),
        Arguments.of("pid-overflow.json", "field \"pid\": integer out of range"),
        Arguments.of(
            "annotations-array.json", "field \"annotations\" must be an object of strings"),
        Arguments.of(
            "annotation-number.json", "field \"annotations.k\" must be a string, got a number"),
        Arguments.of("id-dotdot.json", "invalid container id \"../etc\""),
        Arguments.of("id-slash.json", "invalid container id \"a/b\""),
        Arguments.of("id-hidden.json", "invalid container id \".hidden\""),
        Arguments.of("id-number.json", "field \"id\" must be a string, got a number"),
        Arguments.of("bundle-relative.json", "bundle must be an absolute path"),
        Arguments.of("truncated.json", "state: malformed JSON"),
        Arguments.of("not-an-object.json", "state: expected a JSON object"),
        Arguments.of("trailing.json", "unexpected content after the JSON object"));
  }

  @ParameterizedTest
  @MethodSource("invalidStates")
  void refusesBadStateNamingTheProblem(String fixture, String expected) {
    byte[] json = Fixtures.read(Fixtures.dir().resolve("state-invalid").resolve(fixture));
    BadInputException e =
        assertThrows(
            BadInputException.class, () -> StateReader.read(new ByteArrayInputStream(json)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void everyInvalidFixtureIsCovered() {
    List<String> covered = invalidStates().map(a -> (String) a.get()[0]).sorted().toList();
    List<String> present =
        Fixtures.all("state-invalid").stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(present, covered);
  }

  @Test
  void refusesEmptyAndOversizedInput() {
    BadInputException empty =
        assertThrows(
            BadInputException.class, () -> StateReader.read(new ByteArrayInputStream(new byte[0])));
    assertTrue(empty.getMessage().contains("stdin is empty"), empty.getMessage());

    String big =
        "{\"id\":\"c1\",\"bundle\":\"/b\",\"x\":\"" + "a".repeat(StateReader.MAX_BYTES) + "\"}";
    BadInputException tooBig =
        assertThrows(
            BadInputException.class,
            () -> StateReader.read(new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
    assertTrue(tooBig.getMessage().contains("more than 1048576 bytes"), tooBig.getMessage());
  }

  private static ContainerState read(Path fixture) throws BadInputException {
    return StateReader.read(new ByteArrayInputStream(Fixtures.read(fixture)));
  }
}
