package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REC;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

import java.nio.file.Path;

/**
 * A new procfs at {@code proc}, read-only. Where the kernel refuses a new procfs with EPERM (a
 * procfs partly covered by other mounts, in a user namespace), a recursive bind of the host's
 * {@code /proc} takes its place, remounted read-only: the sandbox needs {@code /proc/self}, which
 * such a bind still shows.
 */
public record ProcMount() implements MountStep {
  public static final long FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

  /** The fallback's source, its flags and the remount that makes it read-only. */
  public static final String FALLBACK_SOURCE = "/proc";

  public static final long FALLBACK_FLAGS = MS_BIND | MS_REC;
  public static final long FALLBACK_REMOUNT_FLAGS = MS_REMOUNT | MS_BIND | FLAGS;

  @Override
  public MountKind kind() {
    return MountKind.PROC;
  }

  @Override
  public Path target() {
    return Path.of("proc");
  }

  @Override
  public String source() {
    return "proc";
  }

  @Override
  public String fsType() {
    return "proc";
  }

  @Override
  public long flags() {
    return FLAGS;
  }

  @Override
  public boolean directory() {
    return true;
  }
}
