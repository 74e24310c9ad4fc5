package org.ocichroothook.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@link Syscalls} over the Foreign Function &amp; Memory API (JDK 22+), through one downcall
 * handle: libc's {@code syscall(2)} with every argument passed as a {@code long} (pointers as
 * addresses). Each distinct native signature costs the JVM a generated stub at start-up; one
 * signature instead of four is most of what makes this backend start fast. jnr, by contrast, loads
 * hundreds of classes and generates more. Compiled with {@code --release 22} and only ever loaded,
 * by name, on a JVM that has the API (see {@link SyscallsFactory}).
 */
final class FfmSyscalls implements Syscalls {
  private static final boolean ARM64 = "aarch64".equals(System.getProperty("os.arch"));
  private static final long SYS_OPENAT = ARM64 ? 56 : 257;
  private static final long SYS_CLOSE = ARM64 ? 57 : 3;
  private static final long SYS_MOUNT = ARM64 ? 40 : 165;
  private static final long SYS_UMOUNT2 = ARM64 ? 39 : 166;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle STATE_ERRNO =
      STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  /** long syscall(long number, ...): the number fixed, five variadic long arguments. */
  private static final MethodHandle SYSCALL =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("syscall").orElseThrow(),
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
          Linker.Option.captureCallState("errno"),
          Linker.Option.firstVariadicArg(1));

  @Override
  public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      long fd = call(state, SYS_OPENAT, dirfd, address(arena, path), flags, mode, 0);
      if (fd < 0) {
        throw new SyscallException(
            "openat",
            errno(state),
            new SyscallException.DirFd(dirfd),
            path,
            new SyscallException.Hex(flags));
      }
      return (int) fd;
    }
  }

  @Override
  public void close(int fd) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      if (call(state, SYS_CLOSE, fd, 0, 0, 0, 0) != 0) {
        throw new SyscallException("close", errno(state), fd);
      }
    }
  }

  @Override
  public void mount(String source, String target, String fstype, long flags, String data)
      throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      long r =
          call(
              state,
              SYS_MOUNT,
              address(arena, source),
              address(arena, target),
              address(arena, fstype),
              flags,
              address(arena, data));
      if (r != 0) {
        throw new SyscallException(
            "mount", errno(state), source, target, fstype, new SyscallException.Hex(flags));
      }
    }
  }

  @Override
  public void umount2(String target, int flags) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      if (call(state, SYS_UMOUNT2, address(arena, target), flags, 0, 0, 0) != 0) {
        throw new SyscallException(
            "umount2", errno(state), target, new SyscallException.Hex(flags));
      }
    }
  }

  private static long call(
      MemorySegment state, long number, long a, long b, long c, long d, long e) {
    try {
      return (long) SYSCALL.invokeExact(state, number, a, b, c, d, e);
    } catch (Throwable t) {
      throw new IllegalStateException("syscall " + number + ": " + t, t);
    }
  }

  /** A NUL-terminated copy of {@code s} that lives as long as {@code arena}; 0 (NULL) for null. */
  private static long address(Arena arena, String s) {
    return s == null ? 0 : arena.allocateFrom(s).address();
  }

  private static int errno(MemorySegment state) {
    return (int) STATE_ERRNO.get(state, 0L);
  }
}
