package org.ocichroothook.ops;

import java.nio.file.Path;
import java.time.Duration;
import org.ocichroothook.text.Printable;

/**
 * What is known of one chroot, gathered from its journal, /proc and the file system, and the pure
 * rule that turns it into a {@link Verdict}.
 *
 * @param journalProblem why there is no journal to go by (absent, unreadable, malformed); null when
 *     it was read
 * @param complete whether the journal says prestart finished
 * @param pid the recorded pid, null when the journal has none (version 1, or a state without one)
 * @param recordedStart the recorded start time of {@code pid}
 * @param currentStart the start time of the process that has {@code pid} now; null when none has
 * @param bundle the recorded bundle
 * @param bundleExists whether it exists; null when that cannot be told (permissions)
 * @param age how long ago prestart began; null when not known
 */
record Evidence(
    String journalProblem,
    boolean complete,
    Integer pid,
    Long recordedStart,
    Long currentStart,
    Path bundle,
    Boolean bundleExists,
    Duration age) {

  /** The process is the container's: same pid, same start time. Null without a recorded pid. */
  Boolean pidAlive() {
    return pid == null ? null : currentStart != null && currentStart.equals(recordedStart);
  }

  /**
   * The orphan rule. Orphaned means: the recorded process is gone or its start time differs, or no
   * pid was recorded and the recorded bundle directory no longer exists. An orphan is removed only
   * when older than {@code minAge}, so a container being created is never touched. No evidence
   * means keep.
   */
  Verdict decide(Duration minAge) {
    if (journalProblem != null) {
      return new Verdict(
          Verdict.Status.UNKNOWN,
          false,
          journalProblem + ": no evidence, kept (remove it by hand)");
    }
    Verdict.Status alive = complete ? Verdict.Status.READY : Verdict.Status.INCOMPLETE;
    String gone;
    if (pid != null) {
      if (currentStart == null) {
        gone = "process " + pid + " is gone";
      } else if (!currentStart.equals(recordedStart)) {
        gone =
            "pid "
                + pid
                + " is another process now (started at tick "
                + currentStart
                + ", recorded "
                + recordedStart
                + ")";
      } else {
        return new Verdict(alive, false, "process " + pid + " is alive");
      }
    } else if (bundleExists == null) {
      return new Verdict(
          Verdict.Status.UNKNOWN,
          false,
          "no pid recorded and bundle "
              + Printable.quote(String.valueOf(bundle))
              + " cannot be checked: kept");
    } else if (bundleExists) {
      return new Verdict(
          Verdict.Status.UNKNOWN,
          false,
          "no pid recorded and bundle "
              + Printable.quote(String.valueOf(bundle))
              + " still exists: no evidence the container is gone, kept");
    } else {
      gone =
          "no pid recorded and bundle "
              + Printable.quote(String.valueOf(bundle))
              + " no longer exists";
    }
    if (age == null || age.compareTo(minAge) < 0) {
      return new Verdict(
          Verdict.Status.ORPHANED,
          false,
          gone
              + "; "
              + (age == null ? "age unknown" : "younger than " + Ages.format(minAge))
              + ", kept for now");
    }
    return new Verdict(Verdict.Status.ORPHANED, true, gone);
  }
}
