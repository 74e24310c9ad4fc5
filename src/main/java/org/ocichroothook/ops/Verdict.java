package org.ocichroothook.ops;

import java.util.Objects;

/**
 * What gc does with one chroot and why; {@code list} shows the same status and reason.
 *
 * @param remove whether gc removes it: orphaned and older than the minimum age
 */
record Verdict(Status status, boolean remove, String reason) {
  enum Status {
    /** The container's process is alive (or, without a pid, its bundle is), the chroot built. */
    READY,
    /** Alive, but prestart has not finished (or was killed while the container lives on). */
    INCOMPLETE,
    /** The container is evidently gone: its process, or (without a pid) its bundle. */
    ORPHANED,
    /** No evidence either way: kept. */
    UNKNOWN;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  Verdict {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (remove && status != Status.ORPHANED) {
      throw new IllegalArgumentException("only an orphan is removed");
    }
  }
}
