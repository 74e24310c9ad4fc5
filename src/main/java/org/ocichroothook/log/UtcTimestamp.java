package org.ocichroothook.log;

/**
 * ISO-8601 UTC timestamps ({@code 2026-11-30T17:01:49.061Z}) by arithmetic. slf4j-simple's own
 * dates go through SimpleDateFormat, whose locale data costs a hook process tens of milliseconds at
 * start-up; java.time's formatters are not much lighter. Days to civil date: H. Hinnant's
 * algorithm. The journal records its creation time with it too.
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

  private static StringBuilder pad(StringBuilder out, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }
}
