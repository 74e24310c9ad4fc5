package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.DeviceBind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.Step;
import org.ocichroothook.plan.SysfsBind;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A symlink inside a container's directory, where teardown expects a directory, must never lead an
 * unmount outside the chroot: a sandbox that can write in its chroot could otherwise make poststop
 * unmount host mounts. Each test mounts a tmpfs outside the state directory (the "host" mount),
 * points a link at it, and checks it is still mounted afterwards.
 */
class TeardownSymlinkIT {
  private static final String BUNDLE = "/srv/bundles/demo";

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private Path host;
  private final Syscalls sys = SyscallsFactory.create();
  private final InProcess hook = InProcess.real();

  @BeforeEach
  void setUp() throws Exception {
    host = Files.createDirectories(base.toRealPath().resolve("host"));
  }

  @AfterEach
  void tearDown() throws Exception {
    // Everything mounted below the test's directory, the state directory's tmpfs included, deepest
    // first: the temporary directory's removal must not wander into a mount left behind.
    List<MountEntry> mounts = MountTable.read().atOrBelow(base.toRealPath());
    for (int i = mounts.size() - 1; i >= 0; i--) {
      sys.umount2(mounts.get(i).mountPoint().toString(), Linux.MNT_DETACH);
    }
  }

  /** Mounts a tmpfs at {@code host/relative} holding a file, the host's own mount. */
  private Path hostMount(String relative) throws Exception {
    Path at = Files.createDirectories(host.resolve(relative));
    sys.mount("tmpfs", at.toString(), "tmpfs", 0, null);
    Files.writeString(at.resolve("precious"), "host data");
    return at;
  }

  private void assertStillMounted(Path at) throws Exception {
    assertTrue(MountTable.read().isMountPoint(at), at + " was unmounted");
    assertEquals("host data", Files.readString(at.resolve("precious")));
  }

  private static MountPlan plan(String id, String platform, Step... mounts) {
    return new MountPlan(new ContainerId(id), platform, List.of(mounts));
  }

  @Test
  void poststopDoesNotUnmountThroughASymlinkedRoot() throws Exception {
    Path hostProc = hostMount("proc");
    Layout layout = new Layout(dir.stateDir(), new ContainerId("s1"));
    MountPlan plan = plan("s1", "ptrace", new ProcMount());
    Files.createDirectories(layout.containerDir());
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, Path.of(BUNDLE), null).withIntent(plan.mounts().get(0)).completed());
    Files.createSymbolicLink(layout.root(), host);

    Result r = poststop("s1");
    assertEquals(0, r.code(), r.stderr());
    assertStillMounted(hostProc);
    assertFalse(Files.exists(layout.containerDir(), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void poststopDoesNotUnmountThroughASymlinkedDirectoryInsideTheRoot() throws Exception {
    Path hostKvm = hostMount("kvm");
    assertEquals(0, prestart("s2", "kvm").code());
    Path root = dir.root("s2");
    // What a sandbox could do in a chroot that is not sealed (one of the previous release, or one
    // someone remounted read-write): move dev aside and put a link to the host in its place.
    dir.unseal("s2");
    Files.move(root.resolve("dev"), root.resolve("dev-moved"));
    Files.createSymbolicLink(root.resolve("dev"), host);

    Result r = poststop("s2");
    assertEquals(0, r.code(), r.stderr());
    assertStillMounted(hostKvm);
    assertTrue(
        MountTable.read().atOrBelow(dir.containerDir("s2")).isEmpty(),
        "the real mounts, wherever they were moved inside the chroot, are gone");
    assertFalse(Files.exists(dir.containerDir("s2")));
  }

  @Test
  void prestartsRebuildDoesNotUnmountThroughASymlink() throws Exception {
    Path hostKvm = hostMount("kvm");
    Layout layout = new Layout(dir.stateDir(), new ContainerId("s3"));
    MountPlan plan =
        plan("s3", "kvm", new ProcMount(), new DeviceBind(Path.of("/dev/kvm"), Path.of("dev/kvm")));
    Files.createDirectories(layout.root());
    // An incomplete journal, as a killed prestart leaves it, with dev a link to the host.
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, Path.of(BUNDLE), null)
            .withIntent(plan.mounts().get(0))
            .withIntent(plan.mounts().get(1)));
    Files.createSymbolicLink(layout.root().resolve("dev"), host);

    Result r = prestart("s3", "kvm");
    assertEquals(0, r.code(), r.stderr());
    assertStillMounted(hostKvm);
    assertTrue(Files.isDirectory(layout.root().resolve("dev"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(
        List.of(
            layout.root(),
            layout.root().resolve("proc"),
            layout.root().resolve("runsc"),
            layout.root().resolve("dev/kvm")),
        MountTable.read().atOrBelow(layout.containerDir()).stream()
            .map(MountEntry::mountPoint)
            .toList());
    assertEquals(0, poststop("s3").code());
  }

  @Test
  void aMountNamedThroughAnIntermediateLinkDeeperDownIsLeftAlone() throws Exception {
    // The journal names a/b/c: a is a real directory, b a link to the host, c the host's mount.
    Path hostC = hostMount("c");
    Layout layout = new Layout(dir.stateDir(), new ContainerId("s4"));
    MountPlan plan = plan("s4", "ptrace", new SysfsBind(Path.of("/sys/kernel"), Path.of("a/b/c")));
    Files.createDirectories(layout.root().resolve("a"));
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, Path.of(BUNDLE), null).withIntent(plan.mounts().get(0)));
    Files.createSymbolicLink(layout.root().resolve("a/b"), host);

    assertEquals(
        ChrootRemover.Outcome.REMOVED,
        new ChrootRemover(sys, "poststop").remove(layout, Path.of(BUNDLE)));
    assertStillMounted(hostC);
  }

  private Result prestart(String id, String platform) {
    return hook.stage(dir, "prestart", id, BUNDLE, platform);
  }

  private Result poststop(String id) {
    return hook.stage(dir, "poststop", id, BUNDLE, null);
  }
}
