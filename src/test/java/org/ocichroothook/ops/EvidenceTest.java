package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ocichroothook.ops.Verdict.Status;

/** The orphan decision table, every row of the rule. */
class EvidenceTest {
  private static final Duration MIN = Duration.ofMinutes(10);
  private static final Duration OLD = Duration.ofHours(1);
  private static final Duration YOUNG = Duration.ofSeconds(30);
  private static final Path BUNDLE = Path.of("/srv/b");

  private static Evidence withPid(boolean complete, Long now, Duration age) {
    return new Evidence(null, complete, 42, 1000L, now, BUNDLE, true, age);
  }

  private static Evidence withoutPid(boolean complete, Boolean bundleExists, Duration age) {
    return new Evidence(null, complete, null, null, null, BUNDLE, bundleExists, age);
  }

  private static void expect(Evidence e, Status status, boolean remove, String reason) {
    Verdict v = e.decide(MIN);
    assertEquals(status, v.status(), v.toString());
    assertEquals(remove, v.remove(), v.toString());
    assertTrue(v.reason().contains(reason), v.reason());
  }

  @Test
  void aliveProcessIsKept() {
    expect(withPid(true, 1000L, OLD), Status.READY, false, "process 42 is alive");
    expect(withPid(false, 1000L, OLD), Status.INCOMPLETE, false, "process 42 is alive");
    assertTrue(withPid(true, 1000L, OLD).pidAlive());
  }

  @Test
  void deadProcessMakesAnOrphanRemovedOnlyWhenOld() {
    expect(withPid(true, null, OLD), Status.ORPHANED, true, "process 42 is gone");
    expect(withPid(true, null, YOUNG), Status.ORPHANED, false, "younger than 10m, kept");
    expect(withPid(false, null, OLD), Status.ORPHANED, true, "process 42 is gone");
    assertFalse(withPid(true, null, OLD).pidAlive());
  }

  @Test
  void aReusedPidIsToldApartByItsStartTime() {
    expect(withPid(true, 2000L, OLD), Status.ORPHANED, true, "pid 42 is another process now");
    expect(withPid(true, 2000L, YOUNG), Status.ORPHANED, false, "kept for now");
    assertFalse(withPid(true, 2000L, OLD).pidAlive());
  }

  @Test
  void withoutAPidTheBundleDecides() {
    expect(withoutPid(true, false, OLD), Status.ORPHANED, true, "no longer exists");
    expect(withoutPid(false, false, OLD), Status.ORPHANED, true, "no longer exists");
    expect(withoutPid(true, false, YOUNG), Status.ORPHANED, false, "younger than 10m");
    expect(withoutPid(true, true, OLD), Status.UNKNOWN, false, "no evidence the container is gone");
    expect(withoutPid(true, null, OLD), Status.UNKNOWN, false, "cannot be checked");
  }

  @Test
  void anUnknownAgeNeverRemoves() {
    expect(withPid(true, null, null), Status.ORPHANED, false, "age unknown");
  }

  @Test
  void noJournalMeansNoEvidence() {
    Evidence e = new Evidence("no journal", false, null, null, null, null, null, OLD);
    expect(e, Status.UNKNOWN, false, "no journal: no evidence, kept");
  }

  @Test
  void durationsParseAndPrint() {
    assertEquals(Duration.ofSeconds(90), Ages.parse("90s"));
    assertEquals(Duration.ofMinutes(10), Ages.parse("10m"));
    assertEquals(Duration.ofHours(2), Ages.parse("2h"));
    assertEquals(Duration.ofDays(1), Ages.parse("1d"));
    for (String bad : new String[] {"", "10", "m", "-1m", "1.5h", "10 m", "1w"}) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> Ages.parse(bad));
      assertTrue(e.getMessage().startsWith("--min-age wants a DURATION"), e.getMessage());
    }
    assertEquals("90s", Ages.format(Duration.ofSeconds(90)));
    assertEquals("10m", Ages.format(MIN));
    assertEquals("2h", Ages.format(Duration.ofHours(2)));
    assertEquals("3d", Ages.format(Duration.ofDays(3)));
  }
}
