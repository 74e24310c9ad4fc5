package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;

/** Exit codes and the one stderr line, through the in-process entry point; none of these mount. */
class HookTest {
  @TempDir Path dir;
  private Path config;
  private Path stateDir;
  private Path logFile;

  /**
   * A hook whose syscall seam fails the test if any code path mounts or unmounts; opening files
   * (the configuration, the log) goes through the seam too, to the real kernel.
   */
  private final InProcess hook = new InProcess(FilesOnlySyscalls::new);

  @BeforeEach
  void writeConfig() throws Exception {
    stateDir = dir.resolve("state");
    logFile = dir.resolve("hook.log");
    config = dir.resolve("config.json");
    Files.writeString(
        config, "{\"stateDir\":\"" + stateDir + "\",\"logFile\":\"" + logFile + "\"}");
  }

  @Test
  void helpAndVersion() {
    Result help = run("", "--help");
    assertEquals(0, help.code());
    assertTrue(
        help.stdout().startsWith("Usage: oci-chroot-hook [--config FILE] [STAGE] < state.json"));
    assertTrue(
        help.stdout()
            .contains("Exit status: 0 success, 1 the work failed, 2 bad usage or bad input."));
    assertEquals("", help.stderr());
    Result version = run("", "--version");
    assertEquals(0, version.code());
    assertTrue(version.stdout().startsWith("oci-chroot-hook "), version.stdout());
  }

  @Test
  void badUsageIsExit2WithOneLine() {
    assertFailure(
        run("", "--bogus"),
        2,
        "oci-chroot-hook: unknown option --bogus (see oci-chroot-hook --help)");
    assertFailure(run("", "prestart", "poststop"), 2, "unexpected argument \"poststop\"");
    assertFailure(
        run(state("created"), "--config", config.toString(), "createContainer"),
        2,
        "stage createContainer runs inside the container's namespaces");
    assertFailure(
        run(state("running"), "--config", config.toString()),
        2,
        "no STAGE given and state status \"running\" does not imply one");
  }

  @Test
  void badInputIsExit2WithOneLine() throws Exception {
    String cfg = config.toString();
    assertFailure(
        run("{\"id\":", "--config", cfg, "prestart"), 2, "oci-chroot-hook: state: malformed JSON");
    assertFailure(
        run("{\"id\":\"c1\"}", "--config", cfg, "prestart"),
        2,
        "missing required field \"bundle\"");
    assertFailure(run("", "--config", cfg, "prestart"), 2, "stdin is empty");
    assertFailure(
        run(state("created").replace("\"c1\"", "\"../../etc\""), "--config", cfg, "prestart"),
        2,
        "invalid container id \"../../etc\"");
    assertFailure(
        run(state("created"), "--config", dir.resolve("nope.json").toString(), "prestart"),
        2,
        "nope.json: no such file");
    Files.writeString(config, "{\"stateDir\":\"relative\"}");
    assertFailure(
        run(state("created"), "--config", cfg, "prestart"),
        2,
        "\"stateDir\" must be an absolute path");
    assertFalse(Files.exists(stateDir), "nothing was created");
  }

  @Test
  void unknownPlatformFailsPrestartWithExit1BeforeTouchingAnything() throws Exception {
    String state = state("created").replace("\"kvm\"", "\"gpu\"");
    assertFailure(
        run(state, "--config", config.toString(), "prestart"),
        1,
        "oci-chroot-hook: unknown platform \"gpu\" in annotation dev.gvisor.flag.platform; known platforms: kvm, ptrace, systrap");
    assertFalse(Files.exists(stateDir), "nothing was created");
    String log = Files.readString(logFile);
    assertTrue(log.contains("INFO Hook - [c1] prestart: bundle /srv/b"), log);
    assertTrue(log.contains("ERROR Hook - [c1] unknown platform \"gpu\""), log);
  }

  @Test
  void poststopWithoutAnyStateIsANoOp() throws Exception {
    Result r = run(state("stopped"), "--config", config.toString());
    assertEquals(0, r.code(), r.stderr());
    assertEquals("", r.stderr());
    assertFalse(Files.exists(stateDir));
    assertTrue(Files.readString(logFile).contains("[c1] poststop: no state directory"));
  }

  private static void assertFailure(Result r, int code, String expected) {
    assertEquals(code, r.code(), r.stderr());
    assertTrue(r.stderr().contains(expected), r.stderr());
    assertTrue(r.oneStderrLine(), "exactly one line on stderr: " + r.stderr());
    assertEquals("", r.stdout());
  }

  private static String state(String status) {
    return TestJson.text(TestJson.withPlatform(TestJson.state("c1", status, "/srv/b"), "kvm"));
  }

  private Result run(String stdin, String... args) {
    return hook.run(stdin, args);
  }
}
