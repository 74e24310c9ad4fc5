package org.ocichroothook.sys;

/**
 * Makes the {@link Syscalls} backend, {@link JniSyscalls}, from the library named by the system
 * property {@value #PROPERTY}: an absolute path that the launcher sets to the installation's own
 * copy (the build's {@code target/native} copy in a checkout and in the tests).
 */
public final class SyscallsFactory {
  public static final String PROPERTY = "oci-chroot-hook.native";

  private SyscallsFactory() {}

  public static Syscalls create() {
    return new JniSyscalls(System.getProperty(PROPERTY));
  }
}
