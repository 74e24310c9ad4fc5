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
 * The periodic sweep's units, checked by systemd's own verifier (the systemd package; no running
 * systemd needed) as ./install puts them in place: ExecStart pointing at an existing command.
 */
class SystemdUnitsIT {
  private static final Path UNITS =
      HookLauncherIT.CHECKOUT_LAUNCHER.getParent().resolve("packaging/systemd");
  private static final String SERVICE = "oci-chroot-hook-gc.service";
  private static final String TIMER = "oci-chroot-hook-gc.timer";

  @TempDir Path dir;

  @Test
  void theServiceAndTimerVerifyCleanly() throws Exception {
    install(Files.readString(UNITS.resolve(TIMER)));
    Command.Result r = verify();
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.stderr(), "systemd-analyze warns about nothing");
  }

  @Test
  void theTimerSweepsAFewMinutesAfterBootThenEvery15Minutes() throws Exception {
    String service = Files.readString(UNITS.resolve(SERVICE));
    assertTrue(service.contains("\nType=oneshot\n"), service);
    assertTrue(service.contains("\nExecStart=/usr/local/bin/oci-chroot-hook gc\n"), service);
    String timer = Files.readString(UNITS.resolve(TIMER));
    assertTrue(timer.contains("\nOnBootSec=5min\n"), timer);
    assertTrue(timer.contains("\nOnUnitActiveSec=15min\n"), timer);
    assertTrue(timer.contains("\nWantedBy=timers.target\n"), timer);
  }

  @Test
  void theVerifierCatchesAMistake() throws Exception {
    install(Files.readString(UNITS.resolve(TIMER)).replace("OnBootSec=", "OnBootSecs="));
    Command.Result r = verify();
    assertTrue(r.stderr().contains("Unknown key 'OnBootSecs'"), r.toString());
  }

  /** As ./install does: ExecStart rewritten to the installed command (here the checkout's). */
  private void install(String timer) throws Exception {
    Files.writeString(
        dir.resolve(SERVICE),
        Files.readString(UNITS.resolve(SERVICE))
            .replace(
                "/usr/local/bin/oci-chroot-hook", HookLauncherIT.CHECKOUT_LAUNCHER.toString()));
    Files.writeString(dir.resolve(TIMER), timer);
  }

  private Command.Result verify() {
    return Command.run(
        List.of(
            "/usr/bin/systemd-analyze",
            "verify",
            dir.resolve(SERVICE).toString(),
            dir.resolve(TIMER).toString()),
        Map.of("SYSTEMD_LOG_COLOR", "0"),
        null);
  }
}
