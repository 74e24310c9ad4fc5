package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;

/**
 * What the end-to-end tests share: the tools (a missing one fails the test, never skips it), a
 * busybox image built here (no registry is reachable), the hook's state directory, configuration
 * and log, and hooks.d directories that register the hook from this checkout plus a state-capturing
 * hook. Every path is as the {@link Machine}'s processes see it.
 */
final class E2eEnvironment implements AutoCloseable {
  static final String ANNOTATION = "dev.gvisor.flag.platform";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, String> PATH =
      Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  private static final Path REPO =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath().getParent();
  static final Path LAUNCHER = REPO.resolve("hook");
  static final List<String> TOOLS =
      List.of(
          "/usr/bin/podman",
          "/usr/sbin/runc",
          "/usr/bin/crun",
          "/usr/bin/runsc",
          "/usr/bin/conmon",
          "/usr/bin/busybox",
          "/usr/bin/unshare");

  final Machine machine;
  final Path base;
  final Path rootfs;
  final Path stateDir;
  final Path config;
  final Path logFile;
  final Path executable = Path.of("/usr/bin/runsc");
  private final TestStateDir hostState;
  private final List<Path> cgroupWorkaround = new ArrayList<>();

  private E2eEnvironment(
      Machine machine, Path base, Path stateDir, Path config, Path logFile, TestStateDir host) {
    this.machine = machine;
    this.base = base;
    this.rootfs = base.resolve("rootfs");
    this.stateDir = stateDir;
    this.config = config;
    this.logFile = logFile;
    this.hostState = host;
  }

  /** On this host, with a state directory and configuration of the test's own. */
  static E2eEnvironment create(String name) throws Exception {
    Path base = freshBase(Machine.HOST, name);
    TestStateDir state = TestStateDir.create(base.resolve("hook"));
    E2eEnvironment env =
        new E2eEnvironment(
            Machine.HOST, base, state.stateDir(), state.config(), state.logFile(), state);
    Files.writeString(
        env.config,
        """
        {"stateDir": "%s", "executable": "/usr/bin/runsc", "logFile": "%s"}
        """
            .formatted(env.stateDir, env.logFile));
    env.buildRootfs();
    return env;
  }

  /**
   * On {@code machine}, where {@code ./install} installed the hook with its default configuration
   * and registered it in the machine's hooks.d.
   */
  static E2eEnvironment installed(Machine machine, String name) throws Exception {
    Path base = freshBase(machine, name);
    E2eEnvironment env =
        new E2eEnvironment(
            machine,
            base,
            Path.of("/run/oci-chroot-hook"),
            Path.of("/etc/oci-chroot-hook/config.json"),
            Path.of("/var/log/oci-chroot-hook.log"),
            null);
    env.buildRootfs();
    return env;
  }

  private static Path freshBase(Machine machine, String name) throws IOException {
    List<String> missing =
        TOOLS.stream().filter(t -> !Files.isExecutable(machine.file(Path.of(t)))).toList();
    if (!missing.isEmpty()) {
      throw new AssertionError("end-to-end tests need " + missing + "; ./run-tests installs them");
    }
    // Short on purpose: with a long runroot, podman's asynchronous cleanup after a kill silently
    // never runs (conmon's socket paths outgrow the 108 bytes a unix socket path may have).
    Path base = Path.of("/tmp/och-" + name + "-" + ProcessHandle.current().pid());
    machine.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of());
    Files.createDirectory(
        machine.file(base),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    return base;
  }

  /** {@code inside} as this test process reaches it. */
  Path file(Path inside) {
    return machine.file(inside);
  }

  Path containerDir(String id) {
    return stateDir.resolve(id);
  }

  Path root(String id) {
    return containerDir(id).resolve("root");
  }

  /** A busybox root filesystem: the machine's static binary and one link per applet. */
  private void buildRootfs() throws IOException {
    Path bin = file(rootfs.resolve("bin"));
    Files.createDirectories(bin);
    Files.createDirectories(file(rootfs.resolve("etc")));
    Files.copy(file(Path.of("/usr/bin/busybox")), bin.resolve("busybox"));
    String applets = machine.run(List.of("/usr/bin/busybox", "--list"), Map.of()).ok().stdout();
    for (String applet : applets.split("\n")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(bin.resolve(applet.trim()), Path.of("busybox"));
      }
    }
    Files.writeString(file(rootfs.resolve("etc/passwd")), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(file(rootfs.resolve("etc/group")), "root:x:0:\n");
  }

