package org.ocichroothook.ops;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ocichroothook.text.Printable;

/**
 * Durations as an operator types and reads them: {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}.
 */
final class Ages {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

  private Ages() {}

  /**
   * Parses {@code 90s}, {@code 10m}, {@code 2h} or {@code 1d}; IllegalArgumentException otherwise.
   */
  static Duration parse(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--min-age wants a DURATION like 90s, 10m, 2h or 1d, got "
              + Printable.quote(String.valueOf(text)));
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The largest whole unit: {@code 45s}, {@code 12m}, {@code 3h}, {@code 2d}. */
  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172800) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
