package org.ocichroothook.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.u_int64_t;

/**
 * {@link Syscalls} over jnr-ffi, the backend on JDK 17-21. It binds exactly the four libc functions
 * the hook calls: jnr-posix's POSIX binding covers hundreds, and jnr-ffi generates their stubs when
 * it loads, which measured ~350 ms per hook process against ~160 ms for these four (JDK 17, AppCDS;
 * see BENCHMARKS.md). jnr-posix still brings jnr-constants, which names errno values. jffi's native
 * stub is loaded from {@code jffi.boot.library.path}, which the launcher points at the
 * installation.
 */
public final class JnrSyscalls implements Syscalls {

  /** The libc entry points the hook needs; errno is saved after each call. */
  public interface LibC {
    @SaveError
    int openat(int dirfd, String path, int flags, int mode);

    @SaveError
    int close(int fd);

    @SaveError
    int mount(String source, String target, String fstype, @u_int64_t long flags, String data);

    @SaveError
    int umount2(String target, int flags);
  }

  private final LibC libc = LibraryLoader.create(LibC.class).load("c");
  private final jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(libc);

  @Override
  public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
    int fd = libc.openat(dirfd, path, flags, mode);
    if (fd < 0) {
      throw new SyscallException(
          "openat",
          runtime.getLastError(),
          new SyscallException.DirFd(dirfd),
          path,
          new SyscallException.Hex(flags));
    }
    return fd;
  }

  @Override
  public void close(int fd) throws SyscallException {
    if (libc.close(fd) != 0) {
      throw new SyscallException("close", runtime.getLastError(), fd);
    }
  }

  @Override
  public void mount(String source, String target, String fstype, long flags, String data)
      throws SyscallException {
    if (libc.mount(source, target, fstype, flags, data) != 0) {
      throw new SyscallException(
          "mount", runtime.getLastError(), source, target, fstype, new SyscallException.Hex(flags));
    }
  }

  @Override
  public void umount2(String target, int flags) throws SyscallException {
    if (libc.umount2(target, flags) != 0) {
      throw new SyscallException(
          "umount2", runtime.getLastError(), target, new SyscallException.Hex(flags));
    }
  }
}