  /**
   * A hooks.d directory with the repository's file, its path pointed at this checkout's launcher
   * and the test configuration, and a capture hook under the same condition writing to {@code
   * capture}. On this host only.
   */
  /**
   * Podman kept to this environment: a vfs store under its base, the limits, cgroup manager, events
   * and network this host needs (see the runtime notes). Returns the environment to run podman
   * with.
   */
  Map<String, String> isolatedPodman() throws IOException {
    Path storage = base.resolve("storage.conf");
    Files.writeString(
        file(storage),
        """
        [storage]
        driver = "vfs"
        graphroot = "%s"
        runroot = "%s"
        """
            .formatted(base.resolve("graph"), base.resolve("runroot")));
    Path containers = base.resolve("containers.conf");
    Files.writeString(
        file(containers),
        """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
        netns = "none"
        [engine]
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        tmp_dir = "%s"
        """
            .formatted(base.resolve("libpod-tmp")));
    return Map.of(
        "CONTAINERS_CONF", containers.toString(),
        "CONTAINERS_STORAGE_CONF", storage.toString(),
        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }

  /** The busybox root file system as a tar, for {@code podman import}. */
  Path rootfsTar() throws Exception {
    Path tar = base.resolve("rootfs.tar");
    machine
        .run(List.of("/usr/bin/tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."), Map.of())
        .ok();
    return tar;
  }

  Path hooksDir(String name, Path capture) throws IOException {
    Path dir = Files.createDirectories(base.resolve("hooks.d-" + name));
    Files.createDirectories(capture);
    ObjectNode hook =
        (ObjectNode) JSON.readTree(REPO.resolve("packaging/hooks.d/oci-chroot-hook.json").toFile());
    ObjectNode exec = (ObjectNode) hook.get("hook");
    exec.put("path", LAUNCHER.toString());
    exec.putArray("args").add("oci-chroot-hook").add("--config").add(config.toString());
    JSON.writeValue(dir.resolve("oci-chroot-hook.json").toFile(), hook);
    JSON.writeValue(
        dir.resolve("zz-capture-state.json").toFile(),
        captureHook(hook, REPO.resolve("src/test/sh/capture-state"), capture));
    return dir;
  }

  /** A copy of hooks.d file {@code hook} that runs {@code script} (capture-state) instead. */
  static ObjectNode captureHook(ObjectNode hook, Path script, Path capture) {
    ObjectNode capturing = hook.deepCopy();
    ObjectNode captureExec = (ObjectNode) capturing.get("hook");
    captureExec.put("path", script.toString());
    captureExec.putArray("args").add("capture-state").add(capture.toString());
    return capturing;
  }

  /**
   * crun refuses a hybrid cgroup layout whose v2 side holds controllers (1.8 and 1.21 alike).
   * Mounting those controllers as a v1 hierarchy, in the machine's private mount namespace, moves
   * them off the v2 side while the mount lives; the kernel gives them back once it is gone.
   *
   * <p>Controllers already off the v2 side are not enough: the v1 hierarchy holding them may be
   * another namespace's mount (a test run beside this one, a leftover on a developer's machine)
   * that goes away while the tests run, and then crun refuses again. So every such hierarchy that
   * no mount here shows is mounted here too, which reuses and pins it.
   */
  void applyCrunCgroupWorkaround() throws Exception {
    Path controllers = file(Path.of("/sys/fs/cgroup/unified/cgroup.controllers"));
    if (!Files.exists(controllers)) {
      return;
    }
    List<List<String>> hierarchies = new ArrayList<>();
    String onV2 = Files.readString(controllers).trim();
    if (!onV2.isEmpty()) {
      hierarchies.add(List.of(onV2.split(" ")));
    }
    hierarchies.addAll(unseenV1Hierarchies());
    for (List<String> subsystems : hierarchies) {
      String list = String.join(",", subsystems);
      Path dir = base.resolve("cgroup-v1-" + String.join("-", subsystems));
      Files.createDirectories(file(dir));
      machine
          .run(
              List.of("/bin/mount", "-t", "cgroup", "-o", list, "cgroup", dir.toString()), Map.of())
          .ok();
      cgroupWorkaround.add(dir);
    }
    assertEquals(
        "",
        Files.readString(controllers).trim(),
        "crun would still refuse: controllers left on the cgroup v2 side");
  }

  /**
   * The controllers of each v1 hierarchy (from /proc/cgroups) that no cgroup mount in the machine's
   * namespace shows.
   */
  private List<List<String>> unseenV1Hierarchies() throws IOException {
    Set<String> mounted =
        MountTable.read(machine.mountinfo()).entries().stream()
            .filter(m -> m.fsType().equals("cgroup"))
            .flatMap(m -> Stream.of(m.superOptions().split(",")))
            .collect(Collectors.toSet());
    Map<String, List<String>> byHierarchy = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) {
      String[] f = line.split("\\s+");
      if (f.length < 4 || line.startsWith("#") || f[1].equals("0") || !f[3].equals("1")) {
        continue;
      }
      byHierarchy.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[0]);
    }
    return byHierarchy.values().stream()
        .filter(subsystems -> subsystems.stream().noneMatch(mounted::contains))
        .toList();
  }

  /** The chroot directories that exist now. */
  Set<String> chroots() throws IOException {
    if (!Files.isDirectory(file(stateDir))) {
      return Set.of();
    }
    try (Stream<Path> s = Files.list(file(stateDir))) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .collect(Collectors.toSet());
    }
  }

  /** The machine's mount table, as text: compared whole, before and after. */
  String mountinfo() throws IOException {
    return Files.readString(machine.mountinfo());
  }

  private List<MountEntry> mountsAtOrBelow(Path dir) throws IOException {
    return MountTable.read(machine.mountinfo()).atOrBelow(dir);
  }

  /**
   * Asserts the chroot of {@code id}: exactly the expected entries and mounts for {@code platform}.
   */
  void assertChroot(String id, String platform) throws Exception {
    Path root = root(id);
    Set<String> entries;
    try (Stream<Path> s = Files.list(file(root))) {
      entries = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    List<MountEntry> mounts = mountsAtOrBelow(containerDir(id));
    List<Path> points = mounts.stream().map(MountEntry::mountPoint).toList();
    if (platform.equals("kvm")) {
      assertEquals(Set.of("proc", "runsc", "dev"), entries);
      assertEquals(
          List.of(root, root.resolve("proc"), root.resolve("runsc"), root.resolve("dev/kvm")),
          points);
      assertTrue(
          mounts.get(3).optionList().containsAll(List.of("nosuid", "noexec")),
          mounts.get(3).options());
    } else {
      assertEquals(Set.of("proc", "runsc"), entries);
      assertEquals(List.of(root, root.resolve("proc"), root.resolve("runsc")), points);
    }
    assertEquals("tmpfs", mounts.get(0).fsType());
    assertTrue(
        mounts.get(0).optionList().containsAll(List.of("ro", "nosuid", "nodev", "noexec")),
        "the root is sealed: " + mounts.get(0).options());
    assertEquals("proc", mounts.get(1).fsType());
    assertTrue(
        mounts.get(1).optionList().containsAll(List.of("ro", "nosuid", "nodev", "noexec")),
        mounts.get(1).options());
    assertTrue(
        mounts.get(2).optionList().containsAll(List.of("ro", "nosuid", "nodev")),
        mounts.get(2).options());
    // The bind's mountinfo root is the file's path within its own filesystem, which equals its
    // path only where that filesystem is mounted at /: the same device and inode is the proof.
    assertEquals(
        fileKey(file(executable)),
        fileKey(file(root.resolve("runsc"))),
        "runsc in the chroot is " + executable);
  }

  /** Device and inode: the identity of a file, whichever path or mount reaches it. */
  static String fileKey(Path path) throws IOException {
    return Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino");
  }

  void assertNoChroot(String id) throws IOException {
    assertFalse(Files.exists(file(containerDir(id))), "chroot of " + id + " still exists");
    assertEquals(List.of(), mountsAtOrBelow(containerDir(id)));
  }

  /** Waits up to 30 s for the chroot of {@code id} to be gone (podman cleans up asynchronously). */
  void awaitNoChroot(String id) throws Exception {
    for (int i = 0; i < 300 && Files.exists(file(containerDir(id))); i++) {
      Thread.sleep(100);
    }
    assertNoChroot(id);
  }

  /**
   * Every state captured so far in {@code capture}, in the order the hooks ran, parsed by the
   * hook's own reader: what real runtimes sent.
   */
  List<ContainerState> captured(Path capture) throws Exception {
    List<ContainerState> states = new ArrayList<>();
    for (Path f : capturedFiles(capture)) {
      states.add(StateReader.read(new ByteArrayInputStream(Files.readAllBytes(f))));
    }
    return states;
  }

  /** The capture files (host paths), sorted by name: capture-state numbers them in order. */
  List<Path> capturedFiles(Path capture) throws IOException {
    try (Stream<Path> s = Files.list(file(capture))) {
      return s.sorted().toList();
    }
  }

  String hookLog() throws IOException {
    return Files.exists(file(logFile)) ? Files.readString(file(logFile)) : "";
  }

  /** Removes the base directory, on this machine, without crossing into mounts. */
  void removeBase() {
    machine.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of());
  }

  @Override
  public void close() throws Exception {
    for (Path dir : cgroupWorkaround) {
      machine.run(List.of("/bin/umount", "-l", dir.toString()), Map.of()).ok();
    }
    if (hostState != null) {
      hostState.close();
    }
  }

  /** A mount's per-mount options (rw/ro, nosuid, nodev, noexec, ...). */
}
