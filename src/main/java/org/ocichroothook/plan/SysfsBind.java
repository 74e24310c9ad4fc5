package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;
import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;
import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;

import java.nio.file.Path;

/**
 * A directory under /sys that an accelerator needs (an IOMMU group, a PCI device, an InfiniBand
 * device's ports), bound at the same path: read-only, nosuid, nodev, noexec, as sysfs itself is.
 * Not recursive: what is mounted below it on the host stays out.
 */
public record SysfsBind(Path hostPath, Path target) implements BindStep {
  public static final long REMOUNT_FLAGS =
      MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

  public SysfsBind {
    Targets.host(hostPath);
    Targets.inside(target);
  }

  @Override
  public MountKind kind() {
    return MountKind.SYSFS;
  }

  @Override
  public long remountFlags() {
    return REMOUNT_FLAGS;
  }

  @Override
  public boolean directory() {
    return true;
  }
}
