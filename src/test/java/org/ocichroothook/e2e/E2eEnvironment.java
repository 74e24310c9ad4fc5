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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ocichroothook.Command;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.chroot.MountEntry;
import org.ocichroothook.chroot.MountTable;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * What the end-to-end tests share: the tools (a missing one fails the test, never skips it), a
 * busybox image built here (no registry is reachable), the hook's own state directory and
 * configuration, and hooks.d directories that register the hook from this checkout plus a
 * state-capturing hook.
 */
final class E2eEnvironment implements AutoCloseable {
  static final String ANNOTATION = "dev.gvisor.flag.platform";
  private static final ObjectMapper JSON = new ObjectMapper();
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

  final Path base;
  final TestStateDir hookState;
  final Path rootfs;
  private Path cgroupWorkaround;

  private E2eEnvironment(Path base, TestStateDir hookState) {
    this.base = base;
    this.hookState = hookState;
    this.rootfs = base.resolve("rootfs");
  }

  static E2eEnvironment create(String name) throws Exception {
    List<String> missing = TOOLS.stream().filter(t -> !Files.isExecutable(Path.of(t))).toList();
    if (!missing.isEmpty()) {
      throw new AssertionError("end-to-end tests need " + missing + "; ./run-tests installs them");
    }
    // Short on purpose: with a long runroot, podman's asynchronous cleanup after a kill silently
    // never runs (conmon's socket paths outgrow the 108 bytes a unix socket path may have).
    Path base = Path.of("/tmp/och-" + name + "-" + ProcessHandle.current().pid());
    Command.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of(), null);
    Files.createDirectory(
        base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    E2eEnvironment env = new E2eEnvironment(base, TestStateDir.create(base.resolve("hook")));
    Files.writeString(
        env.hookState.config(),
        """
        {"stateDir": "%s", "executable": "/usr/bin/runsc", "logFile": "%s"}
        """
            .formatted(env.hookState.stateDir(), env.hookState.logFile()));
    env.buildRootfs();
    return env;
  }

  /** A busybox root filesystem: the static binary and one link per applet. */
  private void buildRootfs() throws IOException {
    Files.createDirectories(rootfs.resolve("bin"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("bin/busybox"));
    String applets =
        Command.run(List.of("/usr/bin/busybox", "--list"), Map.of(), null).ok().stdout();
    for (String applet : applets.split("\n")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
      }
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
  }

  /**
   * A hooks.d directory with the repository's file, its path pointed at this checkout's launcher
   * and the test configuration, and a capture hook under the same condition writing to {@code
   * capture}.
   */
  Path hooksDir(String name, Path capture) throws IOException {
    Path dir = Files.createDirectories(base.resolve("hooks.d-" + name));
    Files.createDirectories(capture);
    ObjectNode hook =
        (ObjectNode) JSON.readTree(REPO.resolve("packaging/hooks.d/oci-chroot-hook.json").toFile());
    ObjectNode exec = (ObjectNode) hook.get("hook");
    exec.put("path", LAUNCHER.toString());
    exec.putArray("args").add("oci-chroot-hook").add("--config").add(hookState.config().toString());
    JSON.writeValue(dir.resolve("oci-chroot-hook.json").toFile(), hook);
    ObjectNode capturing = hook.deepCopy();
    ObjectNode captureExec = (ObjectNode) capturing.get("hook");
    captureExec.put("path", REPO.resolve("src/test/sh/capture-state").toString());
    captureExec.putArray("args").add("capture-state").add(capture.toString());
    JSON.writeValue(dir.resolve("zz-capture-state.json").toFile(), capturing);
    return dir;
  }

  /**
   * crun 1.8 refuses a hybrid cgroup layout whose v2 side holds controllers. Mounting those
   * controllers as a v1 hierarchy, in this JVM's private mount namespace, moves them off the v2
   * side while the mount lives; the kernel gives them back once it is gone. Nothing to do
   * elsewhere.
   */
  void applyCrunCgroupWorkaround() throws Exception {
    Path controllers = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
    if (!Files.exists(controllers)) {
      return;
    }
    String list = Files.readString(controllers).trim().replace(' ', ',');
    if (list.isEmpty()) {
      return;
    }
    cgroupWorkaround = Files.createDirectories(base.resolve("cgroup-v1-" + list.replace(',', '-')));
    SyscallsFactory.create().mount("cgroup", cgroupWorkaround.toString(), "cgroup", 0, list);
  }

  /** The chroot directories that exist now. */
  Set<String> chroots() throws IOException {
    try (Stream<Path> s = Files.list(hookState.stateDir())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(".lock"))
          .collect(Collectors.toSet());
    }
  }

  /**
   * Asserts the chroot of {@code id}: exactly the expected entries and mounts for {@code platform}.
   */
  void assertChroot(String id, String platform) throws Exception {
    Path root = hookState.root(id);
    Set<String> entries;
    try (Stream<Path> s = Files.list(root)) {
      entries = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    List<MountEntry> mounts = MountTable.read().atOrBelow(hookState.containerDir(id));
    List<Path> points = mounts.stream().map(MountEntry::mountPoint).toList();
    if (platform.equals("kvm")) {
      assertEquals(Set.of("proc", "runsc", "dev"), entries);
      assertEquals(
          List.of(root.resolve("proc"), root.resolve("runsc"), root.resolve("dev/kvm")), points);
      assertTrue(
          mounts.get(2).optionList().containsAll(List.of("nosuid", "noexec")),
          mounts.get(2).options());
    } else {
      assertEquals(Set.of("proc", "runsc"), entries);
      assertEquals(List.of(root.resolve("proc"), root.resolve("runsc")), points);
    }
    assertEquals("proc", mounts.get(0).fsType());
    assertTrue(
        mounts.get(0).optionList().containsAll(List.of("nosuid", "nodev", "noexec")),
        mounts.get(0).options());
    assertTrue(
        mounts.get(1).optionList().containsAll(List.of("ro", "nosuid", "nodev")),
        mounts.get(1).options());
    assertEquals("/usr/bin/runsc", mounts.get(1).root());
  }

  void assertNoChroot(String id) throws IOException {
    assertFalse(Files.exists(hookState.containerDir(id)), "chroot of " + id + " still exists");
    assertEquals(List.of(), MountTable.read().atOrBelow(hookState.containerDir(id)));
  }

  /** Waits up to 30 s for the chroot of {@code id} to be gone (podman cleans up asynchronously). */
  void awaitNoChroot(String id) throws Exception {
    for (int i = 0; i < 300 && Files.exists(hookState.containerDir(id)); i++) {
      Thread.sleep(100);
    }
    assertNoChroot(id);
  }

  /** Every state captured so far, parsed by the hook's own reader: what real runtimes sent. */
  static List<ContainerState> captured(Path capture) throws Exception {
    List<ContainerState> states = new ArrayList<>();
    try (Stream<Path> s = Files.list(capture)) {
      for (Path f : s.sorted().toList()) {
        states.add(StateReader.read(new ByteArrayInputStream(Files.readAllBytes(f))));
      }
    }
    return states;
  }

  String hookLog() throws IOException {
    return Files.exists(hookState.logFile()) ? Files.readString(hookState.logFile()) : "";
  }

  @Override
  public void close() throws Exception {
    if (cgroupWorkaround != null) {
      SyscallsFactory.create().umount2(cgroupWorkaround.toString(), Linux.MNT_DETACH);
    }
    hookState.close();
  }
}
