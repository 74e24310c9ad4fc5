package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

import java.nio.file.Path;

/**
 * A device file a platform needs, such as /dev/kvm, bound onto a file at the same path: usable as a
 * device (no MS_NODEV, whatever the root's tmpfs says) and writable, never executable.
 */
public record DeviceBind(Path hostPath, Path target) implements BindStep {
  public static final long REMOUNT_FLAGS = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC;

  public DeviceBind {
    Targets.host(hostPath);
    Targets.inside(target);
  }

  @Override
  public MountKind kind() {
    return MountKind.DEVICE;
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
