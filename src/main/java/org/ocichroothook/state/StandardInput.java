package org.ocichroothook.state;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Tells whether the process was started with its stdin closed. Then the kernel gives descriptor 0
 * to the first file the JVM opens (its own {@code lib/modules}, an archive or a jar), and {@code
 * System.in} reads that file: the hook would report "more than 1048576 bytes" where the truth is
 * "no stdin". A runtime never passes the JVM's own files as a container's state, so descriptor 0
 * naming a file under {@code java.home} or on the class path means stdin was closed.
 */
final class StandardInput {
  private StandardInput() {}

  static boolean isClosed() {
    Path fd0 = Path.of("/proc/self/fd/0");
    String target;
    try {
      target = Files.readSymbolicLink(fd0).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return !Files.exists(fd0, LinkOption.NOFOLLOW_LINKS);
    }
    if (!target.startsWith("/")) {
      return false; // pipe:[N], socket:[N]: what runtimes pass
    }
    String javaHome = real(System.getProperty("java.home", ""));
    if (javaHome != null && target.startsWith(javaHome + "/")) {
      return true;
    }
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (target.equals(real(entry))) {
        return true;
      }
    }
    return false;
  }

  /** The real path, as /proc/self/fd/0 names it; null when there is none. */
  private static String real(String path) {
    if (path.isEmpty()) {
      return null;
    }
    try {
      return Path.of(path).toRealPath().toString();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
