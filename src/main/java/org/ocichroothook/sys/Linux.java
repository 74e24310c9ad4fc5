package org.ocichroothook.sys;

/**
 * Linux constants for the calls in {@link Syscalls}. The open(2) flag values are those of x86_64
 * and the asm-generic layout; aarch64 differs for O_DIRECTORY and O_NOFOLLOW, so the architecture
 * picks. {@code src/main/c/syscalls.c} checks every value here against libc's headers when it is
 * compiled, and refuses any other architecture.
 */
public final class Linux {
  private static final boolean ARM64 = "aarch64".equals(System.getProperty("os.arch"));

  public static final int O_DIRECTORY = ARM64 ? 040000 : 0200000;
  public static final int O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  /** openat(2)'s "relative to the working directory". */
  public static final int AT_FDCWD = -100;

  /** mount(2)'s change of propagation; the flags a chroot's plan needs are plan's MountFlags. */
  public static final long MS_PRIVATE = 0x40000;

  /** File types in stat's {@code st_mode}: {@code mode & S_IFMT} is one of the others. */
  public static final int S_IFMT = 0170000;

  public static final int S_IFIFO = 0010000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFSOCK = 0140000;

  /** Whether {@code mode} (stat's {@code st_mode}) is a character or block device's. */
  public static boolean isDevice(int mode) {
    return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
  }

  public static final int MNT_DETACH = 0x2;
  public static final int UMOUNT_NOFOLLOW = 0x8;

  private Linux() {}
}
