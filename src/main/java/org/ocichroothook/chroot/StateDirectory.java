package org.ocichroothook.chroot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.ocichroothook.file.FileMode;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.file.TrustedOwner;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;

/**
 * The state directory, held under an exclusive lock for the whole of one hook invocation, so two
 * hooks (two containers starting, or a poststop racing a prestart) never interleave their mounts
 * and the one-time set-up below cannot race.
 *
 * <p>On set-up the directory is made a private mount (bound onto itself first when it is not a
 * mount point): otherwise, on a host whose {@code /} or {@code /run} is shared, every chroot mount
 * would propagate into every peer mount namespace and be pinned there after teardown.
 */
public final class StateDirectory implements AutoCloseable {
  private static final Set<PosixFilePermission> MODE = FileMode.permissions(0711);
  private static final Set<PosixFilePermission> LOCK_MODE = FileMode.permissions(0600);

  private final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private StateDirectory(Path path, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** The directory's real path, every symlink in the configured path resolved. */
  public Path path() {
    return path;
  }

  /** For prestart: creates the directory if needed, locks it, and makes it a private mount. */
  public static StateDirectory prepare(Path configured, Syscalls sys) throws ChrootException {
    Path real =
        TrustedPath.resolve(
            "state directory", configured, PosixFilePermissions.asFileAttribute(MODE));
    StateDirectory dir = lock(real, sys);
    try {
      makePrivate(real, sys);
      return dir;
    } catch (ChrootException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /** For poststop: locks the directory if it exists; null when it does not (nothing to remove). */
  public static StateDirectory openExisting(Path configured, Syscalls sys) throws ChrootException {
    Path real = TrustedPath.resolve("state directory", configured, null);
    if (real == null) {
      return null;
    }
    return lock(real, sys);
  }

  /**
   * Locks the directory at {@code real}, a path that {@link TrustedPath} resolved: no symlink left
   * in it and no component that anyone but root could replace.
   */
  static StateDirectory lock(Path real, Syscalls sys) throws ChrootException {
    try {
      Map<String, Object> attrs =
          Files.readAttributes(real, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
      if (!TrustedOwner.is((Integer) attrs.get("uid"))
          || ((Integer) attrs.get("mode") & 0022) != 0) {
        throw new ChrootException(
            "state directory " + real + " must be owned by root and writable by no one else");
      }
    } catch (NoSuchFileException e) {
      throw new ChrootException("state directory " + real + ": no such directory", e);
    } catch (IOException e) {
      throw new ChrootException("state directory " + real + ": " + e, e);
    }
    Path lockFile = real.resolve(".lock");
    // Opened as a regular file only, without blocking: a FIFO planted as .lock would make a plain
    // open for writing wait forever for a reader, and a symlink would lock something else.
    try (RegularFile file = RegularFile.openOrCreate(sys, lockFile, LOCK_MODE)) {
      FileChannel channel = file.channel(StandardOpenOption.WRITE);
      try {
        return new StateDirectory(real, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new ChrootException("lock " + lockFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the directory a private mount without reading mountinfo (costly on a host with thousands
   * of mounts): MS_PRIVATE on a path that is not a mount point fails with EINVAL, and only then is
   * the directory bound onto itself first. Idempotent; the caller holds the lock.
   */
  static void makePrivate(Path path, Syscalls sys) throws ChrootException {
    String dir = path.toString();
    try {
      try {
        sys.mount(null, dir, null, Linux.MS_PRIVATE, null);
        return;
      } catch (SyscallException e) {
        if (e.errno() != Errnos.EINVAL) {
          throw e;
        }
      }
      sys.mount(dir, dir, null, MountFlags.MS_BIND, null);
      sys.mount(null, dir, null, Linux.MS_PRIVATE, null);
    } catch (SyscallException e) {
      throw new ChrootException(
          "state directory " + path + ": cannot make it a private mount: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases the lock too.
    }
    try {
      lockChannel.close();
    } catch (IOException e) {
      // The process is about to exit, which releases everything.
    }
  }
}
