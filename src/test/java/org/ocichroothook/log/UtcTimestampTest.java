package org.ocichroothook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UtcTimestampTest {

  @Test
  void agreesWithJavaTime() {
    long[] fixed = {
      0L,
      951_782_400_000L /* 2000-02-29 */,
      1_795_968_109_061L,
      4_102_444_799_999L,
      -1L,
      253_402_300_799_999L
    };
    for (long t : fixed) {
      assertEquals(withMillis(Instant.ofEpochMilli(t)), UtcTimestamp.format(t), "" + t);
    }
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      long t = random.nextLong(253_402_300_799_999L);
      assertEquals(withMillis(Instant.ofEpochMilli(t)), UtcTimestamp.format(t), "" + t);
    }
  }

  @Test
  void parsesWhatItFormatsAsJavaTimeDoes() {
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      long t = random.nextLong(253_402_300_799_999L);
      String text = UtcTimestamp.format(t);
      assertEquals(t, UtcTimestamp.parse(text), text);
      assertEquals(Instant.parse(text).toEpochMilli(), UtcTimestamp.parse(text), text);
    }
    assertEquals(951_782_400_000L, UtcTimestamp.parse("2000-02-29T00:00:00.000Z"));
  }

  @Test
  void leavesEveryOtherShapeToTheCaller() {
    for (String text :
        new String[] {
          "",
          "2026-11-30T17:01:49Z",
          "2026-11-30T17:01:49.061123Z",
          "2026-11-30T17:01:49.061+01:00",
          "2026-11-30 17:01:49.061Z",
          "2026-13-30T17:01:49.061Z",
          "2026-02-29T17:01:49.061Z",
          "1900-02-29T17:01:49.061Z",
          "2026-11-31T17:01:49.061Z",
          "2026-11-30T24:01:49.061Z",
          "2026-11-30T17:60:49.061Z",
          "2026-11-30T17:01:60.061Z",
          "2026-11-30T17:01:49.06xZ",
          "+026-11-30T17:01:49.061Z"
        }) {
      assertEquals(Long.MIN_VALUE, UtcTimestamp.parse(text), text);
    }
  }

  private static String withMillis(Instant i) {
    return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(java.time.ZoneOffset.UTC)
        .format(i);
  }
}
