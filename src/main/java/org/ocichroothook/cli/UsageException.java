package org.ocichroothook.cli;

/** The command line is wrong: exit 2. */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
