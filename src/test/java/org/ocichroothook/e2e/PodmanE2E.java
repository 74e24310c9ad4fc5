package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocichroothook.Command;
import org.ocichroothook.state.ContainerState;

/**
 * The hook registered through hooks.d under real podman, with an isolated store, for one OCI
 * runtime per subclass. Every test ends with the test process's mountinfo exactly as it began.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
abstract class PodmanE2E {
  static final String IMAGE = "localhost/oci-chroot-hook-e2e";

  E2eEnvironment env;
  private List<String> hooksDirArgs;
  Path capture;
  private Map<String, String> podmanEnv;
  private String mountinfoBefore;
  private int runs;

  /** The runtime's name, which also names the captured fixtures. */
  abstract String runtime();

  /** podman's global arguments that select the runtime. */
  abstract List<String> runtimeArgs();

  /** The platform the containers ask for: kvm where the runtime ignores it, ptrace for gVisor. */
  abstract String platform();

  /** Whether the runtime passes a failing hook's stderr on to podman's error (crun does not). */
  abstract boolean relaysHookStderr();

  void beforeRuntime() throws Exception {}

  /** The environment on this host, with the hook registered from this checkout. */
  E2eEnvironment createEnvironment() throws Exception {
    return E2eEnvironment.create("podman-" + runtime());
  }

  /**
   * Where the capture hook writes and podman's {@code --hooks-dir} arguments (none: podman's
   * default directory).
   */
  List<String> registerHooks() throws Exception {
    capture = env.base.resolve("captured");
    return List.of("--hooks-dir", env.hooksDir(runtime(), capture).toString());
  }

  /** The stage the runtime runs a hooks.d prestart at, as written into config.json. */
  String prestartStage() {
    return "prestart";
  }

  /** The name under which the states of this runtime are saved (see {@link CapturedStates}). */
  String fixturePrefix() {
    return "podman-" + runtime();
  }

  /** The annotation that carries an unknown platform to the hook (gVisor rejects its own first). */
  String unknownPlatformAnnotation() {
    return E2eEnvironment.ANNOTATION;
  }

  @BeforeAll
  void setUpPodman() throws Exception {
    env = createEnvironment();
    beforeRuntime();
    hooksDirArgs = registerHooks();
    podmanEnv = env.isolatedPodman();
    podman("import", "--change", "CMD [\"/bin/sh\"]", env.rootfsTar().toString(), IMAGE).ok();
  }

  @AfterAll
  void tearDownPodman() throws Exception {
    if (env == null) {
      return;
    }
    try {
      podman("rm", "-a", "-f", "-t", "0");
      podman("system", "reset", "-f");
    } finally {
      env.close();
      if (Boolean.getBoolean("e2e.keep")) {
        System.out.println("kept " + env.base);
      } else {
        env.removeBase();
      }
    }
  }

  @BeforeEach
  void rememberMounts() throws Exception {
    mountinfoBefore = env.mountinfo();
  }

  @AfterEach
  void mountsAreExactlyAsBefore() throws Exception {
    podman("rm", "-a", "-f", "-t", "0").ok();
    assertEquals(Set.of(), env.chroots(), "no chroot outlives its container");
    assertEquals(mountinfoBefore, env.mountinfo());
  }

  @Test
  void aRunningContainerHasItsChrootAndRmForceRemovesIt() throws Exception {
    String id = runDetached(platform());
    env.assertChroot(id, platform());
    podman("rm", "-f", "-t", "0", id).ok();
    env.awaitNoChroot(id);
  }

  @Test
  void runRmLeavesNothing() throws Exception {
    String id = runRm(E2eEnvironment.ANNOTATION + "=" + platform()).okId();
    env.awaitNoChroot(id);
    String log = env.hookLog();
    assertTrue(log.contains("[" + id + "] prestart: chroot ready"), log);
    assertTrue(log.contains("[" + id + "] poststop: removed"), log);
  }

  @Test
  void stopThenRmLeavesNothing() throws Exception {
    String id = runDetached(platform());
    env.assertChroot(id, platform());
    podman("stop", "-t", "0", id).ok();
    env.awaitNoChroot(id);
    podman("rm", id).ok();
    env.assertNoChroot(id);
  }

  @Test
  void killLeavesNothingOnceTheAsynchronousCleanupRan() throws Exception {
    String id = runDetached(platform());
    env.assertChroot(id, platform());
    podman("kill", id).ok();
    env.awaitNoChroot(id);
    podman("rm", id).ok();
  }

  @Test
  void aContainerWithoutTheAnnotationGetsNoChrootAndTheHookIsNotRun() throws Exception {
    List<Path> captureBefore = env.capturedFiles(capture);
    String id = runRm(null).okId();
    env.assertNoChroot(id);
    assertFalse(env.hookLog().contains(id), "the hook ran for " + id);
    assertEquals(captureBefore, env.capturedFiles(capture), "no hook of ours ran");
  }

  @Test
  void anUnknownPlatformFailsTheRunWithTheHooksReason() throws Exception {
    Command.Result r = runRm(unknownPlatformAnnotation() + "=gpu").result();
    assertNotEquals(0, r.code(), r.toString());
    String reason =
        "unknown platform \"gpu\" in annotation "
            + unknownPlatformAnnotation()
            + "; known platforms: kvm, ptrace, systrap";
    if (relaysHookStderr()) {
      assertTrue(r.stderr().contains("oci-chroot-hook: " + reason), r.stderr());
    } else {
      assertTrue(
          r.stderr().contains("error executing hook") && r.stderr().contains("exit code: 1"),
          r.stderr());
    }
    assertTrue(
        env.hookLog()
            .lines()
            .anyMatch(l -> l.contains(" ERROR Hook - [") && l.endsWith("] " + reason)),
        "the log keeps the reason, with the container's id");
    assertEquals(Set.of(), env.chroots());
  }

  @Test
  void twoContainersGetTwoChrootsAndStoppingOneKeepsTheOther() throws Exception {
    String a = runDetached(platform());
    String b = runDetached(platform());
    assertEquals(Set.of(a, b), env.chroots());
    env.assertChroot(a, platform());
    env.assertChroot(b, platform());
    podman("stop", "-t", "0", a).ok();
    podman("rm", a).ok();
    env.awaitNoChroot(a);
    env.assertChroot(b, platform());
    podman("rm", "-f", "-t", "0", b).ok();
    env.awaitNoChroot(b);
  }

  @Test
  void theStatesPodmanSendsAreWhatTheHookParses() throws Exception {
    String id = runRm(E2eEnvironment.ANNOTATION + "=" + platform()).okId();
    env.awaitNoChroot(id);
    List<ContainerState> mine =
        env.captured(capture).stream().filter(s -> s.id().value().equals(id)).toList();
    List<String> statuses = mine.stream().map(ContainerState::status).toList();
    assertEquals(2, mine.size(), "one state at prestart, one at poststop: " + statuses);
    assertTrue(Set.of("creating", "created").contains(statuses.get(0)), statuses.toString());
    assertEquals("stopped", statuses.get(1));
    assertEquals(platform(), mine.get(0).annotations().get(E2eEnvironment.ANNOTATION));
    CapturedStates.save(env, capture, id, fixturePrefix(), prestartStage());
  }

  /** A finished {@code podman run --rm}: the container's id (null if none) and how it ended. */
  record RunRm(String id, Command.Result result) {
    String okId() {
      result.ok();
      return id;
    }
  }

  /** {@code podman run --rm IMAGE true}, with {@code annotation} (KEY=VALUE) unless it is null. */
  RunRm runRm(String annotation) throws Exception {
    // The id comes from podman's event log, by a name chosen here: podman 5.4 deletes the
    // --cidfile file together with the --rm container.
    String name = "och-" + runtime() + "-" + ProcessHandle.current().pid() + "-" + (++runs);
    List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name));
    if (annotation != null) {
      args.add("--annotation");
      args.add(annotation);
    }
    args.addAll(List.of(IMAGE, "true"));
    Command.Result result = podman(args.toArray(String[]::new));
    String ids =
        podman(
                "events",
                "--stream=false",
                "--filter",
                "container=" + name,
                "--filter",
                "event=create",
                "--format",
                "{{.ID}}")
            .ok()
            .stdout();
    return new RunRm(ids.isEmpty() ? null : ids.lines().reduce((a, b) -> b).orElseThrow(), result);
  }

  String runDetached(String platform) {
    String out =
        podman(
                "run",
                "-d",
                "--annotation",
                E2eEnvironment.ANNOTATION + "=" + platform,
                IMAGE,
                "sleep",
                "1000")
            .ok()
            .stdout();
    String[] lines = out.split("\n");
    return lines[lines.length - 1].trim();
  }

  Command.Result podman(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/podman"));
    command.addAll(hooksDirArgs);
    command.addAll(runtimeArgs());
    command.addAll(List.of(args));
    return env.machine.run(command, podmanEnv);
  }
}
