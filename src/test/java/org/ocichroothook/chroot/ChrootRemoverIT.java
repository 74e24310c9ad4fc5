package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.ReadOnlyBind;
import org.ocichroothook.plan.Seal;
import org.ocichroothook.plan.TmpfsRoot;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/** Teardown from what a killed prestart leaves behind, and the tree remover's refusals. */
class ChrootRemoverIT {
  private static final Path BUNDLE = Path.of("/srv/bundles/demo");

  /** What prestart records for gc; Hook always passes one. */
  private static final Journal.Origin ORIGIN =
      new Journal.Origin(null, null, Instant.EPOCH, "test");

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final Syscalls sys = SyscallsFactory.create();

  /** Poststop removes the container's directory and leaves mountinfo as it was {@code before}. */
  private void assertPoststopRemovesEverything(Layout layout, String before) throws Exception {
    assertEquals(
        ChrootRemover.Outcome.REMOVED, new ChrootRemover(sys, "poststop").remove(layout, BUNDLE));
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aHookKilledBetweenTwoMountsLeavesEverythingRemovable() throws Exception {
    String before = TestStateDir.mountinfo();
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k1"));
    // What prestart leaves when killed right after recording the executable's intent: proc is
    // mounted, the executable's target file exists, unmounted, and the journal is not complete.
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "ptrace",
            List.of(new ProcMount(), new ReadOnlyBind(dir.executable(), Path.of("runsc"))));
    Files.createDirectories(layout.root().resolve("proc"));
    Files.createFile(layout.root().resolve("runsc"));
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, BUNDLE, null)
            .withIntent(plan.mounts().get(0))
            .withIntent(plan.mounts().get(1)));
    sys.mount("proc", layout.root().resolve("proc").toString(), "proc", 0xe, null);

    assertPoststopRemovesEverything(layout, before);
  }

  @Test
  void aHookKilledWithEveryIntentJournaledAndOnlySomeMountsMadeLeavesEverythingRemovable()
      throws Exception {
    String before = TestStateDir.mountinfo();
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k3"));
    // Prestart journals every intent before its first mount: killed after the root's tmpfs, the
    // journal also names proc and the executable, whose targets were never made.
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "ptrace",
            List.of(
                new TmpfsRoot(1 << 20, 64),
                new ProcMount(),
                new ReadOnlyBind(dir.executable(), Path.of("runsc")),
                Seal.DEFAULT));
    Files.createDirectories(layout.root());
    JournalFile.write(layout.journal(), Journal.intending(plan, BUNDLE, ORIGIN));
    sys.mount("tmpfs", layout.root().toString(), "tmpfs", TmpfsRoot.FLAGS, "mode=0755");

    assertPoststopRemovesEverything(layout, before);
  }

  @Test
  void aHookKilledRightAfterItsJournalLeavesEverythingRemovable() throws Exception {
    String before = TestStateDir.mountinfo();
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k4"));
    // Killed between the journal's write and the root directory's creation: every intent is
    // recorded and nothing was made.
    MountPlan plan =
        new MountPlan(layout.id(), "ptrace", List.of(new TmpfsRoot(1 << 20, 64), new ProcMount()));
    Files.createDirectories(layout.containerDir());
    JournalFile.write(layout.journal(), Journal.intending(plan, BUNDLE, ORIGIN));

    assertPoststopRemovesEverything(layout, before);
  }

  @Test
  void aHookKilledBeforeTheSealLeavesEverythingRemovable() throws Exception {
    String before = TestStateDir.mountinfo();
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k2"));
    // Killed after proc, before the seal: the root's tmpfs and proc on it are mounted, the
    // journal records both and is not complete.
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "ptrace",
            List.of(new TmpfsRoot(1 << 20, 64), new ProcMount(), Seal.DEFAULT));
    Files.createDirectories(layout.root());
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, BUNDLE, null)
            .withIntent(plan.mounts().get(0))
            .withIntent(plan.mounts().get(1)));
    sys.mount("tmpfs", layout.root().toString(), "tmpfs", TmpfsRoot.FLAGS, "mode=0755");
    Files.createDirectory(layout.root().resolve("proc"));
    sys.mount("proc", layout.root().resolve("proc").toString(), "proc", ProcMount.FLAGS, null);

    assertPoststopRemovesEverything(layout, before);
  }

  @Test
  void prestartRebuildsAnIncompleteChroot() throws Exception {
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k2"));
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "ptrace",
            List.of(new ProcMount(), new ReadOnlyBind(dir.executable(), Path.of("runsc"))));
    Files.createDirectories(layout.root().resolve("proc"));
    JournalFile.write(
        layout.journal(), Journal.start(plan, BUNDLE, null).withIntent(plan.mounts().get(0)));
    sys.mount("proc", layout.root().resolve("proc").toString(), "proc", 0xe, null);

    assertEquals(
        ChrootBuilder.Outcome.BUILT, new ChrootBuilder(sys).build(layout, plan, BUNDLE, ORIGIN));
    assertEquals(
        2, MountTable.read().atOrBelow(layout.containerDir()).size(), "exactly one chroot");
    assertTrue(JournalFile.read(layout.journal()).realizes(plan));
    assertEquals(
        ChrootBuilder.Outcome.ALREADY_PRESENT,
        new ChrootBuilder(sys).build(layout, plan, BUNDLE, ORIGIN));
    new ChrootRemover(sys, "poststop").remove(layout, BUNDLE);
  }

  @Test
  void theTreeRemoverNeverDeletesThroughAMountPoint() throws Exception {
    Path host = Files.createDirectory(base.resolve("host"));
    Files.writeString(host.resolve("precious"), "host data");
    Path victimDir = Files.createDirectories(dir.stateDir().resolve("x/sub"));
    Files.writeString(dir.stateDir().resolve("x/own-file"), "ours");
    sys.mount(host.toString(), victimDir.toString(), null, MountFlags.MS_BIND, null);
    try {
      List<String> errors = TreeRemover.remove(dir.stateDir(), "x", MountTable.read());
      assertEquals(List.of("not removing " + victimDir + ": it is a mount point"), errors);
      assertEquals("host data", Files.readString(host.resolve("precious")));
      assertFalse(
          Files.exists(dir.stateDir().resolve("x/own-file")), "what was not behind the mount went");
      assertTrue(Files.exists(victimDir));
    } finally {
      sys.umount2(victimDir.toString(), Linux.MNT_DETACH);
    }
  }

  @Test
  void theTreeRemoverRemovesSymlinksWithoutFollowingThem() throws Exception {
    Path host = Files.createDirectory(base.resolve("host"));
    Files.writeString(host.resolve("precious"), "host data");
    Path x = Files.createDirectories(dir.stateDir().resolve("x"));
    Files.createSymbolicLink(x.resolve("link-to-dir"), host);
    Files.createSymbolicLink(x.resolve("link-to-file"), host.resolve("precious"));
    assertEquals(List.of(), TreeRemover.remove(dir.stateDir(), "x", MountTable.read()));
    assertFalse(Files.exists(x));
    assertEquals("host data", Files.readString(host.resolve("precious")));
  }

  @Test
  void nestedMountsThatTheJournalDidNotRecordAreSweptFromMountinfo() throws Exception {
    Layout layout = new Layout(dir.stateDir(), new ContainerId("k3"));
    MountPlan plan = new MountPlan(layout.id(), "ptrace", List.of(new ProcMount()));
    Path proc = Files.createDirectories(layout.root().resolve("proc"));
    JournalFile.write(layout.journal(), Journal.start(plan, BUNDLE, null));
    // A journal that recorded no intent yet, and a mount stacked inside another: mountinfo alone
    // tells teardown what to unmount, deepest first.
    sys.mount("tmpfs", proc.toString(), "tmpfs", 0, null);
    Path inner = Files.createDirectory(proc.resolve("inner"));
    sys.mount("tmpfs", inner.toString(), "tmpfs", 0, null);
    assertEquals(
        ChrootRemover.Outcome.REMOVED, new ChrootRemover(sys, "poststop").remove(layout, BUNDLE));
    assertFalse(Files.exists(layout.containerDir()));
  }
}
