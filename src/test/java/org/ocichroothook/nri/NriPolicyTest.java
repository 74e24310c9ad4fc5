package org.ocichroothook.nri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.config.Config;

/** What a new container gets, by where its platform annotation is. */
class NriPolicyTest {
  private static final String GVISOR = Config.GVISOR_ANNOTATION;
  private static final String OURS = Config.PROJECT_ANNOTATION;
  private static final HookSpec HOOK =
      NriCommand.hook(Path.of("/opt/och/lib/oci-chroot-hook/hook"), null);
  private static final Policy POLICY = new Policy(Config.defaults(), HOOK);

  private static Decision decide(
      Map<String, String> pod,
      Map<String, String> container,
      List<HookSpec> prestart,
      List<HookSpec> poststop) {
    return POLICY.decide(pod, container, prestart, poststop);
  }

  @Test
  void podOnly() {
    Decision d = decide(Map.of(GVISOR, "kvm", "other", "x"), Map.of(), List.of(), List.of());
    assertEquals(
        new Decision.Adjusted(
            "kvm", GVISOR, "pod", Map.of(OURS, "kvm"), List.of(HOOK), List.of(HOOK)),
        d);
    assertEquals(
        "platform kvm from the pod annotation dev.gvisor.flag.platform: added the prestart and"
            + " poststop hooks",
        d.describe());
  }

  @Test
  void containerOnly() {
    assertEquals(
        new Decision.Adjusted("systrap", OURS, "container", Map.of(), List.of(HOOK), List.of(HOOK)),
        decide(Map.of(), Map.of(OURS, "systrap"), List.of(), List.of()),
        "the container already names the platform in the project's annotation: nothing to add");
    assertEquals(
        new Decision.Adjusted(
            "kvm", GVISOR, "container", Map.of(OURS, "kvm"), List.of(HOOK), List.of(HOOK)),
        decide(Map.of(), Map.of(GVISOR, "kvm"), List.of(), List.of()));
  }

  @Test
  void theContainersValueBeforeThePodsAndTheFirstConfiguredKeyFirst() {
    assertEquals(
        "ptrace",
        ((Decision.Adjusted)
                decide(Map.of(GVISOR, "kvm"), Map.of(GVISOR, "ptrace"), List.of(), List.of()))
            .platform());
    // gVisor's key comes first in the configuration: the pod's gVisor key beats the container's
    // own.
    Decision.Adjusted d =
        (Decision.Adjusted)
            decide(Map.of(GVISOR, "kvm"), Map.of(OURS, "ptrace"), List.of(), List.of());
    assertEquals("kvm", d.platform());
    assertEquals(Map.of(OURS, "kvm"), d.annotations(), "overrides the container's stale value");
  }

  @Test
  void none() {
    assertInstanceOf(
        Decision.Unchanged.class,
        decide(
            Map.of("io.kubernetes.cri.sandbox-id", "x"), Map.of("a", "b"), List.of(), List.of()));
  }

  @Test
  void unknownPlatformIsRefusedWithPrestartsReason() {
    Decision d = decide(Map.of(GVISOR, "kvm\nforged line"), Map.of(), List.of(), List.of());
    assertEquals(
        new Decision.Refused(
            "unknown platform \"kvm\\nforged line\" in annotation dev.gvisor.flag.platform; known"
                + " platforms: kvm, ptrace, systrap"),
        d);
  }

  @Test
  void hookAlreadyPresentIsNotAddedTwice() {
    HookSpec injected =
        new HookSpec(
            "/usr/bin/oci-chroot-hook", List.of("oci-chroot-hook", "prestart"), List.of(), null);
    HookSpec other = new HookSpec("/usr/bin/other", List.of("other"), List.of(), null);
    Decision.Adjusted both =
        (Decision.Adjusted)
            decide(Map.of(), Map.of(OURS, "kvm"), List.of(other, injected), List.of(HOOK));
    assertEquals(List.of(), both.prestart());
    assertEquals(List.of(), both.poststop());
    assertEquals(
        "platform kvm from the container annotation org.ocichroothook.platform: it already"
            + " has the hook",
        both.describe());
    Decision.Adjusted onlyPoststopMissing =
        (Decision.Adjusted)
            decide(Map.of(), Map.of(OURS, "kvm"), List.of(injected), List.of(other));
    assertEquals(List.of(), onlyPoststopMissing.prestart());
    assertEquals(List.of(HOOK), onlyPoststopMissing.poststop());
  }

  @Test
  void theHookIsTheHooksDFilesEntry() throws Exception {
    JsonNode file =
        new ObjectMapper()
            .readTree(Path.of("packaging/hooks.d/oci-chroot-hook.json").toFile())
            .get("hook");
    List<String> args = new ArrayList<>();
    file.get("args").forEach(a -> args.add(a.asText()));
    List<String> env = new ArrayList<>();
    file.get("env").forEach(a -> env.add(a.asText()));
    HookSpec expected =
        new HookSpec(file.get("path").asText(), args, env, file.get("timeout").asInt());
    assertEquals(expected, NriCommand.hook(Path.of("/usr/local/bin/oci-chroot-hook"), null));
    assertEquals(
        List.of("stages", "prestart", "poststop"),
        List.of("stages", readStages().get(0), readStages().get(1)));
  }

  private static List<String> readStages() throws Exception {
    List<String> stages = new ArrayList<>();
    new ObjectMapper()
        .readTree(Path.of("packaging/hooks.d/oci-chroot-hook.json").toFile())
        .get("stages")
        .forEach(s -> stages.add(s.asText()));
    return stages;
  }

  @Test
  void theInstalledLauncherIsNamedByItsCommandAsInTheHooksDFile(@TempDir Path prefix)
      throws Exception {
    Path launcher = Files.createDirectories(prefix.resolve("lib/oci-chroot-hook")).resolve("hook");
    Files.writeString(launcher, "#!/bin/sh\n");
    Path command = Files.createDirectories(prefix.resolve("bin")).resolve("oci-chroot-hook");
    Files.createSymbolicLink(command, Path.of("../lib/oci-chroot-hook/hook"));
    assertEquals(command.toString(), NriCommand.hook(launcher, null).path());
    Files.delete(command);
    assertEquals(
        launcher.toString(), NriCommand.hook(launcher, null).path(), "no command: the launcher");
    assertEquals(
        List.of("oci-chroot-hook", "--config", "/etc/x.json"),
        NriCommand.hook(launcher, Path.of("/etc/x.json")).args());
  }
}
