package org.ocichroothook.sys;

/**
 * The one seam between the hook and the kernel: every native call the hook makes goes through here,
 * so the rest of the code is plain Java (and a fake kernel in a test only has to implement this
 * interface). The backend is {@link JniSyscalls}. Every method throws {@link SyscallException}
 * naming the call, its arguments and the errno; none of them follows a symlink that the caller did
 * not ask it to.
 */
public interface Syscalls {

  /**
   * openat(2); returns the new file descriptor. {@code dirfd} is an open directory (or {@link
   * Linux#AT_FDCWD}) that a relative {@code path} is resolved from. Flags come from {@link Linux}.
   */
  int openat(int dirfd, String path, int flags, int mode) throws SyscallException;

  /** open(2): {@link #openat} from the working directory. */
  default int open(String path, int flags, int mode) throws SyscallException {
    return openat(Linux.AT_FDCWD, path, flags, mode);
  }

  /** close(2). */
  void close(int fd) throws SyscallException;

  /** mount(2); {@code source}, {@code fstype} and {@code data} may be null. */
  void mount(String source, String target, String fstype, long flags, String data)
      throws SyscallException;

  /** umount2(2). */
  void umount2(String target, int flags) throws SyscallException;
}
