package org.ocichroothook.input;

/**
 * Input the hook cannot act on (malformed JSON, a missing or mistyped field, a bad value): exit 2.
 */
public final class BadInputException extends Exception {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
