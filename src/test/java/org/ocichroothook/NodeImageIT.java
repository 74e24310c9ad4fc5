package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;

/**
 * The Kubernetes node image, without a cluster: {@code deploy/kubernetes/build-image} builds it
 * offline (podman, an isolated vfs store), then it runs the way the DaemonSet runs it: privileged,
 * with the DaemonSet's host paths (prefix, /etc/oci-chroot-hook, the hooks.d directory, the state
 * directory) bound from a throwaway "host" root. What lands there is checked, then SIGTERM: the
 * hooks.d file goes, gc runs, and the program goes only when no chroot is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(900)
class NodeImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = HookLauncherIT.CHECKOUT_LAUNCHER.getParent();
  private static final String TAG = "localhost/oci-chroot-hook-node:it";
  private static final String PREFIX = "/opt/oci-chroot-hook";
  private static final String HOOKS_DIR = "/etc/containers/oci/hooks.d";
  private static final String CONFIG_DIR = "/etc/oci-chroot-hook";
  private static final String STATE_DIR = "/run/oci-chroot-hook";

  private Path base;
  private final Map<String, String> env = new HashMap<>();

  @BeforeAll
  void buildImage() throws Exception {
    for (String tool : List.of("/usr/bin/podman", "/usr/sbin/runc", "/usr/bin/busybox")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new AssertionError("the node image test needs " + tool + "; ./run-tests installs it");
      }
    }
    base = Path.of("/tmp/och-node-" + ProcessHandle.current().pid());
    Command.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of(), null);
    Files.createDirectory(
        base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    Files.writeString(
        base.resolve("storage.conf"),
        "[storage]\ndriver = \"vfs\"\ngraphroot = \"%s/g\"\nrunroot = \"%s/rr\"\n"
            .formatted(base, base));
    Files.writeString(
        base.resolve("containers.conf"),
        """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
        netns = "none"
        [engine]
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        tmp_dir = "%s/t"
        """
            .formatted(base));
    env.put("CONTAINERS_CONF", base.resolve("containers.conf").toString());
    env.put("CONTAINERS_STORAGE_CONF", base.resolve("storage.conf").toString());
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    // From a copy of the checkout: build-image runs ./install, whose Maven build must not touch
    // this build's target/ while its tests run.
    Path checkout = Files.createDirectory(base.resolve("checkout"));
    List<String> cp = new ArrayList<>(List.of("cp", "-a"));
    for (String f :
        List.of("install", "hook", "pom.xml", "packaging", "spec-fixtures", "src", "deploy")) {
      cp.add(REPO.resolve(f).toString());
    }
    cp.add(checkout.toString());
    Command.run(cp, Map.of(), null).ok();
    Command.Result build =
        Command.run(
                List.of(checkout.resolve("deploy/kubernetes/build-image").toString(), "--tag", TAG),
                env,
                null)
            .ok();
    List<String> lines = build.stdout().lines().toList();
    assertEquals(TAG, lines.get(lines.size() - 1), "the image reference, last: " + build);
  }

  @AfterAll
  void removeImage() throws Exception {
    if (base == null) {
      return;
    }
    podman("rm", "-a", "-f", "-t", "0");
    podman("rmi", "-a", "-f");
    List<MountEntry> left = MountTable.read().atOrBelow(base);
    for (int i = left.size() - 1; i >= 0; i--) {
      Command.run(
          List.of("/bin/umount", "-l", left.get(i).mountPoint().toString()), Map.of(), null);
    }
    Command.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of(), null);
  }

  @Test
  void installsOntoTheHostThenSigtermRemovesEverythingButAnEditedConfiguration() throws Exception {
    Path host = hostRoot("clean");
    String name = start(host);
    assertLanded(host);
    Path config = host.resolve(CONFIG_DIR.substring(1)).resolve("config.json");
    assertEquals(
        Files.readString(REPO.resolve("spec-fixtures/config/default.json")),
        Files.readString(config),
        "the default configuration, written because there was none");
    // The administrator's edit: the configuration stays when the program goes.
    Files.writeString(
        config,
        Files.readString(config).replace("\"logLevel\": \"info\"", "\"logLevel\": \"debug\""));

    String log = stop(name);
    assertTrue(log.contains("removed " + HOOKS_DIR + "/oci-chroot-hook.json"), log);
    assertTrue(log.contains("gc done"), log);
    assertTrue(log.contains("removed the program from " + PREFIX), log);
    assertTrue(
        log.contains("kept " + CONFIG_DIR + "/config.json: it was edited after install"), log);
    assertTrue(
        log.indexOf("removed " + HOOKS_DIR) < log.indexOf("gc done")
            && log.indexOf("gc done") < log.indexOf("removed the program"),
        "hooks.d file, then gc, then the program: " + log);
    assertEquals(List.of(), files(host.resolve(PREFIX.substring(1))), "nothing of the program");
    assertEquals(List.of(), files(host.resolve(HOOKS_DIR.substring(1))));
    assertTrue(Files.isRegularFile(config), "the edited configuration stays");
  }

  @Test
  void aChrootOfARunningContainerKeepsTheProgramOnSigterm() throws Exception {
    Path host = hostRoot("busy");
    String name = start(host);
    assertLanded(host);
    // A container's chroot made by the installed hook, its container process (the entrypoint,
    // PID 1 of the node container) alive: gc must keep it, and with it the program.
    String config =
        "{\"stateDir\": \"%s\", \"executable\": \"/bin/busybox\", \"logFile\": \"/tmp/hook.log\", \"platforms\": {\"ptrace\": []}}"
            .formatted(STATE_DIR);
    String state =
        "{\"ociVersion\":\"1.0.2\",\"id\":\"running-app\",\"status\":\"creating\",\"pid\":1,"
            + "\"bundle\":\"/nonexistent\",\"annotations\":{\"dev.gvisor.flag.platform\":\"ptrace\"}}";
    podman(
            "exec",
            name,
            "/bin/bash",
            "-c",
            "umask 077; printf '%s' '"
                + config
                + "' > /tmp/c.json; printf '%s' '"
                + state
                + "' | "
                + PREFIX
                + "/bin/oci-chroot-hook --config /tmp/c.json prestart")
        .ok();
    Path chroot = host.resolve(STATE_DIR.substring(1)).resolve("running-app");
    assertTrue(Files.isDirectory(chroot.resolve("root")), "the chroot was made");

    String log = stop(name);
    assertTrue(log.contains("removed " + HOOKS_DIR + "/oci-chroot-hook.json"), log);
    assertTrue(log.contains("gc done"), log);
    assertTrue(
        log.contains(
            "kept the program in " + PREFIX + ": 1 chroot(s) remain in " + STATE_DIR + ", and the"),
        log);
    assertFalse(log.contains("removed the program"), log);
    assertFalse(Files.exists(host.resolve(HOOKS_DIR.substring(1)).resolve("oci-chroot-hook.json")));
    Path prefix = host.resolve(PREFIX.substring(1));
    assertTrue(Files.isExecutable(prefix.resolve("lib/oci-chroot-hook/runtime/bin/java")));
    assertTrue(Files.isSymbolicLink(prefix.resolve("bin/oci-chroot-hook")));
    assertTrue(Files.isDirectory(chroot), "gc kept the running container's chroot");
  }

  /**
   * What the entrypoint puts on the host: the program, its runtime and archive, the hooks.d file.
   */
  private void assertLanded(Path host) throws Exception {
    Path prefix = host.resolve(PREFIX.substring(1));
    Path home = prefix.resolve("lib/oci-chroot-hook");
    assertEquals(
        Path.of("../lib/oci-chroot-hook/hook"),
        Files.readSymbolicLink(prefix.resolve("bin/oci-chroot-hook")));
    assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")), "the jlinked runtime");
    assertEquals(
        "JAVA=" + PREFIX + "/lib/oci-chroot-hook/runtime/bin/java",
        Files.readAllLines(home.resolve("launcher.conf")).get(1));
    // The archive's kind follows the runtime's version, as packaging/jvm-flags decides it: an AOT
    // cache from JDK 25 on, an AppCDS archive before (Debian 12's newest JDK is 17).
    String release = Files.readString(home.resolve("runtime/release"));
    java.util.regex.Matcher version =
        java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
    assertTrue(version.find(), release);
    String archive = Integer.parseInt(version.group(1)) >= 25 ? "hook.aot" : "hook.jsa";
    assertTrue(Files.isRegularFile(home.resolve(archive)), "the archive, built on the node");
    String manifest = Files.readString(home.resolve("install-manifest"));
    assertTrue(manifest.contains("file " + HOOKS_DIR + "/oci-chroot-hook.json\n"), manifest);
    assertTrue(manifest.contains("config " + CONFIG_DIR + "/config.json "), manifest);
    assertFalse(manifest.contains("/etc/systemd/"), "no systemd units from a container");
    assertFalse(manifest.contains(".new."), manifest);
    assertCrioAcceptsTheHooksFile(
        host.resolve(HOOKS_DIR.substring(1)).resolve("oci-chroot-hook.json"));
  }

  /**
   * CRI-O reads hooks.d files with the parser podman uses (containers/common pkg/hooks, schema
   * 1.0.0): version "1.0.0", an absolute hook.path that exists, known stages, at least one
   * condition, annotation keys and values that are regular expressions, matched against every
   * annotation of the container's spec (CRI-O copies the pod's into each container's).
   */
  private static void assertCrioAcceptsTheHooksFile(Path file) throws IOException {
    JsonNode hook = JSON.readTree(file.toFile());
    assertEquals("1.0.0", hook.get("version").asText());
    assertEquals(PREFIX + "/bin/oci-chroot-hook", hook.get("hook").get("path").asText());
    assertTrue(hook.get("hook").get("timeout").asInt() > 0);
    Set<String> known =
        Set.of(
            "prestart",
            "createRuntime",
            "createContainer",
            "startContainer",
            "poststart",
            "poststop");
    List<String> stages = new ArrayList<>();
    hook.get("stages").forEach(s -> stages.add(s.asText()));
    assertEquals(List.of("prestart", "poststop"), stages);
    assertTrue(known.containsAll(stages));
    JsonNode annotations = hook.get("when").get("annotations");
    assertEquals(1, annotations.size());
    String key = annotations.fieldNames().next();
    Pattern keyPattern = Pattern.compile(key);
    Pattern valuePattern = Pattern.compile(annotations.get(key).asText());
    for (String annotation : List.of("dev.gvisor.flag.platform", "org.ocichroothook.platform")) {
      assertTrue(keyPattern.matcher(annotation).find(), annotation);
      assertTrue(valuePattern.matcher("kvm").find());
    }
    assertFalse(keyPattern.matcher("io.kubernetes.cri-o.Annotations").find());
  }

  private Path hostRoot(String name) throws IOException {
    Path host = base.resolve("host-" + name);
    for (String dir : List.of(PREFIX, CONFIG_DIR, HOOKS_DIR, STATE_DIR)) {
      Files.createDirectories(host.resolve(dir.substring(1)));
    }
    return host;
  }

  /** As the DaemonSet runs it: privileged, the host paths bound at their own paths. */
  private String start(Path host) throws Exception {
    String name = "och-node-" + host.getFileName();
    List<String> run =
        new ArrayList<>(List.of("--runtime", "/usr/sbin/runc", "run", "-d", "--name", name));
    run.add("--privileged");
    for (String dir : List.of(PREFIX, CONFIG_DIR, HOOKS_DIR, STATE_DIR)) {
      run.addAll(List.of("-v", host.resolve(dir.substring(1)) + ":" + dir));
    }
    run.addAll(List.of(TAG, "--hooks-dir", HOOKS_DIR, "--gc-interval", "0"));
    podman(run.toArray(String[]::new)).ok();
    String log = "";
    for (int i = 0; i < 1200 && !log.contains("installed oci-chroot-hook "); i++) {
      Thread.sleep(100);
      log = podman("logs", name).stdout();
    }
    assertTrue(log.contains("installed oci-chroot-hook "), "installed within 120 s: " + log);
    assertTrue(
        log.contains("hooks.d file " + HOOKS_DIR + "/oci-chroot-hook.json"), "and said so: " + log);
    return name;
  }

  /** podman stop: SIGTERM, then the log. */
  private String stop(String name) {
    podman("--runtime", "/usr/sbin/runc", "stop", "-t", "100", name).ok();
    Command.Result logs = podman("logs", name).ok();
    return logs.stdout() + "\n" + logs.stderr();
  }

  private Command.Result podman(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/podman"));
    command.addAll(List.of(args));
    return Command.run(command, env, null);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !Files.isDirectory(p)).toList();
    }
  }
}
