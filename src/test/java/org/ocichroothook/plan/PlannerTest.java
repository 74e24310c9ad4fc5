package org.ocichroothook.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REC;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ocichroothook.Fixtures;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;
import org.ocichroothook.sys.SyscallsFactory;

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
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, render(state));
    }
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

  /** Each example configuration's plan for each of its platforms, pinned in config-plans/. */
  static List<Arguments> configurations() throws Exception {
    List<Arguments> all = new ArrayList<>();
    for (Path file : Fixtures.all("config")) {
      Config config = ConfigReader.read(SyscallsFactory.create(), file, true);
      for (String platform : config.platforms().keySet()) {
        all.add(Arguments.of(file, platform));
      }
    }
    return all;
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void planOfEveryExampleConfigurationMatchesItsGoldenFile(Path file, String platform)
      throws Exception {
    Config config = ConfigReader.read(SyscallsFactory.create(), file, true);
    ContainerState state =
        StateReader.read(
            new ByteArrayInputStream(
                utf8(
                    "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
                        + "\"bundle\":\"/srv/b\",\"annotations\":{\"dev.gvisor.flag.platform\":\""
                        + platform
                        + "\"}}")));
    String name = file.getFileName().toString().replaceFirst("\\.json$", "." + platform + ".plan");
    Path golden = Fixtures.dir().resolve("config-plans").resolve(name);
    String rendered = render(state, config);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, rendered);
    }
    assertEquals(Files.readString(golden), rendered, "golden " + golden);
  }

  @Test
  void everyConfigurationGoldenFileHasAConfigurationAndPlatform() throws Exception {
    List<String> expected = new ArrayList<>();
    for (Arguments a : configurations()) {
      Path file = (Path) a.get()[0];
      expected.add(
          file.getFileName().toString().replaceFirst("\\.json$", "." + a.get()[1] + ".plan"));
    }
    try (var files = Files.list(Fixtures.dir().resolve("config-plans"))) {
      for (Path golden : files.toList()) {
        assertTrue(
            expected.contains(golden.getFileName().toString()), "stale golden file " + golden);
      }
    }
  }

  @Test
  void theOptionsTableMakesBindsReallyReadOnlyAndLeavesWhatMustWork() {
    assertEquals(MS_NOSUID | MS_NODEV | MS_NOEXEC, TmpfsRoot.FLAGS);
    assertEquals(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, ProcMount.FLAGS);
    assertEquals(0xf, new ProcMount().flags());
    assertEquals(0, new ProcMount().remountFlags());
    assertEquals(MS_BIND | MS_REC, ProcMount.FALLBACK_FLAGS);
    assertEquals(MS_REMOUNT | MS_BIND | ProcMount.FLAGS, ProcMount.FALLBACK_REMOUNT_FLAGS);
    long exe = new ReadOnlyBind(Path.of("/x"), Path.of("x")).remountFlags();
    assertEquals(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, exe);
    assertEquals(0, exe & MS_NOEXEC, "the executable must run on the noexec root");
    long dev = new DeviceBind(Path.of("/dev/x"), Path.of("dev/x")).remountFlags();
    assertEquals(MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, dev);
    assertEquals(0, dev & (MS_NODEV | MS_RDONLY), "a device must stay usable on the nodev root");
    assertEquals(
        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
        new SysfsBind(Path.of("/sys/x"), Path.of("sys/x")).remountFlags());
    assertEquals(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, Seal.FLAGS);
  }

  @Test
  void theTmpfsRootIsSizedForItsFilesAndTargets() throws Exception {
    ContainerState state =
        StateReader.read(Files.newInputStream(Fixtures.state("runc-direct.prestart.json")));
    MountPlan plan = Planner.plan(state, Config.defaults());
    // proc, runsc, dev/kvm: 1 + 1 + 2 components.
    assertEquals(new TmpfsRoot(64 << 10, 16 + 4), plan.steps().get(0));
    assertEquals("mode=0755,size=65536,nr_inodes=20", plan.mounts().get(0).data());
  }

  @Test
  void aPlanKeepsTheTmpfsFirstTheSealLastAndEachTargetOnce() {
    ContainerId id = new ContainerId("c1");
    TmpfsRoot tmpfs = new TmpfsRoot(1, 1);
    assertEquals(
        "the tmpfs root must be the first step",
        assertThrows(
                IllegalArgumentException.class,
                () -> new MountPlan(id, "p", List.of(new ProcMount(), tmpfs)))
            .getMessage());
    assertEquals(
        "the seal must be the last step, after a tmpfs root",
        assertThrows(
                IllegalArgumentException.class,
                () -> new MountPlan(id, "p", List.of(new ProcMount(), Seal.DEFAULT)))
            .getMessage());
    assertEquals(
        "the seal must be the last step, after a tmpfs root",
        assertThrows(
                IllegalArgumentException.class,
                () -> new MountPlan(id, "p", List.of(tmpfs, Seal.DEFAULT, new ProcMount())))
            .getMessage());
    assertEquals(
        "two steps planned at etc/x",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new MountPlan(
                        id,
                        "p",
                        List.of(
                            new CopiedFile(Path.of("/a"), Path.of("etc/x"), false),
                            new ReadOnlyBind(Path.of("/b"), Path.of("etc/x")))))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TmpfsRoot(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Seal(0, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new ReadOnlyBind(Path.of("rel"), Path.of("x")));
    assertThrows(
        IllegalArgumentException.class, () -> new SysfsBind(Path.of("/sys/../x"), Path.of("x")));
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
                    Map.of("dev.gvisor.flag.platform", "gpu\n\u009b2J"), Config.defaults()));
    assertEquals(
        "unknown platform \"gpu\\n\\x9b2J\" in annotation dev.gvisor.flag.platform; known platforms:"
            + " kvm, ptrace, systrap",
        e.getMessage(),
        "escaped as every quoted value is (text/Printable), the C1 CSI included");
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
          () -> new DeviceBind(Path.of("/dev/x"), Path.of(bad)),
          bad);
    }
  }

  static String render(ContainerState state) {
    return render(state, Config.defaults());
  }

  static String render(ContainerState state, Config config) {
    StringBuilder out = new StringBuilder();
    try {
      MountPlan plan = Planner.plan(state, config);
      assertEquals(new ContainerId(state.id().value()), plan.id());
      out.append("platform ").append(plan.platform()).append('\n');
      for (Step step : plan.steps()) {
        out.append(render(step)).append('\n');
      }
    } catch (PlanException e) {
      out.append("error ").append(e.getMessage()).append('\n');
    }
    return out.toString();
  }

  private static String render(Step step) {
    if (step instanceof CopiedFile f) {
      return "file " + f.source() + " -> " + f.target() + (f.optional() ? " optional" : "");
    }
    if (step instanceof Seal s) {
      return "seal -> / flags=0x"
          + Long.toHexString(s.flags())
          + " attempts="
          + s.attempts()
          + " delay="
          + s.firstDelayMillis()
          + "ms";
    }
    MountStep m = (MountStep) step;
    StringBuilder out = new StringBuilder();
    out.append(m.kind().wireName())
        .append(' ')
        .append(m.source())
        .append(" -> ")
        .append(m.target().toString().isEmpty() ? "/" : m.target())
        .append(" flags=0x")
        .append(Long.toHexString(m.flags()));
    if (m.fsType() != null) {
      out.append(" type=").append(m.fsType());
    }
    if (m.data() != null) {
      out.append(" data=").append(m.data());
    }
    if (m.remountFlags() != 0) {
      out.append(" remount=0x").append(Long.toHexString(m.remountFlags()));
    }
    if (m instanceof ProcMount) {
      out.append(" else bind ")
          .append(ProcMount.FALLBACK_SOURCE)
          .append(" flags=0x")
          .append(Long.toHexString(ProcMount.FALLBACK_FLAGS))
          .append(" remount=0x")
          .append(Long.toHexString(ProcMount.FALLBACK_REMOUNT_FLAGS));
    }
    return out.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
