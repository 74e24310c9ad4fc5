package org.ocichroothook;

import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * The real kernel for opening and closing files, a test failure for mount and umount2: for tests of
 * input that must be refused before anything is mounted.
 */
public final class FilesOnlySyscalls implements Syscalls {
  private final Syscalls real = SyscallsFactory.create();

  @Override
  public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
    return real.openat(dirfd, path, flags, mode);
  }

  @Override
  public void close(int fd) throws SyscallException {
    real.close(fd);
  }

  @Override
  public void mount(String source, String target, String fstype, long flags, String data) {
    throw new AssertionError("this input must be refused before anything is mounted: " + target);
  }

  @Override
  public void umount2(String target, int flags) {
    throw new AssertionError("this input must be refused before anything is unmounted: " + target);
  }
}
