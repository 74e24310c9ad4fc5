package org.ocichroothook.log;

/**
 * ISO-8601 UTC timestamps ({@code 2026-11-30T17:01:49.061Z}) by arithmetic. slf4j-simple's own
 * dates go through SimpleDateFormat, whose locale data costs a hook process tens of milliseconds at
 * start-up; java.time's formatters are not much lighter. Days to civil date: H. Hinnant's
 * algorithm. The journal records its creation time with it too, and reads it back with {@link
 * #parse}: java.time's parser builds its formatters at first use (~70 classes, and lambdas, which
 * on JDK 17 bootstrap java.lang.invoke), on every poststop.
 */
public final class UtcTimestamp {
  private UtcTimestamp() {}

  public static String format(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    long millisOfDay = Math.floorMod(epochMillis, 86_400_000L);
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder out = new StringBuilder(24);
    pad(out, year, 4).append('-');
    pad(out, month, 2).append('-');
    pad(out, day, 2).append('T');
    pad(out, millisOfDay / 3_600_000, 2).append(':');
    pad(out, millisOfDay / 60_000 % 60, 2).append(':');
    pad(out, millisOfDay / 1000 % 60, 2).append('.');
    return pad(out, millisOfDay % 1000, 3).append('Z').toString();
  }

  /**
   * The instant {@code text} names when it has exactly the shape {@link #format} writes ({@code
   * 2026-11-30T17:01:49.061Z}, a valid date and time of day), in milliseconds since the epoch;
   * otherwise {@link Long#MIN_VALUE}, and the caller decides (the journal falls back to {@code
   * Instant.parse}, which accepts the other shapes ISO-8601 allows).
   */
  public static long parse(String text) {
    if (text.length() != 24
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(19) != '.'
        || text.charAt(23) != 'Z') {
      return Long.MIN_VALUE;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    int millis = digits(text, 20, 3);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > daysInMonth(year, month)
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || millis < 0) {
      return Long.MIN_VALUE;
    }
    // Civil date to days: H. Hinnant's algorithm, the inverse of format's.
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146_097 + doe - 719_468;
    return days * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1000L + millis;
  }

  /** The decimal number in {@code text[from, from + count)}, or -1 if any of it is no digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static int daysInMonth(int year, int month) {
    if (month == 2) {
      boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
      return leap ? 29 : 28;
    }
    return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  private static StringBuilder pad(StringBuilder out, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }
}
