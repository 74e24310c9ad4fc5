package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.MNT_DETACH;
import static org.ocichroothook.sys.Linux.UMOUNT_NOFOLLOW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ocichroothook.json.BadInputException;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teardown: unmounts everything under a container's directory, proves from mountinfo that nothing
 * is left mounted there, and only then removes the directory. It runs every step it safely can,
 * collects every error and reports them together, and is idempotent: a second run, or a run for a
 * container that never had a chroot, finds nothing to do.
 */
public final class ChrootRemover {
  private static final Logger LOG = LoggerFactory.getLogger(ChrootRemover.class);

  /** Stacked mounts on one target are peeled one per pass; more than this is not ours. */
  private static final int MAX_PASSES = 8;

  private final Syscalls sys;

  public ChrootRemover(Syscalls sys) {
    this.sys = sys;
  }

  public enum Outcome {
    REMOVED,
    ABSENT
  }

  /**
   * Tears down {@code layout}'s container directory.
   *
   * @param bundle the bundle of the container asking; teardown refuses a directory recorded for
   *     another bundle. Null skips that check (rollback of this very run).
   */
  public Outcome remove(Layout layout, Path bundle) throws ChrootException {
    Path dir = layout.containerDir();
    String id = layout.id().value();
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      LOG.info("[{}] poststop: no chroot at {}, nothing to do", id, dir);
      return Outcome.ABSENT;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new ChrootException(dir + " is not a directory (a symlink?): refusing to touch it");
    }
    Journal journal = readJournal(layout);
    if (journal != null && bundle != null && !journal.bundle().equals(bundle)) {
      throw new ChrootException(
          dir
              + " belongs to bundle "
              + journal.bundle()
              + ", not "
              + bundle
              + ": refusing to remove it");
    }
    List<String> errors = new ArrayList<>();
    if (journal != null) {
      // Recorded mounts first, latest first, each until umount2 says it is no mount point (EINVAL):
      // that also peels stacked mounts, without reading mountinfo, which costs milliseconds per
      // read
      // on a host with thousands of mounts. The sweep below reads it once to prove the result.
      for (int i = journal.mounts().size() - 1; i >= 0; i--) {
        Path target = layout.inRoot(journal.mounts().get(i).target());
        for (int pass = 0; pass < MAX_PASSES && unmountOnce(target, id, errors); pass++) {
          // each pass takes one mount off the stack
        }
      }
    }
    MountTable left = sweep(dir, id, errors);
    List<MountEntry> still = left.atOrBelow(dir);
    if (!still.isEmpty()) {
      for (MountEntry e : still) {
        errors.add("still mounted: " + e.mountPoint());
      }
      throw ChrootException.of("teardown of " + dir + " stopped before removing anything", errors);
    }
    errors.addAll(TreeRemover.remove(layout.stateDir(), id, left));
    if (!errors.isEmpty()) {
      throw ChrootException.of("teardown of " + dir, errors);
    }
    LOG.info("[{}] poststop: removed {}", id, dir);
    return Outcome.REMOVED;
  }

  private Journal readJournal(Layout layout) throws ChrootException {
    try {
      return JournalFile.read(layout.journal());
    } catch (IOException | BadInputException e) {
      throw new ChrootException(
          "cannot verify who owns "
              + layout.containerDir()
              + ": "
              + e.getMessage()
              + ": refusing to remove it",
          e);
    }
  }

  /** Unmounts whatever mountinfo still lists below {@code dir}, deepest and latest first. */
  private MountTable sweep(Path dir, String id, List<String> errors) throws ChrootException {
    for (int pass = 0; ; pass++) {
      MountTable table = readTable(dir);
      List<MountEntry> below = table.atOrBelow(dir);
      if (below.isEmpty() || pass == MAX_PASSES) {
        return table;
      }
      for (int i = below.size() - 1; i >= 0; i--) {
        unmountOnce(below.get(i).mountPoint(), id, errors);
      }
    }
  }

  private boolean unmountOnce(Path target, String id, List<String> errors) {
    String path = target.toString();
    try {
      sys.umount2(path, UMOUNT_NOFOLLOW);
      LOG.info("[{}] poststop: unmounted {}", id, path);
      return true;
    } catch (SyscallException e) {
      if (e.errno() == Errnos.EINVAL || e.errno() == Errnos.ENOENT) {
        return false; // not (or no longer) a mount point: already done
      }
      if (e.errno() != Errnos.EBUSY) {
        errors.add(e.getMessage());
        return false;
      }
    }
    try {
      sys.umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
      LOG.warn("[{}] poststop: {} was busy; detached it lazily", id, path);
      return true;
    } catch (SyscallException e) {
      errors.add(e.getMessage());
      return false;
    }
  }

  private static MountTable readTable(Path dir) throws ChrootException {
    try {
      return MountTable.readBelow(dir);
    } catch (IOException e) {
      throw new ChrootException("read " + MountTable.SELF + ": " + e, e);
    }
  }
}
