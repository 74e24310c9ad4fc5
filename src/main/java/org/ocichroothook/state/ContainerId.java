package org.ocichroothook.state;

import org.ocichroothook.input.BadInputException;
import org.ocichroothook.text.Printable;

/**
 * A container id that is safe to use as one path component: it starts with a letter or digit (so
 * never {@code .}, {@code ..} or a hidden name) and holds only {@code [A-Za-z0-9_+.-]}, at most 255
 * bytes.
 */
public record ContainerId(String value) {
  /**
   * What {@link #valid} accepts, as a regular expression for messages. Checked by a loop, not
   * java.util.regex: this runs in every prestart and poststop, and a JVM that compiles no pattern
   * starts faster.
   */
  static final String VALID = "[A-Za-z0-9][A-Za-z0-9_+.-]{0,254}";

  public ContainerId {
    if (value == null || !valid(value)) {
      throw new IllegalArgumentException("invalid container id " + quote(value));
    }
  }

  /**
   * Parses an id from input, as a bad-input error (exit 2) when it is not a safe path component.
   */
  public static ContainerId parse(String value) throws BadInputException {
    try {
      return new ContainerId(value);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          e.getMessage() + ": must match " + VALID + " to be used as a directory name");
    }
  }

  private static boolean valid(String value) {
    int length = value.length();
    if (length == 0 || length > 255 || !alphanumeric(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < length; i++) {
      char c = value.charAt(i);
      if (!alphanumeric(c) && c != '_' && c != '+' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean alphanumeric(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static String quote(String value) {
    return Printable.quote(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
