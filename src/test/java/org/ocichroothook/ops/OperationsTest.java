package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which command lines are the operator's commands, and their usage errors (nothing is read). */
class OperationsTest {
  @Test
  void theCommandIsFoundWhereverItsOptionsAre() {
    assertTrue(Operations.handles("gc", "--min-age", "1h"));
    assertTrue(Operations.handles("--min-age", "1h", "gc"), "1h is --min-age's value");
    assertTrue(Operations.handles("--config=/c.json", "list"));
    assertFalse(Operations.handles("--config", "list"), "list is the configuration file here");
    assertFalse(Operations.handles("--help", "doctor"));
    assertFalse(Operations.handles("prestart"));
  }

  @Test
  void usageErrorsAreOneLineAndExit2() {
    assertUsage("oci-chroot-hook: --config needs a FILE", "list", "--config=");
    assertUsage("oci-chroot-hook: --min-age needs a DURATION (90s, 10m, 2h)", "gc", "--min-age");
    assertUsage("oci-chroot-hook: unknown option --bogus", "doctor", "--bogus");
    assertUsage("oci-chroot-hook: unexpected argument \"again\"", "list", "again");
    assertUsage("oci-chroot-hook: --json goes with list or doctor", "gc", "--json");
  }

  private static void assertUsage(String line, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new Operations(
                () -> {
                  throw new AssertionError("a usage error reads nothing");
                })
            .run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
    assertEquals(2, code);
    assertEquals(line + " (see oci-chroot-hook --help)\n", err.toString(StandardCharsets.UTF_8));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }
}
