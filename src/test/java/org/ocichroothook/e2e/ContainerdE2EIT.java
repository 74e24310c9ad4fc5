package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocichroothook.Command;
import org.ocichroothook.Fixtures;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;

/**
 * containerd (Debian's package) with the runc shim (io.containerd.runc.v2), driven by {@code ctr}:
 * a throwaway instance with its own root, state and sockets under this test's directory, running a
 * bundle whose config.json got the hook through {@code hook inject}. The chroot exists while the
 * task runs and goes when the task is deleted; when the shim is killed with SIGKILL, containerd's
 * cleanup of the dead shim ({@code runc delete --force}) still runs poststop and the chroot goes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class ContainerdE2EIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LAUNCHER =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath();
  private static final List<String> TOOLS =
      List.of(
          "/usr/bin/containerd",
          "/usr/bin/ctr",
          "/usr/bin/containerd-shim-runc-v2",
          "/usr/sbin/runc",
          "/usr/bin/runsc",
          "/usr/bin/busybox");
  private static final Map<String, String> PATH =
      Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

  private Path base;
  private Path socket;
  private Path rootfs;
  private TestStateDir hookState;
  private Process containerd;
  private final String platform = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "ptrace";

  @BeforeAll
  void startContainerd() throws Exception {
    List<String> missing = TOOLS.stream().filter(t -> !Files.isExecutable(Path.of(t))).toList();
    if (!missing.isEmpty()) {
      throw new AssertionError("containerd tests need " + missing + "; ./run-tests installs them");
    }
    // Short: containerd's and the shim's socket paths must fit in 108 bytes.
    base = Path.of("/tmp/och-ctd-" + ProcessHandle.current().pid());
    Command.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of(), null);
    Files.createDirectory(
        base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    hookState = TestStateDir.create(base.resolve("hook"));
    Files.writeString(
        hookState.config(),
        """
        {"stateDir": "%s", "executable": "/usr/bin/runsc", "logFile": "%s"}
        """
            .formatted(hookState.stateDir(), hookState.logFile()));
    buildRootfs();
    socket = base.resolve("c.sock");
    Path config = base.resolve("containerd.toml");
    // Only what ctr needs: no CRI plugin (it would want CNI), everything under base.
    Files.writeString(
        config,
        """
        version = 2
        root = "%s/root"
        state = "%s/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "%s"
        [ttrpc]
          address = "%s.ttrpc"
        """
            .formatted(base, base, socket, socket));
    ProcessBuilder pb =
        new ProcessBuilder("/usr/bin/containerd", "--config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("containerd.log").toFile());
    pb.environment().putAll(PATH);
    containerd = pb.start();
    for (int i = 0; i < 200 && ctr("version").code() != 0; i++) {
      Thread.sleep(100);
    }
    ctr("version").ok();
  }

  @AfterAll
  void stopContainerd() throws Exception {
    if (containerd != null) {
      for (String id : List.of("och-ctd-1", "och-ctd-2")) {
        ctr("task", "kill", "-s", "SIGKILL", id);
        ctr("task", "delete", "-f", id);
        ctr("container", "rm", id);
      }
      for (ProcessHandle shim : shims(null)) {
        shim.destroyForcibly();
      }
      containerd.destroy();
      if (!containerd.waitFor(30, TimeUnit.SECONDS)) {
        containerd.destroyForcibly();
      }
    }
    if (hookState != null) {
      hookState.close();
    }
    if (base != null) {
      // What containerd left mounted below its root (none with --config bundles; lazily anyway).
      List<MountEntry> left = MountTable.read().atOrBelow(base);
      for (int i = left.size() - 1; i >= 0; i--) {
        Command.run(
            List.of("/bin/umount", "-l", left.get(i).mountPoint().toString()), Map.of(), null);
      }
      Command.run(List.of("/bin/rm", "-rf", "--one-file-system", base.toString()), Map.of(), null);
    }
  }

  @Test
  void theChrootLivesWhileTheTaskRunsAndGoesWithTheTask() throws Exception {
    String before = TestStateDir.mountinfo();
    String id = "och-ctd-1";
    Path bundle = injectedBundle(id);
    ctr("run", "-d", "--config", bundle.resolve("config.json").toString(), id).ok();
    assertChroot(id);

    ctr("task", "kill", "-s", "SIGKILL", id).ok();
    awaitTaskStatus(id, "STOPPED");
    // containerd runs poststop when the task is deleted, not when its process exits.
    assertChroot(id);
    ctr("task", "delete", id).ok();
    assertNoChroot(id);
    ctr("container", "rm", id).ok();
    assertEquals(before, TestStateDir.mountinfo());
    assertEquals(Set.of(), chroots());
  }

  @Test
  void aShimKilledWithSigkillStillGetsPoststopFromContainerdsCleanup() throws Exception {
    String before = TestStateDir.mountinfo();
    String id = "och-ctd-2";
    Path bundle = injectedBundle(id);
    ctr("run", "-d", "--config", bundle.resolve("config.json").toString(), id).ok();
    assertChroot(id);
    List<ProcessHandle> shims = shims(id);
    assertEquals(1, shims.size(), "one shim for " + id);
    shims.get(0).destroyForcibly(); // SIGKILL
    for (int i = 0; i < 300 && Files.exists(hookState.containerDir(id)); i++) {
      Thread.sleep(100);
    }
    assertNoChroot(id);
    assertTrue(ctr("task", "ls").ok().stdout().lines().noneMatch(l -> l.startsWith(id + " ")));
    ctr("container", "rm", id).ok();
    assertEquals(before, TestStateDir.mountinfo());
  }

  /** A runc bundle running busybox sleep, asking for the platform, with the hook injected. */
  private Path injectedBundle(String id) throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle-" + id));
    ObjectNode config =
        (ObjectNode) JSON.readTree(Fixtures.dir().resolve("bundle/runc-spec.config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    process.putArray("args").add("sleep").add("1000");
    config.putObject("root").put("path", rootfs.toString()).put("readonly", true);
    config.putObject("annotations").put("dev.gvisor.flag.platform", platform);
    JSON.writeValue(bundle.resolve("config.json").toFile(), config);
    Command.Result inject =
        Command.run(
                List.of(
                    LAUNCHER.toString(),
                    "inject",
                    "--config",
                    hookState.config().toString(),
                    bundle.toString()),
                Map.of(),
                null)
            .ok();
    assertEquals("added the hook to " + bundle.resolve("config.json"), inject.stdout());
    return bundle;
  }

  private void assertChroot(String id) throws Exception {
    Path root = hookState.root(id);
    assertTrue(Files.isDirectory(root), "no chroot for " + id + "; hook log: " + hookLog());
    Set<String> entries;
    try (Stream<Path> s = Files.list(root)) {
      entries = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    List<Path> points =
        MountTable.read().atOrBelow(hookState.containerDir(id)).stream()
            .map(MountEntry::mountPoint)
            .toList();
    if (platform.equals("kvm")) {
      assertEquals(Set.of("proc", "runsc", "dev"), entries);
      assertEquals(
          List.of(root, root.resolve("proc"), root.resolve("runsc"), root.resolve("dev/kvm")),
          points);
    } else {
      assertEquals(Set.of("proc", "runsc"), entries);
      assertEquals(List.of(root, root.resolve("proc"), root.resolve("runsc")), points);
    }
  }

  private void assertNoChroot(String id) throws IOException {
    assertTrue(
        !Files.exists(hookState.containerDir(id)),
        "chroot of " + id + " still exists; hook log: " + hookLog());
    assertEquals(List.of(), MountTable.read().atOrBelow(hookState.containerDir(id)));
  }

  private Set<String> chroots() throws IOException {
    try (Stream<Path> s = Files.list(hookState.stateDir())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(".lock"))
          .collect(Collectors.toSet());
    }
  }

  private void awaitTaskStatus(String id, String status) throws Exception {
    String list = "";
    for (int i = 0; i < 300; i++) {
      list = ctr("task", "ls").ok().stdout();
      if (list.lines().anyMatch(l -> l.startsWith(id + " ") && l.endsWith(status))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("task " + id + " not " + status + ": " + list);
  }

  /** This instance's runc shims (of container {@code id}, or all when null), from /proc. */
  private List<ProcessHandle> shims(String id) {
    List<ProcessHandle> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              List<String> args = cmdline(p.pid());
              if (!args.isEmpty()
                  && args.get(0).endsWith("containerd-shim-runc-v2")
                  && args.contains(socket.toString())
                  && (id == null || args.contains(id))) {
                found.add(p);
              }
            });
    return found;
  }

  private static List<String> cmdline(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private Command.Result ctr(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/ctr", "--address", socket.toString()));
    command.addAll(List.of(args));
    return Command.run(command, PATH, null);
  }

  private String hookLog() throws IOException {
    return Files.exists(hookState.logFile()) ? Files.readString(hookState.logFile()) : "";
  }

  private void buildRootfs() throws IOException {
    rootfs = base.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("bin/busybox"));
    for (String applet : List.of("sh", "sleep")) {
      Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
  }
}
