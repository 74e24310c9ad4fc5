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

  private static String withMillis(Instant i) {
    return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(java.time.ZoneOffset.UTC)
        .format(i);
  }
}
