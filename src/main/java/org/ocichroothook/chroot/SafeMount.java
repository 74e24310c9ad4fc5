package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.O_CLOEXEC;
import static org.ocichroothook.sys.Linux.O_DIRECTORY;
import static org.ocichroothook.sys.Linux.O_NOFOLLOW;
import static org.ocichroothook.sys.Linux.O_PATH;

import java.io.IOException;
import java.nio.file.Path;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;

/**
 * Mounts onto a target without following a symlink, as gVisor's {@code SafeMount} does: the target
 * is opened with {@code O_PATH|O_NOFOLLOW}, {@code /proc/self/fd/N} is read back and must name
 * exactly the intended path (so no component was a symlink), and the mount call is given {@code
 * /proc/self/fd/N}, which the kernel resolves to the very file that was checked.
 */
final class SafeMount {
  private final Syscalls sys;
  private final ProcFs proc;

  SafeMount(Syscalls sys, ProcFs proc) {
    this.sys = sys;
    this.proc = proc;
  }

  /** mount(source, target, fstype, flags, data) onto the checked {@code target}. */
  void mount(String source, Path target, boolean directory, String fstype, long flags, String data)
      throws ChrootException {
    withTarget(target, directory, source, fstype, flags, data);
  }

  /** The remount that makes a bind's flags (read-only, nosuid, ...) take effect. */
  void remount(Path target, boolean directory, long flags) throws ChrootException {
    withTarget(target, directory, null, null, flags, null);
  }

  /**
   * Opens and checks {@code target}, then mounts {@code source} ({@code fstype}, {@code flags},
   * {@code data}) onto it through its descriptor. The mount's arguments are passed on rather than
   * as a lambda: the hot path uses none (see Hook's NATIVE).
   */
  private void withTarget(
      Path target, boolean directory, String source, String fstype, long mountFlags, String data)
      throws ChrootException {
    int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
    int fd;
    try {
      fd = sys.open(target.toString(), flags, 0);
    } catch (SyscallException e) {
      throw new ChrootException("mount target " + target + ": " + e.getMessage(), e);
    }
    try {
      String fdPath = Beneath.procPath(fd);
      Path actual = proc.whereIs(fd);
      if (!actual.equals(target)) {
        throw new ChrootException(
            "mount target "
                + target
                + " resolves to "
                + actual
                + ": refusing to mount through a symlink");
      }
      sys.mount(source, fdPath, fstype, mountFlags, data);
    } catch (IOException e) {
      throw new ChrootException("mount target " + target + ": readlink: " + e.getMessage(), e);
    } catch (SyscallException e) {
      throw new ChrootException(e.getMessage() + " [target " + target + "]", e);
    } finally {
      try {
        sys.close(fd);
      } catch (SyscallException e) {
        // An O_PATH descriptor holds nothing that a failed close could lose.
      }
    }
  }
}
