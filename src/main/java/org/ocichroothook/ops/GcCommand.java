package org.ocichroothook.ops;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.chroot.ChrootRemover;
import org.ocichroothook.chroot.Layout;
import org.ocichroothook.chroot.StateDirectory;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Syscalls;
import org.slf4j.LoggerFactory;

/**
 * {@code oci-chroot-hook gc [--dry-run] [--min-age DURATION]}: removes orphaned chroots with
 * poststop's own teardown. Each chroot is judged and removed under the state directory's lock, the
 * one every hook takes, so gc never races a prestart or a poststop; the lock is taken per chroot,
 * so a sweep of many never holds a starting container up for long.
 */
final class GcCommand {
  private GcCommand() {}

  /** 0 when everything gc decided to remove is gone, 1 otherwise. */
  static int run(
      Path configuredStateDir,
      boolean dryRun,
      Duration minAge,
      Syscalls sys,
      PrintStream out,
      PrintStream err)
      throws ChrootException {
    if (!Files.isDirectory(configuredStateDir)) {
      out.println("no state directory " + configuredStateDir + ": nothing to collect");
      return 0;
    }
    Path stateDir;
    try {
      stateDir = configuredStateDir.toRealPath();
    } catch (java.io.IOException e) {
      throw new ChrootException("state directory " + configuredStateDir + ": " + e, e);
    }
    ChrootScanner listing = new ChrootScanner(stateDir, ProcessStart.host(), Instant.now());
    int failed = 0;
    int removed = 0;
    int kept = 0;
    for (String id : listing.ids(null)) {
      if (dryRun) {
        Verdict v = look(stateDir, id).evidence().decide(minAge);
        out.println((v.remove() ? "would remove " : "would keep ") + id + ": " + v.reason());
        continue;
      }
      try (StateDirectory locked = StateDirectory.openExisting(configuredStateDir, sys)) {
        if (locked == null) {
          break; // the whole directory went away
        }
        Chroot chroot = look(locked.path(), id);
        Verdict v = chroot.evidence().decide(minAge);
        if (!v.remove()) {
          kept++;
          out.println("kept " + id + ": " + v.reason());
          continue;
        }
        LoggerFactory.getLogger(GcCommand.class).info("[{}] gc: removing, {}", id, v.reason());
        try {
          Layout layout = new Layout(locked.path(), new ContainerId(id));
          ChrootRemover.Outcome outcome =
              new ChrootRemover(sys, "gc").remove(layout, chroot.journal().bundle());
          removed++;
          out.println(
              (outcome == ChrootRemover.Outcome.ABSENT ? "already gone " : "removed ")
                  + id
                  + ": "
                  + v.reason());
        } catch (ChrootException e) {
          failed++;
          out.println("failed to remove " + id + ": " + v.reason() + ": " + e.getMessage());
          LoggerFactory.getLogger(GcCommand.class).error("[{}] gc: {}", id, e.getMessage());
        }
      }
    }
    for (String problem : listing.problems()) {
      err.println(Operations.NAME + ": gc: " + problem);
    }
    if (!dryRun) {
      LoggerFactory.getLogger(GcCommand.class)
          .info("gc: removed {}, kept {}, failed {}", removed, kept, failed);
    }
    return failed == 0 ? 0 : 1;
  }

  /** Looks at one chroot afresh (under the caller's lock, unless a dry run). */
  private static Chroot look(Path stateDir, String id) {
    return new ChrootScanner(stateDir, ProcessStart.host(), Instant.now()).inspect(id, null);
  }
}
