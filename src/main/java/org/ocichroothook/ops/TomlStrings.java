package org.ocichroothook.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The one thing doctor needs from a TOML file (containers.conf, crio.conf): the array of strings
 * under a key of a table, e.g. {@code hooks_dir} of {@code [engine]} or {@code [crio.runtime]}. It
 * follows TOML's rules for what it reads (comments, basic and literal strings, arrays across lines)
 * and ignores everything else; a file it cannot make sense of reads as not setting the key.
 */
final class TomlStrings {
  private TomlStrings() {}

  /** The strings of {@code key} in table {@code table}; null when the file does not set it. */
  static List<String> array(String text, String table, String key) {
    String current = "";
    List<String> found = null;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int end = text.indexOf('\n', i);
      if (end < 0) {
        end = n;
      }
      String line = text.substring(i, end).strip();
      if (line.startsWith("[")) {
        int close = line.indexOf(']');
        current = close < 0 ? "" : line.substring(line.startsWith("[[") ? 2 : 1, close).strip();
        current = current.replace(" ", "").replace("\"", "");
        i = end + 1;
        continue;
      }
      int eq = line.indexOf('=');
      if (current.equals(table)
          && eq > 0
          && line.substring(0, eq).strip().replace("\"", "").equals(key)) {
        int valueStart = i + text.substring(i, end).indexOf('=') + 1;
        Parsed p = parseArray(text, valueStart);
        if (p != null) {
          found = p.values;
          end = text.indexOf('\n', p.end);
          if (end < 0) {
            end = n;
          }
        }
      }
      i = end + 1;
    }
    return found;
  }

  private record Parsed(List<String> values, int end) {}

  /** An array of strings starting at {@code from} (after the {@code =}); null if it is not one. */
  private static Parsed parseArray(String text, int from) {
    int i = skip(text, from);
    if (i >= text.length() || text.charAt(i) != '[') {
      return null;
    }
    i++;
    List<String> values = new ArrayList<>();
    while (true) {
      i = skip(text, i);
      if (i >= text.length()) {
        return null;
      }
      char c = text.charAt(i);
      if (c == ']') {
        return new Parsed(values, i + 1);
      }
      if (c == ',') {
        i++;
        continue;
      }
      if (c != '"' && c != '\'') {
        return null;
      }
      StringBuilder s = new StringBuilder();
      int j = i + 1;
      while (j < text.length() && text.charAt(j) != c && text.charAt(j) != '\n') {
        char d = text.charAt(j);
        if (c == '"' && d == '\\' && j + 1 < text.length()) {
          char e = text.charAt(++j);
          s.append(
              switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> e;
              });
        } else {
          s.append(d);
        }
        j++;
      }
      if (j >= text.length() || text.charAt(j) != c) {
        return null;
      }
      values.add(s.toString());
      i = j + 1;
    }
  }

  /** Past whitespace, newlines and comments. */
  private static int skip(String text, int i) {
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '#') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else if (Character.isWhitespace(c)) {
        i++;
      } else {
        break;
      }
    }
    return i;
  }
}
