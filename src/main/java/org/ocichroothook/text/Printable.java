package org.ocichroothook.text;

/**
 * Renders untrusted text (a container's id, bundle or annotations, a path from a file, a parser's
 * message) for the one stderr line and the log: every control character escaped, so that no value
 * can end a line, forge a log line or send a terminal escape sequence, and every value bounded, so
 * that a 900 KB bundle cannot become a 900 KB line.
 *
 * <p>Escaped: C0 controls (U+0000-U+001F) and DEL as {@code \n}, {@code \r}, {@code \t} or {@code
 * \xHH}; C1 controls (U+0080-U+009F, which some terminals read as CSI) and the Unicode line and
 * paragraph separators as {@code \u2028}. A backslash is kept as it is: it cannot end a line.
 */
public final class Printable {
  /** The longest value quoted in a message, in characters. */
  public static final int MAX_VALUE = 256;

  /** The longest line written to stderr or the log, in characters. */
  public static final int MAX_LINE = 4096;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Printable() {}

  /** {@code "value"}: escaped and bounded to {@link #MAX_VALUE}; {@code null} for null. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    return "\"" + bounded(value, MAX_VALUE) + "\"";
  }

  /** One line: escaped and bounded to {@link #MAX_LINE}. */
  public static String line(String text) {
    return bounded(text == null ? "null" : text, MAX_LINE);
  }

  /** Escaped, then cut to {@code max} characters with a note of how much was left out. */
  public static String bounded(CharSequence text, int max) {
    int length = text.length();
    int keep = length;
    if (length > max) {
      keep = max;
      if (Character.isHighSurrogate(text.charAt(keep - 1))) {
        keep--;
      }
    }
    StringBuilder out = new StringBuilder(Math.min(keep, max) + 32);
    for (int i = 0; i < keep; i++) {
      appendEscaped(out, text.charAt(i));
    }
    if (keep < length) {
      out.append("...(").append(length - keep).append(" more characters)");
    }
    return out.toString();
  }

  /** Whether {@code c} is shown as an escape rather than as itself. */
  static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  private static void appendEscaped(StringBuilder out, char c) {
    if (!needsEscape(c)) {
      out.append(c);
      return;
    }
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (c <= 0xff) {
          out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        } else {
          out.append("\\u").append(Integer.toHexString(c));
        }
      }
    }
  }
}
