package org.ocichroothook.ops;

import java.io.IOException;
import java.time.Instant;
import org.ocichroothook.journal.Journal;

/** What prestart records for gc: the container's pid with its start time, and when and by whom. */
public final class PrestartOrigin {
  private PrestartOrigin() {}

  /**
   * @param pid the state's pid; null, zero or negative (runtimes send all three) records none
   */
  public static Journal.Origin of(Integer pid, String hookVersion, ProcessStart processes) {
    Long start = null;
    if (pid != null && pid > 0) {
      try {
        start = processes.of(pid);
      } catch (IOException e) {
        start = null; // unreadable: record no pid rather than one gc could not check
      }
    }
    return new Journal.Origin(
        start == null ? null : pid,
        start,
        Instant.ofEpochMilli(System.currentTimeMillis()),
        hookVersion);
  }
}
