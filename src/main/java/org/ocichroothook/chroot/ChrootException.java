package org.ocichroothook.chroot;

import java.util.List;
import org.ocichroothook.input.BadInputException;

/**
 * Setting up or tearing down a chroot failed: exit 1, or exit 2 when what failed was reading input
 * the hook was given (a journal that is malformed, too large, or repeats a key: see {@link
 * #badInput()}). Teardown reports all its errors in one.
 */
public final class ChrootException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean badInput;

  public ChrootException(String message) {
    super(message);
    this.badInput = false;
  }

  public ChrootException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private ChrootException(String message, Throwable cause, boolean badInput) {
    super(message, cause);
    this.badInput = badInput;
  }

  /** A journal the hook cannot accept as written: bad input, exit 2 like any other document. */
  static ChrootException badJournal(String message, BadInputException cause) {
    return new ChrootException(message, cause, true);
  }

  /** Whether the failure was bad input (exit 2) rather than failed work (exit 1). */
  public boolean badInput() {
    return badInput;
  }

  /** One exception for several errors, joined with "; " so they still fit one stderr line. */
  static ChrootException of(String what, List<String> errors) {
    return new ChrootException(what + ": " + String.join("; ", errors));
  }
}
