package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

/**
 * The last step: the root's tmpfs remounted read-only, so nothing can be written into the chroot
 * outside its own mounts. A remount with MS_BIND changes the mount's flags only, and sets all of
 * them, so nosuid, nodev and noexec are repeated or they would be cleared.
 *
 * <p>The remount can fail with EBUSY for a moment (google/gvisor#10965 saw it in about 0.8% of
 * starts, without an open file of its own on the mount): it is retried {@code attempts} times in
 * all, waiting {@code firstDelayMillis} and then twice as long each time, and a chroot that is
 * never sealed is rolled back, never left writable.
 */
public record Seal(int attempts, long firstDelayMillis) implements Step {
  public static final long FLAGS =
      MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

  /** Five attempts over 150 ms. */
  public static final Seal DEFAULT = new Seal(5, 10);

  public Seal {
    if (attempts < 1 || firstDelayMillis < 0) {
      throw new IllegalArgumentException("a seal needs at least one attempt");
    }
  }

  public long flags() {
    return FLAGS;
  }
}
