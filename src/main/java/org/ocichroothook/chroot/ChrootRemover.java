package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.MNT_DETACH;
import static org.ocichroothook.sys.Linux.UMOUNT_NOFOLLOW;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
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
  private final ProcFs proc;
  private final Beneath beneath;
  private final String stage;

  /**
   * @param stage what the log lines say is tearing down: poststop, prestart (undoing its own work
   *     or a chroot it rebuilds) or gc
   */
  public ChrootRemover(Syscalls sys, String stage) {
    this(sys, ProcFs.REAL, stage);
  }

  ChrootRemover(Syscalls sys, ProcFs proc, String stage) {
    this.sys = sys;
    this.proc = proc;
    this.beneath = new Beneath(sys);
    this.stage = stage;
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
      LOG.info("[{}] {}: no chroot at {}, nothing to do", id, stage, dir);
      return Outcome.ABSENT;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new ChrootException(dir + " is not a directory (a symlink?): refusing to touch it");
    }
    Journal journal = readJournal(layout);
    if (journal == null) {
      requireNothingButJournalLeftovers(layout);
    } else if (bundle != null && !journal.bundle().equals(bundle)) {
      throw new ChrootException(
          dir
              + " belongs to bundle "
              + journal.bundle()
              + ", not "
              + bundle
              + ": refusing to remove it");
    }
    // A set: a mount that fails the same way on every pass is reported once.
    Set<String> errors = new LinkedHashSet<>();
    MountTable left;
    if (journal == null) {
      // The hook writes the journal before it makes anything else: with none, it mounted nothing.
      left = readTable(dir);
    } else {
      int stateFd = openStateDir(layout);
      try {
        // Recorded mounts first, latest first, each until umount2 says it is no mount point
        // (EINVAL): that also peels stacked mounts, without reading mountinfo, which costs
        // milliseconds per read on a host with thousands of mounts. The sweep below reads it once
        // to prove the result.
        for (int i = journal.mounts().size() - 1; i >= 0; i--) {
          Path target = Path.of(id, "root").resolve(journal.mounts().get(i).target());
          for (int pass = 0;
              pass < MAX_PASSES && unmountOnce(layout, stateFd, target, errors);
              pass++) {
            // each pass takes one mount off the stack
          }
        }
        left = sweep(layout, stateFd, errors);
      } finally {
        beneath.close(stateFd);
      }
    }
    List<MountEntry> still = left.atOrBelow(dir);
    if (!still.isEmpty()) {
      for (MountEntry e : still) {
        errors.add("still mounted: " + e.mountPoint());
      }
      throw ChrootException.of(
          "teardown of " + dir + " stopped before removing anything", List.copyOf(errors));
    }
    errors.addAll(removeJournalLast(layout, left));
    if (!errors.isEmpty()) {
      throw ChrootException.of("teardown of " + dir, List.copyOf(errors));
    }
    LOG.info("[{}] {}: removed {}", id, stage, dir);
    return Outcome.REMOVED;
  }

  /**
   * Without a journal the hook made at most the empty directory (and perhaps the journal's
   * temporary file, if it was killed while writing the first journal): anything else there is not
   * the hook's to remove.
   */
  private static void requireNothingButJournalLeftovers(Layout layout) throws ChrootException {
    Path dir = layout.containerDir();
    List<Path> names = new ArrayList<>(names(dir));
    names.remove(JournalFile.temporary(layout.journal()).getFileName());
    if (!names.isEmpty()) {
      throw new ChrootException(
          dir
              + " has no journal but holds "
              + names.size()
              + (names.size() == 1 ? " entry" : " entries")
              + ": the hook did not make it; refusing to remove it");
    }
  }

  /**
   * Removes the container directory, its journal last: a teardown killed midway then leaves a
   * directory that still has its journal, which the next teardown trusts, rather than one that the
   * next teardown must refuse as not the hook's.
   */
  private static List<String> removeJournalLast(Layout layout, MountTable mounts)
      throws ChrootException {
    Path dir = layout.containerDir();
    Path journal = layout.journal().getFileName();
    List<String> errors = new ArrayList<>();
    for (Path name : names(dir)) {
      if (!name.equals(journal)) {
        errors.addAll(TreeRemover.remove(dir, name.toString(), mounts));
      }
    }
    if (errors.isEmpty()) {
      errors.addAll(TreeRemover.remove(dir, journal.toString(), mounts));
    }
    if (errors.isEmpty()) {
      errors.addAll(TreeRemover.remove(layout.stateDir(), layout.id().value(), mounts));
    }
    return errors;
  }

  /** The names in {@code dir}, a real directory that only root can write. */
  private static List<Path> names(Path dir) throws ChrootException {
    List<Path> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        names.add(entry.getFileName());
      }
    } catch (IOException e) {
      throw new ChrootException("list " + dir + ": " + e, e);
    }
    return names;
  }

  private Journal readJournal(Layout layout) throws ChrootException {
    try {
      return JournalFile.read(layout.journal());
    } catch (IOException e) {
      throw new ChrootException(unverified(layout, e), e);
    } catch (BadInputException e) {
      throw ChrootException.badJournal(unverified(layout, e), e);
    }
  }

  private static String unverified(Layout layout, Exception e) {
    return "cannot verify who owns "
        + layout.containerDir()
        + ": "
        + e.getMessage()
        + ": refusing to remove it";
  }

  private int openStateDir(Layout layout) throws ChrootException {
    try {
      return beneath.openTrusted(layout.stateDir());
    } catch (SyscallException e) {
      throw new ChrootException("state directory " + layout.stateDir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Unmounts whatever mountinfo still lists below the container's directory, deepest and latest
   * first, until nothing is left, a pass takes nothing off, or the passes run out.
   */
  private MountTable sweep(Layout layout, int stateFd, Set<String> errors) throws ChrootException {
    Path dir = layout.containerDir();
    for (int pass = 0; ; pass++) {
      MountTable table = readTable(dir);
      List<MountEntry> below = table.atOrBelow(dir);
      if (below.isEmpty() || pass == MAX_PASSES) {
        return table;
      }
      boolean progress = false;
      for (int i = below.size() - 1; i >= 0; i--) {
        Path relative = layout.stateDir().relativize(below.get(i).mountPoint());
        progress |= unmountOnce(layout, stateFd, relative, errors);
      }
      if (!progress) {
        return table; // nothing came off: the next pass would fail the same way
      }
    }
  }

  /**
   * Unmounts the topmost mount at {@code relative} (below the state directory) without following a
   * symlink: its parent is opened one component at a time, must be where mountinfo would list it,
   * and the last component is named through the parent's descriptor with UMOUNT_NOFOLLOW. A
   * descriptor of the mount point itself would pin the mount (EBUSY); one of its parent does not.
   *
   * @return whether a mount was taken off; false once there is none (or it cannot be reached)
   */
  private boolean unmountOnce(Layout layout, int stateFd, Path relative, Set<String> errors) {
    String id = layout.id().value();
    Path target = layout.stateDir().resolve(relative);
    Path parent = relative.getParent();
    int fd;
    try {
      fd = beneath.openDirectory(stateFd, parent == null ? Path.of("") : parent);
    } catch (SyscallException e) {
      if (e.errno() == Errnos.ENOENT) {
        return false; // never made: nothing mounted there
      }
      if (Beneath.metSymlink(e)) {
        // Whatever that link names is outside the chroot; what is really mounted inside it is in
        // mountinfo, and the sweep takes it from there.
        LOG.warn("[{}] {}: not following a symlink on the way to {}", id, stage, target);
        return false;
      }
      errors.add(e.getMessage() + " [target " + target + "]");
      return false;
    }
    try {
      Path where = proc.whereIs(fd);
      if (!where.equals(target.getParent())) {
        errors.add(
            "not unmounting "
                + target
                + ": its directory is now at "
                + where
                + ", not where it was made");
        return false;
      }
      String path = Beneath.procPath(fd) + "/" + relative.getFileName();
      return unmountOnce(path, target, id, errors);
    } catch (IOException e) {
      errors.add("readlink " + Beneath.procPath(fd) + ": " + e + " [target " + target + "]");
      return false;
    } finally {
      beneath.close(fd);
    }
  }

  private boolean unmountOnce(String path, Path target, String id, Set<String> errors) {
    try {
      sys.umount2(path, UMOUNT_NOFOLLOW);
      LOG.info("[{}] {}: unmounted {}", id, stage, target);
      return true;
    } catch (SyscallException e) {
      if (e.errno() == Errnos.EINVAL || e.errno() == Errnos.ENOENT) {
        return false; // not (or no longer) a mount point: already done
      }
      if (e.errno() != Errnos.EBUSY) {
        errors.add(e.getMessage() + " [target " + target + "]");
        return false;
      }
    }
    try {
      sys.umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
      LOG.warn("[{}] {}: {} was busy; detached it lazily", id, stage, target);
      return true;
    } catch (SyscallException e) {
      if (e.errno() != Errnos.EINVAL && e.errno() != Errnos.ENOENT) {
        errors.add(e.getMessage() + " [target " + target + "]");
      } // else gone meanwhile: done
      return false;
    }
  }

  private MountTable readTable(Path dir) throws ChrootException {
    try {
      return proc.mountsBelow(dir);
    } catch (IOException e) {
      throw new ChrootException("read " + MountTable.SELF + ": " + e, e);
    }
  }
}
