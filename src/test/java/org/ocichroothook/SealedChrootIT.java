package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.chroot.ChrootBuilder;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.chroot.Layout;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.DeviceBind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.ReadOnlyBind;
import org.ocichroothook.plan.Seal;
import org.ocichroothook.plan.TmpfsRoot;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * The chroot of today's gVisor, with real mounts (issue 9): a sealed read-only tmpfs root, a
 * read-only procfs, configured files, /sys directories, an optional executable; and that it serves
 * its purpose, a static sandbox executable running inside it through chroot and pivot_root.
 */
class SealedChrootIT {
  private static final String BUNDLE = "/srv/bundles/sealed";

  /** What prestart records for gc; Hook always passes one. */
  private static final Journal.Origin ORIGIN =
      new Journal.Origin(null, null, Instant.EPOCH, "test");

  /** A regular host file that is always there: copied, it gives the chroot an etc directory. */
  private static final Path PASSWD = Path.of("/etc/passwd");

  /** A static program that reports what a sandbox sees (src/test/c/chroot-probe.c). */
  private static Path probe;

  @TempDir static Path build;
  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  @BeforeAll
  static void compileTheProbe() {
    probe = build.resolve("chroot-probe");
    Command.run(
            List.of(
                "gcc",
                "-static",
                "-O1",
                "-o",
                probe.toString(),
                Path.of("src/test/c/chroot-probe.c").toAbsolutePath().toString()),
            Map.of("PATH", "/usr/bin:/bin"),
            null)
        .ok();
  }

  /** Writes the configuration: {@code executable} (null for none), kvm and a sysfs platform. */
  private void configure(Path executable, ObjectNode... files) throws Exception {
    ObjectNode json =
        TestJson.object()
            .put("stateDir", dir.stateDir().toString())
            .put("logFile", dir.logFile().toString())
            .put("logLevel", "debug");
    if (executable == null) {
      json.putNull("executable");
    } else {
      json.put("executable", executable.toString());
    }
    ObjectNode platforms = json.putObject("platforms");
    platforms.putArray("kvm").add("/dev/kvm");
    platforms.putArray("ptrace");
    platforms.putArray("sysfs").add("/sys/kernel/mm").add("/dev/null");
    ArrayNode list = json.putArray("files");
    for (ObjectNode file : files) {
      list.add(file);
    }
    TestJson.write(dir.config(), json);
  }

  private static ObjectNode file(Path path, boolean optional) {
    return TestJson.object().put("path", path.toString()).put("optional", optional);
  }

  private Command.Result prestart(String id, String platform) {
    return hook.stage(dir, "prestart", id, BUNDLE, platform);
  }

  private Command.Result poststop(String id) {
    return hook.stage(dir, "poststop", id, BUNDLE, null);
  }

  private static void ok(Command.Result r) {
    assertEquals(0, r.code(), r.toString());
  }

  private List<MountEntry> mounts(String id) throws Exception {
    return MountTable.read().atOrBelow(dir.containerDir(id));
  }

  private static void assertOptions(MountEntry m, String... options) {
    assertTrue(m.optionList().containsAll(List.of(options)), m.mountPoint() + ": " + m.options());
  }

  private static void assertReadOnlyFileSystem(Path path) {
    FileSystemException e =
        assertThrows(
            FileSystemException.class, () -> Files.writeString(path, "x"), path.toString());
    assertTrue(e.getMessage().endsWith("Read-only file system"), e.getMessage());
  }

