package org.ocichroothook.ops;

/**
 * Quotes a value that came from outside (a container id from a directory name, a path from a
 * journal or a hooks.d file) for one line of output: at most 200 characters, control characters
 * escaped, so no value can forge or split a line.
 */
final class Bounded {
  private static final int MAX = 200;

  private Bounded() {}

  static String quote(Object value) {
    return "\"" + text(value) + "\"";
  }

  /** The value bounded and escaped, without quotes. */
  static String text(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 8);
    for (int i = 0; i < s.length() && i < MAX; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(c == '"' ? "\\\"" : c == '\\' ? "\\\\" : String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > MAX) {
      out.append("...");
    }
    return out.toString();
  }
}
