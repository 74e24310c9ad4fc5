package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

import java.nio.file.Path;

/**
 * The sandbox executable, bound read-only onto a file: it runs (no MS_NOEXEC, whatever the root's
 * tmpfs says), but gains no setuid privileges and opens no devices.
 */
public record ReadOnlyBind(Path hostPath, Path target) implements BindStep {
  public static final long REMOUNT_FLAGS = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;

  public ReadOnlyBind {
    Targets.host(hostPath);
    Targets.inside(target);
  }

  @Override
  public MountKind kind() {
    return MountKind.EXECUTABLE;
  }

  @Override
  public long remountFlags() {
    return REMOUNT_FLAGS;
  }

  @Override
  public boolean directory() {
    return false;
  }
}