  @Test
  void theRootIsASealedTmpfsAndNothingCanBeCreatedInIt() throws Exception {
    configure(dir.executable(), file(PASSWD, false));
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));

    List<MountEntry> mounts = mounts("c1");
    MountEntry root = mounts.get(0);
    assertEquals(dir.root("c1"), root.mountPoint(), "the root is a mount point, pivot_root's need");
    assertEquals("tmpfs", root.fsType());
    assertOptions(root, "ro", "nosuid", "nodev", "noexec");
    assertTrue(root.superOptions().contains("mode=755"), root.superOptions());
    assertTrue(root.superOptions().contains("size="), root.superOptions());
    assertTrue(root.superOptions().contains("nr_inodes="), root.superOptions());
    assertEquals(
        "rwxr-xr-x",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(root.mountPoint())));
    MountEntry proc = mounts.get(1);
    assertEquals("proc", proc.fsType());
    assertOptions(proc, "ro", "nosuid", "nodev", "noexec");

    for (String p : List.of("new", "dev/new", "etc/new", "etc/passwd")) {
      assertReadOnlyFileSystem(dir.root("c1").resolve(p));
    }
    assertThrows(
        FileSystemException.class, () -> Files.createDirectory(dir.root("c1").resolve("newdir")));
    ok(poststop("c1"));
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void aConfiguredFileIsCopiedReadOnlyAndTheHostFileIsUntouched() throws Exception {
    Path etc = Files.createDirectories(base.resolve("etc"));
    Path hostFile = Files.write(etc.resolve("localtime"), new byte[] {'T', 'Z', 'i', 'f', 0, 1});
    FileTime modified = Files.getLastModifiedTime(hostFile);
    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(hostFile));
    configure(dir.executable(), file(hostFile, false), file(base.resolve("absent"), true));
    ok(prestart("c1", "ptrace"));

    Path copy = dir.root("c1").resolve(Path.of("/").relativize(hostFile));
    assertArrayEquals(Files.readAllBytes(hostFile), Files.readAllBytes(copy));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
    assertEquals(0, (Integer) Files.getAttribute(copy, "unix:uid"), "owned by root");
    assertReadOnlyFileSystem(copy);
    assertReadOnlyFileSystem(copy.resolveSibling("new"));
    assertFalse(
        Files.exists(dir.root("c1").resolve(Path.of("/").relativize(base.resolve("absent")))),
        "an optional missing file is skipped");
    assertEquals(modified, Files.getLastModifiedTime(hostFile));
    assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(hostFile)));
    ok(poststop("c1"));
    assertArrayEquals(new byte[] {'T', 'Z', 'i', 'f', 0, 1}, Files.readAllBytes(hostFile));
  }

  @Test
  void aRequiredMissingFileFailsPrestartAndLeavesNothing() throws Exception {
    Path missing = base.resolve("etc/no-such-file");
    configure(dir.executable(), file(missing, false));
    String before = TestStateDir.mountinfo();
    Command.Result r = prestart("c1", "kvm");
    assertEquals(1, r.code(), r.toString());
    assertEquals(
        "oci-chroot-hook: file " + missing + " (in \"files\"): no such file\n", r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void aSymlinkAsAFileIsRefused() throws Exception {
    Path target = Files.writeString(base.resolve("real"), "x");
    Path link = Files.createSymbolicLink(base.resolve("link"), target);
    configure(dir.executable(), file(link, true));
    String before = TestStateDir.mountinfo();
    Command.Result r = prestart("c1", "ptrace");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("not a regular file (a symlink)"), r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void aFifoAsAFileIsRefusedWithoutBlocking() throws Exception {
    Path fifo = base.resolve("fifo");
    Command.run(List.of("/usr/bin/mkfifo", fifo.toString()), Map.of(), null).ok();
    configure(dir.executable(), file(fifo, true));
    String before = TestStateDir.mountinfo();
    long start = System.nanoTime();
    Command.Result r = prestart("c1", "ptrace");
    assertTrue(System.nanoTime() - start < 10_000_000_000L, "no wait for a writer");
    assertEquals(1, r.code(), r.toString());
    assertEquals(
        "oci-chroot-hook: file " + fifo + " (in \"files\"): not a regular file (a FIFO)\n",
        r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void aSysfsDirectoryIsBoundReadOnly() throws Exception {
    configure(dir.executable());
    ok(prestart("c1", "sysfs"));
    Path target = dir.root("c1").resolve("sys/kernel/mm");
    MountEntry sys = MountTable.read().topmostAt(target);
    assertEquals("sysfs", sys.fsType());
    assertEquals("/kernel/mm", sys.root());
    assertOptions(sys, "ro", "nosuid", "nodev", "noexec");
    try (var entries = Files.list(target)) {
      assertTrue(entries.findAny().isPresent(), "the host's directory shows through");
    }
    assertReadOnlyFileSystem(dir.root("c1").resolve("sys/new"));
    ok(poststop("c1"));
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void aNullExecutableBindsNone() throws Exception {
    configure(null);
    ok(prestart("c1", "ptrace"));
    assertFalse(Files.exists(dir.root("c1").resolve("runsc")));
    assertEquals(
        List.of(dir.root("c1"), dir.root("c1").resolve("proc")),
        mounts("c1").stream().map(MountEntry::mountPoint).toList());
    ok(poststop("c1"));
  }

  @Test
  void gvisorsStaticRunscRunsInsideTheSealedChroot() throws Exception {
    configure(Path.of("/usr/bin/runsc"));
    ok(prestart("c1", "ptrace"));
    Command.Result r =
        Command.run(
            List.of("/usr/sbin/chroot", dir.root("c1").toString(), "/runsc", "--version"),
            Map.of(),
            null);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.stdout().startsWith("runsc version "), r.stdout());
    ok(poststop("c1"));
  }

  @Test
  void aStaticExecutableSeesItsProcfsAndTheSealThroughChroot() throws Exception {
    configure(probe, file(PASSWD, false));
    ok(prestart("c1", "kvm"));
    Command.Result r =
        Command.run(
            List.of("/usr/sbin/chroot", dir.root("c1").toString(), "/runsc"), Map.of(), null);
    assertEquals(0, r.code(), r.toString());
    assertSandboxView(r.stdout());
    ok(poststop("c1"));
  }

  @Test
  void aStaticExecutableSeesItsProcfsAndTheSealThroughPivotRoot() throws Exception {
    configure(probe, file(PASSWD, false));
    ok(prestart("c1", "kvm"));
    Command.Result r =
        Command.run(List.of(probe.toString(), "pivot", dir.root("c1").toString()), Map.of(), null);
    assertEquals(0, r.code(), r.toString());
    assertSandboxView(r.stdout());
    ok(poststop("c1"));
  }

  /** What the probe says inside the chroot: its procfs works, nothing can be created, kvm opens. */
  private static void assertSandboxView(String out) {
    assertTrue(out.contains("exe=/runsc\n"), out);
    assertTrue(out.contains("stat-pid-matches=yes\n"), out);
    assertTrue(out.contains("create /probe=EROFS\n"), out);
    assertTrue(out.contains("write /proc/self/comm=EROFS\n"), "a read-only procfs: " + out);
    assertTrue(out.contains("create /dev/probe=EROFS\n"), out);
    assertTrue(out.contains("create /etc/probe=EROFS\n"), out);
    // A noexec, nodev root does not stop the device bind: it has its own flags.
    assertTrue(out.lines().anyMatch("kvm-api=12"::equals), out);
  }

  @Test
  void aSealThatStaysBusyIsRetriedAndRolledBack() throws Exception {
    Syscalls real = SyscallsFactory.create();
    int[] seals = {0};
    Syscalls busySeal =
        new Syscalls() {
          @Override
          public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
            return real.openat(dirfd, path, flags, mode);
          }

          @Override
          public void close(int fd) throws SyscallException {
            real.close(fd);
          }

          @Override
          public void mount(String source, String target, String fstype, long flags, String data)
              throws SyscallException {
            if (flags == Seal.FLAGS) {
              seals[0]++;
              throw new SyscallException("mount", Errnos.EBUSY, source, target, fstype, flags);
            }
            real.mount(source, target, fstype, flags, data);
          }

          @Override
          public void umount2(String target, int flags) throws SyscallException {
            real.umount2(target, flags);
          }
        };
    Layout layout = new Layout(dir.stateDir(), new ContainerId("c1"));
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "kvm",
            List.of(
                new TmpfsRoot(1 << 20, 64),
                new ProcMount(),
                new ReadOnlyBind(dir.executable(), Path.of("runsc")),
                new DeviceBind(Path.of("/dev/kvm"), Path.of("dev/kvm")),
                Seal.DEFAULT));
    String before = TestStateDir.mountinfo();
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () -> new ChrootBuilder(busySeal).build(layout, plan, Path.of(BUNDLE), ORIGIN));
    assertTrue(
        e.getMessage().startsWith("sealing " + layout.root() + " read-only failed 5 times: "),
        e.getMessage());
    assertEquals(5, seals[0]);
    assertEquals(before, TestStateDir.mountinfo(), "rolled back: nothing is left mounted");
    assertFalse(Files.exists(layout.containerDir()), "rolled back: nothing is left");
  }
}
