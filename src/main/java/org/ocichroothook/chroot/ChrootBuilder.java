package org.ocichroothook.chroot;

import static org.ocichroothook.plan.ProcMount.FALLBACK_FLAGS;
import static org.ocichroothook.plan.ProcMount.FALLBACK_REMOUNT_FLAGS;
import static org.ocichroothook.plan.ProcMount.FALLBACK_SOURCE;
import static org.ocichroothook.sys.Linux.S_IFDIR;
import static org.ocichroothook.sys.Linux.S_IFMT;
import static org.ocichroothook.sys.Linux.S_IFREG;
import static org.ocichroothook.sys.Linux.isDevice;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.ocichroothook.file.FileMode;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.file.TrustedOwner;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.BindStep;
import org.ocichroothook.plan.CopiedFile;
import org.ocichroothook.plan.DeviceBind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.MountStep;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.ReadOnlyBind;
import org.ocichroothook.plan.Seal;
import org.ocichroothook.plan.Step;
import org.ocichroothook.plan.SysfsBind;
import org.ocichroothook.plan.TmpfsRoot;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a {@link MountPlan}: creates the container directory and its journal, which records
 * every mount's intent before the first, then for each mount creates the target and mounts it
 * symlink-safely. Idempotent: a chroot that already realizes the plan is left as it is; a partial
 * one is torn down and built again. Any failure undoes everything this run did before it is
 * reported.
 */
