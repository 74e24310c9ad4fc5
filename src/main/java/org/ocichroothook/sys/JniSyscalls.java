package org.ocichroothook.sys;

import java.nio.charset.StandardCharsets;

/**
 * {@link Syscalls} over JNI: libc's openat, close, mount and umount2 through a C library of four
 * functions ({@code src/main/c/syscalls.c}) that the build compiles with gcc and the installation
 * keeps in its own root-owned directory. Measured against the FFM API and jnr-ffi it starts the
 * fastest by far: a JNI call needs no stub generated at run time and no support classes, so the
 * start-up archive holds all of it (see README, "Dependencies", and BENCHMARKS.md).
 *
 * <p>Each native function returns its result or {@code -errno}, read in C right after the call, so
 * no later call can overwrite it. Strings cross as UTF-8 bytes; the C side refuses a NUL inside one
 * (EINVAL) rather than silently shortening a path.
 */
final class JniSyscalls implements Syscalls {

  /**
   * Loads the library from {@code library}, which must be an absolute path: never a name looked up
   * in {@code java.library.path}, the working directory or /tmp.
   */
  JniSyscalls(String library) {
    if (library == null || !library.startsWith("/")) {
      throw new IllegalStateException(
          "the hook's native library must be given as an absolute path in -D"
              + SyscallsFactory.PROPERTY
              + " (the launcher passes it), not "
              + (library == null ? "nothing" : "\"" + library + "\""));
    }
    System.load(library);
  }

  private static native int openat0(int dirfd, byte[] path, int flags, int mode);

  private static native int close0(int fd);

  private static native int mount0(
      byte[] source, byte[] target, byte[] fstype, long flags, byte[] data);

  private static native int umount20(byte[] target, int flags);

  @Override
  public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
    int fd = openat0(dirfd, bytes(path), flags, mode);
    if (fd < 0) {
      throw new SyscallException(
          "openat", -fd, new SyscallException.DirFd(dirfd), path, new SyscallException.Hex(flags));
    }
    return fd;
  }

  @Override
  public void close(int fd) throws SyscallException {
    int r = close0(fd);
    if (r != 0) {
      throw new SyscallException("close", -r, fd);
    }
  }

  @Override
  public void mount(String source, String target, String fstype, long flags, String data)
      throws SyscallException {
    int r = mount0(bytes(source), bytes(target), bytes(fstype), flags, bytes(data));
    if (r != 0) {
      throw new SyscallException(
          "mount", -r, source, target, fstype, new SyscallException.Hex(flags));
    }
  }

  @Override
  public void umount2(String target, int flags) throws SyscallException {
    int r = umount20(bytes(target), flags);
    if (r != 0) {
      throw new SyscallException("umount2", -r, target, new SyscallException.Hex(flags));
    }
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
