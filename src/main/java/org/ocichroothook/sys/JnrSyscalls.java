package org.ocichroothook.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.u_int64_t;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * {@link Syscalls} over jnr-posix, with jnr-ffi for mount(2) and umount2(2), which jnr-posix lacks.
 * jffi's native stub is loaded from {@code jffi.boot.library.path}, which the launcher points at the
 * installation's own directory.
 */
public final class JnrSyscalls implements Syscalls {

  /** The two libc entry points jnr-posix does not bind. */
  public interface MountLibrary {
    @SaveError
    int mount(String source, String target, String fstype, @u_int64_t long flags, String data);

    @SaveError
    int umount2(String target, int flags);
  }

  private final POSIX posix = POSIXFactory.getNativePOSIX();
  private final MountLibrary libc = LibraryLoader.create(MountLibrary.class).load("c");
  private final jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(libc);

  @Override
  public int open(String path, int flags, int mode) throws SyscallException {
    int fd = posix.open(path, flags, mode);
    if (fd < 0) {
      throw new SyscallException("open", posix.errno(), path, new SyscallException.Hex(flags));
    }
    return fd;
  }

  @Override
  public void close(int fd) throws SyscallException {
    if (posix.close(fd) != 0) {
      throw new SyscallException("close", posix.errno(), fd);
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
