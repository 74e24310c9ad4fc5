package org.ocichroothook.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  private static long mask(String status) {
    return Capabilities.effectiveMask(status.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void readsTheEffectiveSetOfAStatusFile() {
    String status =
        "Name:\tjava\nUmask:\t0022\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
            + "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nNoNewPrivs:\t0\n";
    assertEquals(0x1ffffffffffL, mask(status));
    assertEquals(1L << Capabilities.CAP_SYS_ADMIN, mask("Name:\tx\nCapEff:\t0000000000200000\n"));
    assertEquals(0xaL, mask("Name:\tx\nCapEff:  a"), "blanks, and no newline at the end");
  }

  @Test
  void anythingElseIsNoCapability() {
    assertEquals(0, mask(""));
    assertEquals(0, mask("CapEff:\tffffffffffffffff\n"), "not at the start of a line after Name");
    assertEquals(0, mask("Name:\tx\nCapPrm:\tffff\n"), "no CapEff");
    assertEquals(0, mask("Name:\tx\nCapEff:\t\n"), "no digits");
    assertEquals(0, mask("Name:\tx\nCapEff:\t00zz\n"), "not hexadecimal");
    assertEquals(0, mask("Name:\tx\nCapEff:\t10000000000000000\n"), "more than 64 bits");
    assertEquals(0, mask("Name:\tx\nXCapEff:\tffff\n"), "another field's name");
  }

  @Test
  void agreesWithTheProcessStatusReadAsLines() throws Exception {
    long expected = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("CapEff:")) {
        expected = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
      }
    }
    assertEquals(
        expected, Capabilities.effectiveMask(Files.readAllBytes(Path.of("/proc/self/status"))));
    assertEquals(
        (expected & (1L << Capabilities.CAP_SYS_ADMIN)) != 0,
        Capabilities.effective(Capabilities.CAP_SYS_ADMIN));
  }
}
