package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A teardown that stops midway (killed, or failing on one entry) must leave the journal, the last
 * thing it removes: without it the next teardown would have to refuse the directory as one the hook
 * did not make. Found by SIGKILL at every unlink/rmdir of a rebuild.
 */
class TeardownResumeIT {
  private static final Path BUNDLE = Path.of("/srv/bundles/demo");

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final Syscalls sys = SyscallsFactory.create();

  @Test
  void theJournalIsRemovedLast() throws Exception {
    Layout layout = new Layout(dir.stateDir(), new ContainerId("r1"));
    MountPlan plan = new MountPlan(layout.id(), "ptrace", List.of(new ProcMount()));
    Files.createDirectories(layout.root().resolve("proc"));
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, BUNDLE, null).withIntent(plan.mounts().get(0)).completed());
    // A mount that this teardown's view of mountinfo does not show, so removing root fails (EBUSY)
    // after the tree remover has gone through the rest of the container directory.
    Path hidden = Files.createDirectories(layout.root().resolve("hidden"));
    sys.mount("tmpfs", hidden.toString(), "tmpfs", 0, null);
    ProcFs blind =
        new ProcFs() {
          @Override
          public Path whereIs(int fd) throws IOException {
            return ProcFs.REAL.whereIs(fd);
          }

          @Override
          public String mountinfo() {
            return "";
          }
        };

    ChrootException e =
        assertThrows(
            ChrootException.class,
            () -> new ChrootRemover(sys, blind, "poststop").remove(layout, BUNDLE));
    assertTrue(e.getMessage().contains(hidden.toString()), e.getMessage());
    assertTrue(Files.exists(layout.journal()), "the journal stays while anything else is left");

    sys.umount2(hidden.toString(), Linux.UMOUNT_NOFOLLOW);
    assertEquals(
        ChrootRemover.Outcome.REMOVED, new ChrootRemover(sys, "poststop").remove(layout, BUNDLE));
    assertFalse(Files.exists(layout.containerDir()));
  }
}
