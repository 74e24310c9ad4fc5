package org.ocichroothook.sys;

/**
 * Picks the {@link Syscalls} backend: the Foreign Function &amp; Memory API where the JVM has it
 * (JDK 22+, and the build included it), jnr-posix/jnr-ffi otherwise. Both pass the same integration
 * tests. The system property {@value #PROPERTY} ({@code ffm} or {@code jnr}) forces one.
 */
public final class SyscallsFactory {
  public static final String PROPERTY = "oci-chroot-hook.syscalls";
  private static final String FFM_CLASS = "org.ocichroothook.sys.FfmSyscalls";

  private SyscallsFactory() {}

  public static Syscalls create() {
    String forced = System.getProperty(PROPERTY, "");
    if (!forced.equals("jnr") && Runtime.version().feature() >= 22) {
      try {
        return (Syscalls) Class.forName(FFM_CLASS).getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        if (forced.equals("ffm")) {
          throw new IllegalStateException(
              "the FFM backend is not available in this build: " + e, e);
        }
      }
    } else if (forced.equals("ffm")) {
      throw new IllegalStateException("the FFM backend needs JDK 22 or newer");
    }
    return new JnrSyscalls();
  }
}
