package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/** prestart and poststop with real mounts, in the test JVM's private mount namespace. */
class HookIT {
  private static final String BUNDLE = "/srv/bundles/demo";

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  @Test
  void kvmPrestartBuildsExactlyTheMinimalChroot() throws Exception {
    ok(prestart("c1", "kvm"));
    assertEquals(Set.of("journal.json", "root"), names(dir.containerDir("c1")));
    assertEquals(Set.of("proc", "runsc", "dev"), names(dir.root("c1")));
    assertEquals(Set.of("kvm"), names(dir.root("c1").resolve("dev")));
    assertEquals("rwx--x--x", mode(dir.containerDir("c1")));
    assertEquals("rwxr-xr-x", mode(dir.root("c1")));
    assertEquals("root", Files.getOwner(dir.root("c1")).getName());

    List<MountEntry> mounts = MountTable.read().atOrBelow(dir.containerDir("c1"));
    assertEquals(
        List.of(
            dir.root("c1"),
            dir.root("c1").resolve("proc"),
            dir.root("c1").resolve("runsc"),
            dir.root("c1").resolve("dev/kvm")),
        mounts.stream().map(MountEntry::mountPoint).toList());
    MountEntry root = mounts.get(0);
    assertEquals("tmpfs", root.fsType());
    assertTrue(
        root.optionList().containsAll(List.of("ro", "nosuid", "nodev", "noexec")), root.options());
    MountEntry proc = mounts.get(1);
    assertEquals("proc", proc.fsType());
    assertTrue(
        proc.optionList().containsAll(List.of("ro", "nosuid", "nodev", "noexec")), proc.options());
    MountEntry exe = mounts.get(2);
    assertTrue(exe.root().endsWith("/bin/sandbox"), exe.root());
    assertTrue(exe.optionList().containsAll(List.of("ro", "nosuid", "nodev")), exe.options());
    assertFalse(exe.optionList().contains("rw"), exe.options());
    MountEntry kvm = mounts.get(3);
    assertEquals("/kvm", kvm.root());
    assertTrue(kvm.optionList().containsAll(List.of("nosuid", "noexec")), kvm.options());
    assertFalse(kvm.optionList().contains("nodev"), "a device must stay usable: " + kvm.options());
    assertEquals(
        Files.readString(dir.executable()), Files.readString(dir.root("c1").resolve("runsc")));
  }

  @Test
  void ptracePrestartBindsNoDevice() throws Exception {
    ok(prestart("c1", "ptrace"));
    assertEquals(Set.of("proc", "runsc"), names(dir.root("c1")));
    List<MountEntry> mounts = MountTable.read().atOrBelow(dir.containerDir("c1"));
    assertEquals(3, mounts.size());
    assertTrue(mounts.stream().noneMatch(m -> m.mountPoint().toString().contains("kvm")));
  }

  @Test
  void noAnnotationUsesTheDefaultPlatform() throws Exception {
    ok(
        hook.run(
            TestStateDir.state("c1", "created", BUNDLE, null),
            "--config",
            dir.config().toString()));
    assertEquals(Set.of("proc", "runsc"), names(dir.root("c1")), "default ptrace: no device");
  }

  @Test
  void writingThroughTheExecutableBindFailsWithEROFS() throws Exception {
    ok(prestart("c1", "kvm"));
    Path inChroot = dir.root("c1").resolve("runsc");
    FileSystemException e =
        assertThrows(FileSystemException.class, () -> Files.writeString(inChroot, "overwritten"));
    assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
    assertThrows(
        FileSystemException.class,
        () ->
            Files.setPosixFilePermissions(inChroot, PosixFilePermissions.fromString("rwxrwxrwx")));
    assertEquals(
        "#!/bin/sh\necho sandbox\n",
        Files.readString(dir.executable()),
        "the host file is unchanged");
  }

