package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.cli.CommandLine;

/** The nri command's dispatch and its usage errors, in-process; nothing here connects. */
class NriCommandLineTest {
  private final InProcess hook = new InProcess(FilesOnlySyscalls::new);

  @TempDir Path dir;

  @Test
  void nriIsTheCommandWhereverItsOptionsAre() throws Exception {
    assertEquals(CommandLine.Command.NRI, CommandLine.parse("nri").command());
    assertEquals(
        CommandLine.Command.NRI,
        CommandLine.parse("--config", "/c.json", "--socket", "/s.sock", "nri").command());
    assertEquals(CommandLine.Command.NRI, CommandLine.parse("nri", "--socket=/s").command());
    assertEquals(CommandLine.Command.HELP, CommandLine.parse("nri", "--help").command());
    assertEquals(CommandLine.Command.HOOK, CommandLine.parse("--config", "nri").command());
  }

  @Test
  void usageErrorsAreOneLineAndExit2() {
    assertUsage(
        "oci-chroot-hook: unknown option --bogus (see oci-chroot-hook --help)", "nri", "--bogus");
    assertUsage(
        "oci-chroot-hook: --socket must be an absolute path, got \"nri.sock\" (see oci-chroot-hook"
            + " --help)",
        "nri",
        "--socket",
        "nri.sock");
    assertUsage(
        "oci-chroot-hook: --socket needs a PATH (see oci-chroot-hook --help)", "nri", "--socket");
    assertUsage(
        "oci-chroot-hook: unexpected argument \"extra\" (see oci-chroot-hook --help)",
        "nri",
        "extra");
    assertUsage(
        "oci-chroot-hook: unknown option --socket (see oci-chroot-hook --help)", "--socket", "/s");
  }

  @Test
  void aMissingConfigurationIsRefusedBeforeConnecting() {
    String before = System.getProperty("oci-chroot-hook.launcher");
    System.setProperty("oci-chroot-hook.launcher", "/usr/local/bin/oci-chroot-hook");
    try {
      Path missing = dir.resolve("missing.json");
      Result r =
          hook.run(
              "", "nri", "--config", missing.toString(), "--socket", dir.resolve("s").toString());
      assertEquals(2, r.code(), r.toString());
      assertEquals("oci-chroot-hook: config " + missing + ": no such file\n", r.stderr());
    } finally {
      if (before == null) {
        System.clearProperty("oci-chroot-hook.launcher");
      } else {
        System.setProperty("oci-chroot-hook.launcher", before);
      }
    }
  }

  @Test
  void theUsageNamesIt() {
    Result r = hook.run("", "--help");
    assertTrue(
        r.stdout().contains("oci-chroot-hook nri [--config FILE] [--socket PATH]"), r.stdout());
  }

  private void assertUsage(String line, String... args) {
    Result r = hook.run("", args);
    assertEquals(2, r.code(), r.toString());
    assertEquals(line + "\n", r.stderr());
    assertTrue(r.oneStderrLine());
  }
}
