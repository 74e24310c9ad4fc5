package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_BIND;

import java.nio.file.Path;

/**
 * A bind of a host path into the chroot: created with MS_BIND alone, its own flags set by the
 * remount each type declares ({@link #remountFlags}).
 */
public sealed interface BindStep extends MountStep permits ReadOnlyBind, DeviceBind, SysfsBind {
  /** What is bound: a host path the administrator configured, never one from a container. */
  Path hostPath();

  @Override
  default String source() {
    return hostPath().toString();
  }

  @Override
  default String fsType() {
    return null;
  }

  @Override
  default long flags() {
    return MS_BIND;
  }
}
