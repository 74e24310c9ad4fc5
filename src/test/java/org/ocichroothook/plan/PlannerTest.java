package org.ocichroothook.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ocichroothook.Fixtures;
import org.ocichroothook.config.Config;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;
import org.ocichroothook.sys.Linux;

/**
 * The plan is pure data: each state fixture's plan is pinned by a golden file in
 * spec-fixtures/plans.
 */
class PlannerTest {

  static List<Path> states() {
    return Fixtures.all("state");
  }

  @ParameterizedTest
  @MethodSource("states")
  void planOfEveryFixtureMatchesItsGoldenFile(Path fixture) throws Exception {
    ContainerState state = StateReader.read(new ByteArrayInputStream(Fixtures.read(fixture)));
    String name = fixture.getFileName().toString().replaceFirst("\\.json$", ".plan");
    Path golden = Fixtures.dir().resolve("plans").resolve(name);
    assertEquals(Files.readString(golden), render(state), "golden " + golden);
  }

  @Test
  void everyGoldenFileHasAFixture() throws Exception {
    try (var files = Files.list(Fixtures.dir().resolve("plans"))) {
      for (Path golden : files.toList()) {
        String state = golden.getFileName().toString().replaceFirst("\\.plan$", ".json");
        assertTrue(Files.exists(Fixtures.state(state)), "stale golden file " + golden);
      }
    }
  }

  @Test
  void theOptionsTableMakesBindsReallyReadOnly() {
    assertEquals(Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, MountKind.PROC.mountFlags());
    assertEquals(0xe, MountKind.PROC.mountFlags());
    assertEquals(0, MountKind.PROC.remountFlags());
    long exe = MountKind.EXECUTABLE.remountFlags();
    assertEquals(Linux.MS_REMOUNT | Linux.MS_BIND, exe & (Linux.MS_REMOUNT | Linux.MS_BIND));
    assertTrue(
        (exe & Linux.MS_RDONLY) != 0
            && (exe & Linux.MS_NOSUID) != 0
            && (exe & Linux.MS_NODEV) != 0);
    long dev = MountKind.DEVICE.remountFlags();
    assertTrue((dev & Linux.MS_NOSUID) != 0 && (dev & Linux.MS_NOEXEC) != 0);
    assertEquals(0, dev & (Linux.MS_NODEV | Linux.MS_RDONLY), "a device must stay usable");
  }

  @Test
  void firstConfiguredAnnotationWins() throws Exception {
    Config c = Config.defaults();
    Map<String, String> both =
        Map.of("dev.gvisor.flag.platform", "ptrace", "org.ocichroothook.platform", "kvm");
    assertEquals("ptrace", PlatformSelector.select(both, c));
    assertEquals("kvm", PlatformSelector.select(Map.of("org.ocichroothook.platform", "kvm"), c));
    assertEquals("ptrace", PlatformSelector.select(Map.of("unrelated", "kvm"), c));
  }

  @Test
  void unknownPlatformNamesTheValueAndTheKnownOnes() {
    PlanException e =
        assertThrows(
            PlanException.class,
            () ->
                PlatformSelector.select(
                    Map.of("dev.gvisor.flag.platform", "gpu\n"), Config.defaults()));
    assertEquals(
        "unknown platform \"gpu\\x0a\" in annotation dev.gvisor.flag.platform; known platforms: kvm, ptrace, systrap",
        e.getMessage());
  }

  @Test
  void annotationsNeverNameHostPaths() {
    for (String value : List.of("/dev/kvm", "/dev/sda", "../kvm", "kvm/..", "")) {
      assertThrows(
          PlanException.class,
          () ->
              PlatformSelector.select(Map.of("dev.gvisor.flag.platform", value), Config.defaults()),
          value);
    }
  }

  @Test
  void plannedTargetsStayInsideTheChroot() {
    for (String bad : List.of("/abs", "..", "../x", "a/../../b", "")) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new PlannedMount(MountKind.DEVICE, "/dev/x", Path.of(bad)),
          bad);
    }
  }

  static String render(ContainerState state) {
    StringBuilder out = new StringBuilder();
    try {
      MountPlan plan = Planner.plan(state, Config.defaults());
      assertEquals(new ContainerId(state.id().value()), plan.id());
      out.append("platform ").append(plan.platform()).append('\n');
      for (PlannedMount m : plan.mounts()) {
        out.append(m.kind().wireName())
            .append(' ')
            .append(m.source())
            .append(" -> ")
            .append(m.target())
            .append(" flags=0x")
            .append(Long.toHexString(m.kind().mountFlags()));
        if (m.kind().remountFlags() != 0) {
          out.append(" remount=0x").append(Long.toHexString(m.kind().remountFlags()));
        }
        out.append('\n');
      }
    } catch (PlanException e) {
      out.append("error ").append(e.getMessage()).append('\n');
    }
    return out.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
