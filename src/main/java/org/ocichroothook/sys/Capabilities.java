package org.ocichroothook.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The calling process's effective capabilities, from {@code /proc/self/status}. */
public final class Capabilities {
  public static final int CAP_SYS_ADMIN = 21;

  private Capabilities() {}

  /** Whether the effective set holds {@code capability}; false when it cannot be read. */
  public static boolean effective(int capability) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
          return (mask & (1L << capability)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
