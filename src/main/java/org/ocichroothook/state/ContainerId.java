package org.ocichroothook.state;

import java.util.regex.Pattern;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.text.Printable;

/**
 * A container id that is safe to use as one path component: it starts with a letter or digit (so
 * never {@code .}, {@code ..} or a hidden name) and holds only {@code [A-Za-z0-9_+.-]}, at most 255
 * bytes.
 */
public record ContainerId(String value) {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_+.-]{0,254}");

  public ContainerId {
    if (value == null || !VALID.matcher(value).matches()) {
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
          e.getMessage() + ": must match " + VALID.pattern() + " to be used as a directory name");
    }
  }

  private static String quote(String value) {
    return Printable.quote(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
