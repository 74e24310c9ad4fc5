package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.O_CLOEXEC;
import static org.ocichroothook.sys.Linux.O_DIRECTORY;
import static org.ocichroothook.sys.Linux.O_NOFOLLOW;
import static org.ocichroothook.sys.Linux.O_PATH;

import java.nio.file.Path;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;

/**
 * Resolves a path one component at a time from a directory descriptor that is known good, each
 * component opened with {@code openat(fd, name, O_PATH|O_NOFOLLOW|O_DIRECTORY)}: a symlink anywhere
 * on the way fails the walk (ENOTDIR or ELOOP) instead of being followed. The kernel's whole-path
 * lookup, even with UMOUNT_NOFOLLOW or O_NOFOLLOW, follows every component but the last.
 */
final class Beneath {
  static final int DIRECTORY = O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;

  private final Syscalls sys;

  Beneath(Syscalls sys) {
    this.sys = sys;
  }

  /** Opens the real directory {@code dir} itself; its path is trusted (see {@link TrustedPath}). */
  int openTrusted(Path dir) throws SyscallException {
    return sys.open(dir.toString(), DIRECTORY, 0);
  }

  /**
   * Opens {@code relative} below the directory {@code start}, every component a real directory;
   * returns a new descriptor (of {@code start} itself when {@code relative} is empty) that the
   * caller closes.
   */
  int openDirectory(int start, Path relative) throws SyscallException {
    int fd = sys.openat(start, ".", DIRECTORY, 0);
    for (Path name : relative) {
      if (name.toString().isEmpty()) {
        continue;
      }
      int next;
      try {
        next = sys.openat(fd, name.toString(), DIRECTORY, 0);
      } finally {
        close(fd);
      }
      fd = next;
    }
    return fd;
  }

  /** Whether a failed walk met a symlink (or other non-directory) where a directory belongs. */
  static boolean metSymlink(SyscallException e) {
    return e.errno() == Errnos.ELOOP || e.errno() == Errnos.ENOTDIR;
  }

  /** {@code /proc/self/fd/N}: resolving it lands on the very file the descriptor holds. */
  static String procPath(int fd) {
    return "/proc/self/fd/" + fd;
  }

  void close(int fd) {
    try {
      sys.close(fd);
    } catch (SyscallException e) {
      // An O_PATH descriptor holds nothing that a failed close could lose.
    }
  }
}
