package org.ocichroothook.plan;

import static org.ocichroothook.plan.MountFlags.MS_NODEV;
import static org.ocichroothook.plan.MountFlags.MS_NOEXEC;
import static org.ocichroothook.plan.MountFlags.MS_NOSUID;

import java.nio.file.Path;

/**
 * The chroot's root: a fresh tmpfs, so it is a mount point (which pivot_root(2) requires) and can
 * be sealed read-only once populated. Nothing on it may run, be a device or gain privileges; the
 * limits keep a sandbox from filling memory through it before the seal.
 *
 * @param sizeBytes the tmpfs's {@code size=}
 * @param inodes its {@code nr_inodes=}
 */
public record TmpfsRoot(long sizeBytes, long inodes) implements MountStep {
  public static final long FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC;

  public TmpfsRoot {
    if (sizeBytes <= 0 || inodes <= 0) {
      throw new IllegalArgumentException("a tmpfs needs a positive size and inode limit");
    }
  }

  @Override
  public MountKind kind() {
    return MountKind.TMPFS;
  }

  @Override
  public Path target() {
    return Path.of("");
  }

  @Override
  public String source() {
    return "tmpfs";
  }

  @Override
  public String fsType() {
    return "tmpfs";
  }

  @Override
  public long flags() {
    return FLAGS;
  }

  @Override
  public String data() {
    return "mode=0755,size=" + sizeBytes + ",nr_inodes=" + inodes;
  }

  @Override
  public boolean directory() {
    return true;
  }
}