public final class ChrootBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(ChrootBuilder.class);

  /** {@code <id>}: only root may list it; the sandbox reaches its root through it. */
  private static final int CONTAINER_DIR_MODE = 0711;

  /** {@code root} and the directories below it that lead to mount targets. */
  private static final int DIRECTORY_MODE = 0755;

  private static final Set<PosixFilePermission> READ = FileMode.permissions(0444);
  private static final Set<PosixFilePermission> READ_EXECUTE = FileMode.permissions(0555);

  private final Syscalls sys;
  private final SafeMount safeMount;
  private final ChrootRemover remover;
  private final ProcFs proc;

  public ChrootBuilder(Syscalls sys) {
    this(sys, ProcFs.REAL);
  }

  ChrootBuilder(Syscalls sys, ProcFs proc) {
    this.sys = sys;
    this.safeMount = new SafeMount(sys, proc);
    this.remover = new ChrootRemover(sys, proc, "prestart");
    this.proc = proc;
  }

  public enum Outcome {
    BUILT,
    ALREADY_PRESENT
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

  private static String id(Layout layout) {
    return layout.id().value();
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
      for (Journal.Entry e : journal.mounts()) {
        if (!table.isMountPoint(layout.inRoot(e.target()))) {
          return false;
        }
      }
      MountEntry root = table.topmostAt(layout.root());
      if (plan.sealed() && (root == null || !root.optionList().contains("ro"))) {
        LOG.warn(
            "[{}] prestart: {} is not sealed read-only; building it again",
            id(layout),
            layout.root());
        return false;
      }
      return true;
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
    for (MountStep mount : plan.mounts()) {
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
      if ((mode & S_IFMT) != S_IFDIR || !TrustedOwner.is(uid) || (mode & 07777) != e.getValue()) {
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
    // Every mount's intent, durably, before the first mount (and before the root exists).
    Journal journal = Journal.intending(plan, bundle, origin);
    createDirectory(layout.containerDir(), CONTAINER_DIR_MODE);
    writeJournal(layout, journal);
    createDirectory(layout.root(), DIRECTORY_MODE);
    for (Step step : plan.steps()) {
      if (step instanceof MountStep mount) {
        if (mount instanceof BindStep bind) {
          checkSource(bind, plan.platform());
        }
        mount(layout, mount);
      } else if (step instanceof CopiedFile file) {
        copy(layout, file);
      } else {
        // Step is sealed: MountStep, CopiedFile, Seal; a Step added there fails here, loudly.
        seal(layout, (Seal) step);
      }
    }
    writeJournal(layout, journal.completed());
  }

  private void mount(Layout layout, MountStep mount) throws ChrootException {
    String id = layout.id().value();
    Path target = layout.inRoot(mount.target());
    if (!(mount instanceof TmpfsRoot)) {
      createTarget(layout.root(), mount.target(), mount.directory());
    }
    if (mount instanceof ProcMount proc) {
      mountProc(layout, proc, target);
      return;
    }
    safeMount.mount(
        mount.source(), target, mount.directory(), mount.fsType(), mount.flags(), mount.data());
    if (mount.remountFlags() != 0) {
      safeMount.remount(target, mount.directory(), mount.remountFlags());
    }
    LOG.info(
        "[{}] prestart: mounted {} at {} ({}, flags 0x{}{})",
        id,
        mount.source(),
        target,
        mount.kind().wireName(),
        Long.toHexString(mount.flags()),
        mount.remountFlags() == 0 ? "" : ", remount 0x" + Long.toHexString(mount.remountFlags()));
  }

  /**
   * A new procfs, or where the kernel refuses one (EPERM: a procfs partly covered by other mounts,
   * in a user namespace that does not own it), a recursive bind of /proc, remounted read-only.
   */
  private void mountProc(Layout layout, ProcMount proc, Path target) throws ChrootException {
    String id = layout.id().value();
    try {
      safeMount.mount(proc.source(), target, true, proc.fsType(), proc.flags(), null);
      LOG.info(
          "[{}] prestart: mounted a new procfs at {} (flags 0x{})",
          id,
          target,
          Long.toHexString(proc.flags()));
      return;
    } catch (ChrootException e) {
      if (!(e.getCause() instanceof SyscallException s) || s.errno() != Errnos.EPERM) {
        throw e;
      }
      LOG.warn("[{}] prestart: {}; binding {} instead", id, e.getMessage(), FALLBACK_SOURCE);
    }
    safeMount.mount(FALLBACK_SOURCE, target, true, null, FALLBACK_FLAGS, null);
    safeMount.remount(target, true, FALLBACK_REMOUNT_FLAGS);
    LOG.info(
        "[{}] prestart: bound {} at {} (flags 0x{}, remount 0x{})",
        id,
        FALLBACK_SOURCE,
        target,
        Long.toHexString(FALLBACK_FLAGS),
        Long.toHexString(FALLBACK_REMOUNT_FLAGS));
  }

  /**
   * Copies a configured file onto the root's tmpfs. The source's directory is resolved as the
   * configuration's paths are ({@link TrustedPath}: no component that anyone but root could
   * replace); the source is opened through the seam without following a symlink at its last
   * component and must be a regular file of at most {@link CopiedFile#MAX_BYTES} bytes that only
   * root can write (checked on the descriptor). The copy is created new (never through a symlink),
   * then made read-only, with the source's read permissions (a file only root may read stays so).
   */
  private void copy(Layout layout, CopiedFile file) throws ChrootException {
    String id = layout.id().value();
    Path source = file.source();
    String what = "file " + source + " (in \"files\")";
    byte[] bytes;
    int readable;
    try {
      Path resolved = TrustedPath.resolveFile(what, source);
      if (resolved == null) {
        throw new NoSuchFileException(source.toString());
      }
      try (RegularFile in = RegularFile.open(sys, resolved, false)) {
        if (!in.rootsAlone()) {
          throw new ChrootException(
              String.format(
                  "%s: must be owned by root and writable by no one else (owner uid %d, mode %04o)",
                  what, in.uid(), in.permissions()));
        }
        readable = in.permissions() & 0444;
        bytes = in.readAll(CopiedFile.MAX_BYTES);
      }
    } catch (NoSuchFileException e) {
      if (file.optional()) {
        LOG.info("[{}] prestart: optional file {} is missing; skipped", id, source);
        return;
      }
      throw new ChrootException(what + ": no such file", e);
    } catch (RegularFile.RefusedException e) {
      throw new ChrootException(what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ChrootException("read " + source + ": " + e.getMessage(), e);
    }
    Path target = layout.inRoot(file.target());
    createParents(layout.root(), file.target());
    try {
      Files.write(target, bytes, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
      Files.setPosixFilePermissions(target, FileMode.permissions(readable & 0444));
    } catch (FileAlreadyExistsException e) {
      throw new ChrootException("copy target " + target + " already exists", e);
    } catch (IOException e) {
      throw new ChrootException("write " + target + ": " + e, e);
    }
    LOG.info("[{}] prestart: copied {} to {} ({} bytes)", id, source, target, bytes.length);
  }

  /**
   * Remounts the root read-only, retrying on EBUSY; any other error, or EBUSY on the last attempt,
   * fails prestart (and the caller rolls everything back: a chroot is never left writable).
   */
  private void seal(Layout layout, Seal seal) throws ChrootException {
    String id = layout.id().value();
    long delay = seal.firstDelayMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        safeMount.remount(layout.root(), true, seal.flags());
        LOG.info(
            "[{}] prestart: sealed {} read-only (flags 0x{}{})",
            id,
            layout.root(),
            Long.toHexString(seal.flags()),
            attempt == 1 ? "" : ", attempt " + attempt);
        return;
      } catch (ChrootException e) {
        boolean busy = e.getCause() instanceof SyscallException s && s.errno() == Errnos.EBUSY;
        if (!busy || attempt == seal.attempts()) {
          throw new ChrootException(
              "sealing "
                  + layout.root()
                  + " read-only failed"
                  + (attempt == 1 ? "" : " " + attempt + " times")
                  + ": "
                  + e.getMessage(),
              e);
        }
        LOG.warn("[{}] prestart: {}; retrying in {} ms", id, e.getMessage(), delay);
      }
      // Not Thread.sleep: nothing interrupts the hook, and a wait cut short only retries sooner.
      long until = System.nanoTime() + delay * 1_000_000;
      for (long left = delay * 1_000_000; left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      delay *= 2;
    }
  }

  private static void checkSource(BindStep mount, String platform) throws ChrootException {
    Path source = mount.hostPath();
    String what =
        mount instanceof DeviceBind
            ? "device " + source + " for platform " + platform
            : mount instanceof SysfsBind
                ? "directory " + source + " for platform " + platform
                : "executable " + source;
    try {
      int mode = (Integer) Files.getAttribute(source, "unix:mode");
      if (mount instanceof DeviceBind && !isDevice(mode)) {
        throw new ChrootException(what + ": not a device file");
      }
      if (mount instanceof SysfsBind && (mode & S_IFMT) != S_IFDIR) {
        throw new ChrootException(what + ": not a directory");
      }
      if (mount instanceof ReadOnlyBind && (mode & S_IFMT) != S_IFREG) {
        throw new ChrootException(what + ": not a regular file");
      }
    } catch (NoSuchFileException e) {
      throw new ChrootException(what + ": no such file", e);
    } catch (IOException e) {
      throw new ChrootException("stat " + source + ": " + e, e);
    }
  }

  /** Creates the directories leading to {@code target} below the root, refusing anything else. */
  private static void createParents(Path root, Path target) throws ChrootException {
    Path dir = root;
    for (int i = 0; i < target.getNameCount() - 1; i++) {
      dir = dir.resolve(target.getName(i));
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        createDirectory(dir, DIRECTORY_MODE);
      }
    }
  }

  /**
   * Creates the target and any missing parents below the root, refusing anything but a real dir.
   */
  private static void createTarget(Path root, Path target, boolean directory)
      throws ChrootException {
    createParents(root, target);
    Path path = root.resolve(target);
    try {
      if (directory) {
        Files.createDirectory(path);
        Files.setPosixFilePermissions(path, READ_EXECUTE);
      } else {
        Files.createFile(path);
        Files.setPosixFilePermissions(path, READ);
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
