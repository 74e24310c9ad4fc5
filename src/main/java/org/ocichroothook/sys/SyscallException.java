package org.ocichroothook.sys;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A failed system call, rendered the way an operator reads it in a runtime's error message:
 * {@code mount("proc", "/run/oci-chroot-hook/c1/root/proc", "proc", 0xe): EPERM (Operation not permitted)}.
 */
public final class SyscallException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int errno;

  public SyscallException(String call, int errno, Object... args) {
    super(call + "(" + render(args) + "): " + Errnos.describe(errno));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  private static String render(Object[] args) {
    return Arrays.stream(args).map(SyscallException::renderArg).collect(Collectors.joining(", "));
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
    return String.valueOf(arg);
  }

  /** An argument that reads best in hexadecimal, such as mount flags. */
  public record Hex(long value) {}
}