  @Test
  void poststopLeavesMountinfoExactlyAsBeforeAndTheDirectoryGone() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));
    assertFalse(before.equals(TestStateDir.mountinfo()));
    ok(poststop("c1"));
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(Set.of(".lock"), names(dir.stateDir()));
  }

  @Test
  void bothStagesAreIdempotent() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));
    String once = TestStateDir.mountinfo();
    byte[] journal = Files.readAllBytes(dir.containerDir("c1").resolve("journal.json"));
    ok(
        hook.run(
            TestStateDir.state("c1", "created", BUNDLE, "kvm"),
            "--config",
            dir.config().toString(),
            "createRuntime"));
    assertEquals(once, TestStateDir.mountinfo(), "a second prestart mounts nothing more");
    assertArrayEquals(journal, Files.readAllBytes(dir.containerDir("c1").resolve("journal.json")));
    ok(poststop("c1"));
    ok(poststop("c1"));
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void stageComesFromStatusWhenNotGiven() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(
        hook.run(
            TestStateDir.state("c1", "creating", BUNDLE, "kvm"),
            "--config",
            dir.config().toString()));
    assertTrue(Files.isDirectory(dir.root("c1")));
    ok(
        hook.run(
            TestStateDir.state("c1", "stopped", BUNDLE, "kvm"),
            "--config",
            dir.config().toString()));
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void aMissingDeviceHalfwayLeavesNothingBehind() throws Exception {
    String before = TestStateDir.mountinfo();
    Result r = prestart("c1", "broken");
    assertEquals(1, r.code());
    assertTrue(r.oneStderrLine(), r.stderr());
    assertEquals(
        "oci-chroot-hook: device "
            + TestStateDir.MISSING_DEVICE
            + " for platform broken: no such file\n",
        r.stderr());
    assertEquals(
        before, TestStateDir.mountinfo(), "proc, the executable and /dev/null were unmounted");
    assertFalse(Files.exists(dir.containerDir("c1"), LinkOption.NOFOLLOW_LINKS));
    String log = Files.readString(dir.logFile());
    assertTrue(log.contains("[c1] prestart: mounted /dev/null at "), "it got that far: " + log);
  }

  @Test
  void aMissingExecutableAfterProcIsMountedLeavesNothingBehind() throws Exception {
    String before = TestStateDir.mountinfo();
    dir.writeConfig("/nonexistent/runsc");
    Result r = prestart("c1", "ptrace");
    assertEquals(1, r.code());
    assertEquals("oci-chroot-hook: executable /nonexistent/runsc: no such file\n", r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aSymlinkPlantedAsTheContainerDirectoryIsRefusedAndNotFollowed() throws Exception {
    Path victim = Files.createDirectory(base.resolve("victim"));
    Files.writeString(victim.resolve("precious"), "host data");
    Files.createSymbolicLink(dir.containerDir("c1"), victim);
    String before = TestStateDir.mountinfo();

    Result pre = prestart("c1", "kvm");
    assertEquals(1, pre.code(), pre.stderr());
    assertTrue(pre.stderr().contains("is not a directory (a symlink?)"), pre.stderr());
    Result post = poststop("c1");
    assertEquals(1, post.code(), post.stderr());

    assertEquals(before, TestStateDir.mountinfo());
    assertEquals(Set.of("precious"), names(victim));
    assertEquals("host data", Files.readString(victim.resolve("precious")));
    assertTrue(Files.isSymbolicLink(dir.containerDir("c1")), "left for the operator to inspect");
  }

  @Test
  void teardownNeverDeletesTheFilesOfAHostDirectoryBoundUnderTheChroot() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));
    Path host = Files.createDirectory(base.resolve("hostdata"));
    Files.writeString(host.resolve("precious"), "host data");
    dir.unseal("c1");
    Path extra = Files.createDirectory(dir.root("c1").resolve("extra"));
    Syscalls sys = SyscallsFactory.create();
    sys.mount(host.toString(), extra.toString(), null, MountFlags.MS_BIND, null);
    // and a second one stacked over proc
    sys.mount(
        host.toString(), dir.root("c1").resolve("proc").toString(), null, MountFlags.MS_BIND, null);
    assertEquals(Set.of("precious"), names(extra));

    ok(poststop("c1"));
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("host data", Files.readString(host.resolve("precious")));
  }

  @Test
  void aBusyMountIsDetachedLazilyAndTeardownStillCompletes() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));
    // An open file on the executable's bind mount makes a plain umount2 fail with EBUSY.
    try (java.nio.channels.FileChannel busy =
        java.nio.channels.FileChannel.open(dir.root("c1").resolve("runsc"))) {
      ok(poststop("c1"));
      assertEquals(before, TestStateDir.mountinfo(), "detached although busy");
      assertFalse(Files.exists(dir.containerDir("c1"), LinkOption.NOFOLLOW_LINKS));
      assertTrue(busy.isOpen());
    }
    String log = Files.readString(dir.logFile());
    assertTrue(
        log.contains(
            "[c1] poststop: " + dir.root("c1").resolve("runsc") + " was busy; detached it lazily"),
        log);
  }

  @Test
  void poststopOfAnotherBundleRefusesAndLeavesTheChrootIntact() throws Exception {
    String before = TestStateDir.mountinfo();
    ok(prestart("c1", "kvm"));
    String built = TestStateDir.mountinfo();
    Result r =
        hook.run(
            TestStateDir.state("c1", "stopped", "/srv/bundles/other", "kvm"),
            "--config",
            dir.config().toString(),
            "poststop");
    assertEquals(1, r.code());
    assertEquals(
        "oci-chroot-hook: "
            + dir.containerDir("c1")
            + " belongs to bundle "
            + BUNDLE
            + ", not /srv/bundles/other: refusing to remove it\n",
        r.stderr());
    assertEquals(built, TestStateDir.mountinfo());
    Result pre =
        hook.run(
            TestStateDir.state("c1", "creating", "/srv/bundles/other", "kvm"),
            "--config",
            dir.config().toString(),
            "prestart");
    assertEquals(1, pre.code());
    assertTrue(pre.stderr().contains("belongs to bundle " + BUNDLE), pre.stderr());
    ok(poststop("c1"));
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void twoContainersGetSeparateChrootsAndRemovingOneKeepsTheOther() throws Exception {
    ok(prestart("c1", "kvm"));
    ok(prestart("c2", "ptrace"));
    ok(poststop("c1"));
    assertFalse(Files.exists(dir.containerDir("c1")));
    assertEquals(3, MountTable.read().atOrBelow(dir.containerDir("c2")).size());
    assertEquals(Set.of("proc", "runsc"), names(dir.root("c2")));
    ok(poststop("c2"));
  }

  @Test
  void aStateDirectoryThatIsNotAMountPointIsMadeAPrivateOneOnce() throws Exception {
    Path shared = Files.createDirectory(base.resolve("shared"));
    Syscalls sys = SyscallsFactory.create();
    sys.mount("tmpfs", shared.toString(), "tmpfs", 0, null);
    sys.mount(null, shared.toString(), null, 0x100000 /* MS_SHARED */, null);
    try {
      assertTrue(MountTable.read().topmostAt(shared).propagates(), "precondition: a shared parent");
      Path stateDir = shared.resolve("state");
      Files.writeString(
          dir.config(),
          Files.readString(dir.config()).replace(dir.stateDir().toString(), stateDir.toString()));
      ok(prestart("c1", "ptrace"));
      ok(prestart("c2", "ptrace"));
      List<MountEntry> own =
          MountTable.read().entries().stream()
              .filter(e -> e.mountPoint().equals(stateDir))
              .toList();
      assertEquals(1, own.size(), "bound onto itself once: " + own);
      assertFalse(own.get(0).propagates(), "private: " + own.get(0).optionalFields());
      ok(poststop("c1"));
      ok(poststop("c2"));
      assertEquals(Set.of(".lock"), names(stateDir));
    } finally {
      sys.umount2(shared.toString(), Linux.MNT_DETACH);
    }
  }

  @Test
  void everyActionIsLoggedWithTheContainerId() throws Exception {
    ok(prestart("c1", "kvm"));
    ok(poststop("c1"));
    List<String> lines = Files.readAllLines(dir.logFile());
    assertTrue(lines.size() >= 9, String.join("\n", lines));
    for (String line : lines) {
      assertTrue(line.contains("[c1] "), "each line names the container: " + line);
    }
    assertNotNull(
        lines.stream().filter(l -> l.contains("poststop: removed")).findFirst().orElse(null));
  }

  private Result prestart(String id, String platform) {
    return hook.stage(dir, "prestart", id, BUNDLE, platform);
  }

  private Result poststop(String id) {
    return hook.stage(dir, "poststop", id, BUNDLE, null);
  }

  private static void ok(Result r) {
    assertEquals(0, r.code(), "stderr: " + r.stderr());
    assertEquals("", r.stderr());
  }

  static Set<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /** A mount's per-mount options (rw/ro, nosuid, nodev, noexec, ...). */
}
