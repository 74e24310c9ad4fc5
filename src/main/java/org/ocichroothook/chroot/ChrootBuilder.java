package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.S_IFDIR;
import static org.ocichroothook.sys.Linux.S_IFMT;
import static org.ocichroothook.sys.Linux.isDevice;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.PlannedMount;
import org.ocichroothook.sys.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a {@link MountPlan}: creates the container directory and its journal, then for each
 * mount records the intent, creates the target and mounts it symlink-safely. Idempotent: a chroot
 * that already realizes the plan is left as it is; a partial one is torn down and built again. Any
 * failure undoes everything this run did before it is reported.
 */
public final class ChrootBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(ChrootBuilder.class);

  /** {@code <id>}: only root may list it; the sandbox reaches its root through it. */
  private static final int CONTAINER_DIR_MODE = 0711;

  /** {@code root} and the directories below it that lead to mount targets. */
  private static final int DIRECTORY_MODE = 0755;

  private final SafeMount safeMount;
  private final ChrootRemover remover;
  private final ProcFs proc;

  public ChrootBuilder(Syscalls sys) {
    this(sys, ProcFs.REAL);
  }

  ChrootBuilder(Syscalls sys, ProcFs proc) {
    this.safeMount = new SafeMount(sys, proc);
    this.remover = new ChrootRemover(sys, proc);
    this.proc = proc;
  }

  public enum Outcome {
    BUILT,
    ALREADY_PRESENT
  }

  /** Builds without an origin: a version-1 journal, which gives gc no evidence but the bundle. */
  public Outcome build(Layout layout, MountPlan plan, Path bundle) throws ChrootException {
    return build(layout, plan, bundle, null);
  }

  /**
   * @param origin recorded in the journal (version 2) for gc: the container's pid, when it began
   */
  public Outcome build(Layout layout, MountPlan plan, Path bundle, Journal.Origin origin)
      throws ChrootException {
    String id = layout.id().value();
    if (Files.exists(layout.containerDir(), LinkOption.NOFOLLOW_LINKS)) {
      if (alreadyRealized(layout, plan, bundle)) {
        LOG.info("[{}] prestart: chroot {} already set up, nothing to do", id, layout.root());
        return Outcome.ALREADY_PRESENT;
      }
      LOG.info("[{}] prestart: removing {} before building it again", id, layout.containerDir());
      remover.remove(layout, bundle);
    }
    try {
      perform(layout, plan, bundle, origin);
    } catch (ChrootException | RuntimeException e) {
      try {
        remover.remove(layout, null);
      } catch (ChrootException rollback) {
        throw new ChrootException(
            e.getMessage() + "; rollback failed too: " + rollback.getMessage(), e);
      }
      throw e;
    }
    LOG.info("[{}] prestart: chroot ready at {} (platform {})", id, layout.root(), plan.platform());
    return Outcome.BUILT;
  }

  private boolean alreadyRealized(Layout layout, MountPlan plan, Path bundle)
      throws ChrootException {
    Journal journal;
    try {
      journal = JournalFile.read(layout.journal());
    } catch (IOException e) {
      throw new ChrootException("cannot read " + layout.journal() + ": " + e.getMessage(), e);
    } catch (BadInputException e) {
      throw ChrootException.badJournal(
          "cannot read " + layout.journal() + ": " + e.getMessage(), e);
    }
    if (journal != null && !journal.bundle().equals(bundle)) {
      throw new ChrootException(
          layout.containerDir()
              + " belongs to bundle "
              + journal.bundle()
              + ", not "
              + bundle
              + ": refusing to touch it");
    }
    if (journal == null || !journal.realizes(plan)) {
      return false;
    }
    String tampered = tampered(layout, plan);
    if (tampered != null) {
      LOG.warn("[{}] prestart: {}", layout.id().value(), tampered);
      return false;
    }
    try {
      MountTable table = proc.mountsBelow(layout.containerDir());
      return journal.mounts().stream().allMatch(e -> table.isMountPoint(layout.inRoot(e.target())));
    } catch (IOException e) {
      throw new ChrootException("read " + MountTable.SELF + ": " + e, e);
    }
  }

  /**
   * What is wrong with the owner or mode of a directory this hook made for the chroot, or null.
   * Such a chroot is built again rather than refused: the journal says exactly what the hook made
   * and teardown removes it without following anything, so rebuilding returns a chroot the hook can
   * vouch for without anyone's help, whereas a directory that others could write may hold whatever
   * they put there meanwhile, and repairing modes in place would vouch for that too.
   */
  private static String tampered(Layout layout, MountPlan plan) throws ChrootException {
    Map<Path, Integer> expected = new LinkedHashMap<>();
    expected.put(layout.containerDir(), CONTAINER_DIR_MODE);
    expected.put(layout.root(), DIRECTORY_MODE);
    for (PlannedMount mount : plan.mounts()) {
      for (Path p = mount.target().getParent(); p != null; p = p.getParent()) {
        expected.put(layout.inRoot(p), DIRECTORY_MODE);
      }
    }
    for (Map.Entry<Path, Integer> e : expected.entrySet()) {
      Path dir = e.getKey();
      Map<String, Object> attrs;
      try {
        attrs = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
      } catch (IOException ex) {
        return "cannot stat " + dir + " (" + ex + "); building the chroot again";
      }
      int mode = (Integer) attrs.get("mode");
      int uid = (Integer) attrs.get("uid");
      if ((mode & S_IFMT) != S_IFDIR || uid != 0 || (mode & 07777) != e.getValue()) {
        return String.format(
            "%s is %s owned by uid %d with mode %04o, not a directory owned by root with mode %04o"
                + ": building the chroot again",
            dir,
            (mode & S_IFMT) == S_IFDIR ? "a directory" : "not a directory",
            uid,
            mode & 07777,
            e.getValue());
      }
    }
    return null;
  }

  private void perform(Layout layout, MountPlan plan, Path bundle, Journal.Origin origin)
      throws ChrootException {
    String id = layout.id().value();
    Journal journal = Journal.start(plan, bundle, origin);
    createDirectory(layout.containerDir(), CONTAINER_DIR_MODE);
    writeJournal(layout, journal);
    createDirectory(layout.root(), DIRECTORY_MODE);
    for (PlannedMount mount : plan.mounts()) {
      checkSource(mount, plan.platform());
      journal = journal.withIntent(mount);
      writeJournal(layout, journal);
      Path target = layout.inRoot(mount.target());
      createTarget(layout.root(), mount);
      MountKind kind = mount.kind();
      String fstype = kind == MountKind.PROC ? "proc" : null;
      safeMount.mount(mount.source(), target, kind.directory(), fstype, kind.mountFlags());
      if (kind.remountFlags() != 0) {
        safeMount.remount(target, kind.directory(), kind.remountFlags());
      }
      LOG.info(
          "[{}] prestart: mounted {} at {} ({}, flags 0x{}{})",
          id,
          mount.source(),
          target,
          kind.wireName(),
          Long.toHexString(kind.mountFlags()),
          kind.remountFlags() == 0 ? "" : ", remount 0x" + Long.toHexString(kind.remountFlags()));
    }
    writeJournal(layout, journal.completed());
  }

  private static void checkSource(PlannedMount mount, String platform) throws ChrootException {
    Path source = Path.of(mount.source());
    try {
      switch (mount.kind()) {
        case EXECUTABLE -> {
          if (!Files.readAttributes(source, BasicFileAttributes.class).isRegularFile()) {
            throw new ChrootException("executable " + source + ": not a regular file");
          }
        }
        case DEVICE -> {
          int mode = (Integer) Files.getAttribute(source, "unix:mode");
          if (!isDevice(mode)) {
            throw new ChrootException(
                "device " + source + " for platform " + platform + ": not a device file");
          }
        }
        case PROC -> {}
      }
    } catch (NoSuchFileException e) {
      String what = mount.kind() == MountKind.DEVICE ? "device" : "executable";
      throw new ChrootException(
          what
              + " "
              + source
              + (mount.kind() == MountKind.DEVICE ? " for platform " + platform : "")
              + ": no such file",
          e);
    } catch (IOException e) {
      throw new ChrootException("stat " + source + ": " + e, e);
    }
  }

  /**
   * Creates the target and any missing parents below the root, refusing anything but a real dir.
   */
  private static void createTarget(Path root, PlannedMount mount) throws ChrootException {
    Path dir = root;
    Path target = mount.target();
    for (int i = 0; i < target.getNameCount() - 1; i++) {
      dir = dir.resolve(target.getName(i));
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        createDirectory(dir, DIRECTORY_MODE);
      }
    }
    Path path = root.resolve(target);
    try {
      if (mount.kind().directory()) {
        Files.createDirectory(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r-xr-xr-x"));
      } else {
        Files.createFile(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--r--r--"));
      }
    } catch (FileAlreadyExistsException e) {
      throw new ChrootException("mount target " + path + " already exists", e);
    } catch (IOException e) {
      throw new ChrootException("create " + path + ": " + e, e);
    }
  }

  private static void createDirectory(Path dir, int mode) throws ChrootException {
    try {
      Files.createDirectory(dir);
      Files.setAttribute(dir, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    } catch (FileAlreadyExistsException e) {
      throw new ChrootException(dir + " already exists", e);
    } catch (IOException e) {
      throw new ChrootException("mkdir " + dir + ": " + e, e);
    }
  }

  private static void writeJournal(Layout layout, Journal journal) throws ChrootException {
    try {
      JournalFile.write(layout.journal(), journal);
    } catch (IOException e) {
      throw new ChrootException("write " + layout.journal() + ": " + e, e);
    }
  }
}
