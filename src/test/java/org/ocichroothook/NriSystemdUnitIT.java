package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NRI plugin's unit, checked by systemd's own verifier as ./install puts it in place (ExecStart
 * naming an existing command), as SystemdUnitsIT does for the gc units.
 */
class NriSystemdUnitIT {
  private static final Path UNIT =
      HookLauncherIT.CHECKOUT_LAUNCHER
          .getParent()
          .resolve("packaging/systemd/oci-chroot-hook-nri.service");

  @TempDir Path dir;

  @Test
  void verifiesCleanly() throws Exception {
    Command.Result r = verify(Files.readString(UNIT));
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.stderr(), "systemd-analyze warns about nothing");
  }

  @Test
  void runsThePluginAfterContainerdAndRestartsItAlways() throws Exception {
    String unit = Files.readString(UNIT);
    assertTrue(unit.contains("\nAfter=containerd.service\n"), unit);
    assertTrue(unit.contains("\nExecStart=/usr/local/bin/oci-chroot-hook nri\n"), unit);
    assertTrue(unit.contains("\nRestart=always\n"), unit);
    assertTrue(unit.contains("\nSuccessExitStatus=143\n"), unit);
    assertTrue(unit.contains("\nWantedBy=multi-user.target\n"), unit);
  }

  @Test
  void theVerifierCatchesAMistake() throws Exception {
    Command.Result r = verify(Files.readString(UNIT).replace("Restart=always", "Restart=alwayz"));
    // systemd words it differently by version ("Failed to parse service restart specifier" in 252,
    // "Failed to parse Restart=alwayz" in 257): both name the bad value.
    assertTrue(r.stderr().contains("alwayz"), r.toString());
  }

  private Command.Result verify(String unit) throws Exception {
    Path file = dir.resolve("oci-chroot-hook-nri.service");
    Files.writeString(
        file,
        unit.replace(
            "/usr/local/bin/oci-chroot-hook", HookLauncherIT.CHECKOUT_LAUNCHER.toString()));
    return Command.run(
        List.of("/usr/bin/systemd-analyze", "verify", file.toString()),
        Map.of("SYSTEMD_LOG_COLOR", "0"),
        null);
  }
}
