package org.ocichroothook.sys;

/**
 * errno values in words: {@code EPERM (Operation not permitted)}. The table holds the errno values
 * that openat, close, mount and umount2 document, with glibc's descriptions; Linux numbers them the
 * same on x86_64 and aarch64 (asm-generic). Any other value reads {@code errno N}.
 */
public final class Errnos {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ELOOP = 40;
  public static final int EBUSY = 16;

  private Errnos() {}

  static String describe(int errno) {
    return switch (errno) {
      case 1 -> "EPERM (Operation not permitted)";
      case 2 -> "ENOENT (No such file or directory)";
      case 4 -> "EINTR (Interrupted system call)";
      case 5 -> "EIO (Input/output error)";
      case 6 -> "ENXIO (No such device or address)";
      case 9 -> "EBADF (Bad file descriptor)";
      case 11 -> "EAGAIN (Resource temporarily unavailable)";
      case 12 -> "ENOMEM (Cannot allocate memory)";
      case 13 -> "EACCES (Permission denied)";
      case 14 -> "EFAULT (Bad address)";
      case 15 -> "ENOTBLK (Block device required)";
      case 16 -> "EBUSY (Device or resource busy)";
      case 17 -> "EEXIST (File exists)";
      case 18 -> "EXDEV (Invalid cross-device link)";
      case 19 -> "ENODEV (No such device)";
      case 20 -> "ENOTDIR (Not a directory)";
      case 21 -> "EISDIR (Is a directory)";
      case 22 -> "EINVAL (Invalid argument)";
      case 23 -> "ENFILE (Too many open files in system)";
      case 24 -> "EMFILE (Too many open files)";
      case 26 -> "ETXTBSY (Text file busy)";
      case 27 -> "EFBIG (File too large)";
      case 28 -> "ENOSPC (No space left on device)";
      case 30 -> "EROFS (Read-only file system)";
      case 31 -> "EMLINK (Too many links)";
      case 36 -> "ENAMETOOLONG (File name too long)";
      case 37 -> "ENOLCK (No locks available)";
      case 38 -> "ENOSYS (Function not implemented)";
      case 39 -> "ENOTEMPTY (Directory not empty)";
      case 40 -> "ELOOP (Too many levels of symbolic links)";
      case 75 -> "EOVERFLOW (Value too large for defined data type)";
      case 95 -> "EOPNOTSUPP (Operation not supported)";
      case 116 -> "ESTALE (Stale file handle)";
      case 117 -> "EUCLEAN (Structure needs cleaning)";
      case 122 -> "EDQUOT (Disk quota exceeded)";
      case 123 -> "ENOMEDIUM (No medium found)";
      default -> "errno " + errno;
    };
  }
}
