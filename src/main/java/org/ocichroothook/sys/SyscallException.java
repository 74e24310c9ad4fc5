package org.ocichroothook.sys;

/**
 * A failed system call, rendered the way an operator reads it in a runtime's error message: {@code
 * mount("proc", "/run/oci-chroot-hook/c1/root/proc", "proc", 0xe): EPERM (Operation not
 * permitted)}.
 */
public final class SyscallException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final int errno;
  private final transient Object[] args;

  /**
   * The message is rendered only when read: teardown expects EINVAL ("not a mount point") after
   * each target's last unmount, and naming an errno loads the errno tables, which a hook process
   * should not pay for on its normal path. For the same reason no stack trace is captured: the hook
   * reports a failed call by its message, which names the call, its arguments and the errno.
   */
  public SyscallException(String call, int errno, Object... args) {
    super(null, null, false, false);
    this.call = call;
    this.errno = errno;
    this.args = args.clone();
  }

  public int errno() {
    return errno;
  }

  @Override
  public String getMessage() {
    return call + "(" + render(args) + "): " + Errnos.describe(errno);
  }

  private static String render(Object[] args) {
    StringBuilder out = new StringBuilder();
    for (Object arg : args) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(renderArg(arg));
    }
    return out.toString();
  }

  private static String renderArg(Object arg) {
    if (arg == null) {
      return "NULL";
    }
    if (arg instanceof String s) {
      return "\"" + s + "\"";
    }
    if (arg instanceof Hex h) {
      return "0x" + Long.toHexString(h.value());
    }
    if (arg instanceof DirFd d) {
      return d.value() == Linux.AT_FDCWD ? "AT_FDCWD" : String.valueOf(d.value());
    }
    return String.valueOf(arg);
  }

  /** An argument that reads best in hexadecimal, such as mount flags. */
  public record Hex(long value) {}

  /** A directory descriptor argument, shown as {@code AT_FDCWD} when it is that. */
  public record DirFd(int value) {}
}
