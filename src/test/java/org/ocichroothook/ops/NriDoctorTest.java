package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.sys.SyscallsFactory;

/** doctor's NRI check, on a root of the test's own: enabled or not, running or not, connected. */
class NriDoctorTest {
  @TempDir Path root;

  private final Instant now = Instant.ofEpochMilli(1_000_000_000L);

  private Check check() {
    return NriPluginCheck.run(SyscallsFactory.create(), root, ProcessStart.host(), now);
  }

  private void enable() throws Exception {
    Path wants =
        Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
    Files.createSymbolicLink(
        wants.resolve("oci-chroot-hook-nri.service"),
        Path.of("/etc/systemd/system/oci-chroot-hook-nri.service"));
  }

  private Path status(String state, long start) throws Exception {
    long pid = ProcessHandle.current().pid();
    Path file = Files.createDirectories(root.resolve("run")).resolve("oci-chroot-hook-nri.status");
    Files.writeString(
        file,
        state
            + " "
            + pid
            + " "
            + start
            + " "
            + (now.toEpochMilli() - 300_000)
            + " /var/run/nri/nri.sock\n");
    return file;
  }

  private static long ownStart() throws Exception {
    return ProcessStart.host().of((int) ProcessHandle.current().pid());
  }

  @Test
  void nothingToCheckWhereTheUnitIsNotEnabled() throws Exception {
    status("disconnected", ownStart());
    assertNull(check());
  }

  @Test
  void enabledButNotRunning() throws Exception {
    enable();
    Check c = check();
    assertEquals(Check.Level.ERROR, c.level());
    assertTrue(
        c.message()
            .startsWith("oci-chroot-hook-nri.service is enabled but the plugin is not running"),
        c.message());
  }

  @Test
  void connected() throws Exception {
    enable();
    status("connected", ownStart());
    Check c = check();
    assertEquals(Check.Level.OK, c.level(), c.message());
    assertEquals(
        "the plugin (pid "
            + ProcessHandle.current().pid()
            + ") is connected to /var/run/nri/nri.sock (for 5m)",
        c.message());
  }

  @Test
  void disconnectedIsAnErrorThatSaysHowToEnableNri() throws Exception {
    enable();
    status("disconnected", ownStart());
    Check c = check();
    assertEquals(Check.Level.ERROR, c.level());
    assertTrue(
        c.message().contains("is not connected to /var/run/nri/nri.sock (for 5m)"), c.message());
    assertTrue(c.message().endsWith("(NRI fails open)"), c.message());
    assertTrue(c.fix().contains("[plugins.\"io.containerd.nri.v1.nri\"] disable = false"), c.fix());
  }

  @Test
  void aPluginThatDiedOrWhosePidWasReusedIsGone() throws Exception {
    enable();
    status("connected", ownStart() + 1);
    Check c = check();
    assertEquals(Check.Level.ERROR, c.level());
    assertTrue(c.message().contains("is gone without removing"), c.message());
  }

  @Test
  void aStatusAnyoneCouldWriteIsNotBelieved() throws Exception {
    enable();
    Path file = status("connected", ownStart());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    Check c = check();
    assertEquals(Check.Level.ERROR, c.level());
    assertTrue(
        c.message().contains("must be owned by root and writable by no one else"), c.message());
  }
}
