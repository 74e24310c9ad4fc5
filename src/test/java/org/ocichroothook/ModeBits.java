package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether file mode bits bind this JVM: not while it holds CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH,
 * as root normally does. Tests that need a mode of 000 or a read-only directory to hold carry
 * {@code @Tag(ModeBits.TAG)}; surefire runs them in an execution of their own whose JVM lacks both
 * capabilities (src/test/sh/without-dac-override), so they run as root under CI too.
 */
public final class ModeBits {
  public static final String TAG = "mode-bits";
  private static final int CAP_DAC_OVERRIDE = 1;
  private static final int CAP_DAC_READ_SEARCH = 2;

  private ModeBits() {}

  /**
   * Skips the test where mode bits do not bind; fails it in the execution that is meant to run it
   * (system property {@code tests.modeBitsBind}), so it cannot skip there unnoticed.
   */
  public static void assumeTheyBind() throws IOException {
    long effective = effectiveCapabilities();
    boolean bind = (effective & (1L << CAP_DAC_OVERRIDE | 1L << CAP_DAC_READ_SEARCH)) == 0;
    String why = "this JVM overrides file modes (CapEff " + Long.toHexString(effective) + ")";
    if (Boolean.getBoolean("tests.modeBitsBind")) {
      assertTrue(bind, why);
    }
    assumeTrue(bind, why);
  }

  private static long effectiveCapabilities() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("CapEff:")) {
        return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
      }
    }
    throw new IOException("/proc/self/status has no CapEff line");
  }
}
