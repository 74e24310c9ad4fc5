package org.ocichroothook.plan;

/**
 * The mount(2) flags a plan's steps carry (linux/mount.h). {@code src/main/c/syscalls.c} checks
 * each value against libc's headers when it is compiled.
 */
public final class MountFlags {
  public static final long MS_RDONLY = 0x1;
  public static final long MS_NOSUID = 0x2;
  public static final long MS_NODEV = 0x4;
  public static final long MS_NOEXEC = 0x8;
  public static final long MS_REMOUNT = 0x20;
  public static final long MS_BIND = 0x1000;
  public static final long MS_REC = 0x4000;

  private MountFlags() {}
}
