package org.ocichroothook.sys;

import jnr.constants.platform.Errno;

/** errno values in words: {@code EPERM (Operation not permitted)}. */
public final class Errnos {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ELOOP = 40;
  public static final int EBUSY = 16;

  private Errnos() {}

  static String describe(int errno) {
    Errno e = Errno.valueOf(errno);
    if (e == null || e == Errno.__UNKNOWN_CONSTANT__) {
      return "errno " + errno;
    }
    return e.name() + " (" + e.description() + ")";
  }
}
