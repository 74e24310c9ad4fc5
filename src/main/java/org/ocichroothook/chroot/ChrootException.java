package org.ocichroothook.chroot;

import java.util.List;

/** Setting up or tearing down a chroot failed: exit 1. Teardown reports all its errors in one. */
public final class ChrootException extends Exception {
  private static final long serialVersionUID = 1L;

  public ChrootException(String message) {
    super(message);
  }

  public ChrootException(String message, Throwable cause) {
    super(message, cause);
  }

  /** One exception for several errors, joined with "; " so they still fit one stderr line. */
  static ChrootException of(String what, List<String> errors) {
    return new ChrootException(what + ": " + String.join("; ", errors));
  }
}
