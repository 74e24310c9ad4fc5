package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;

/**
 * Issue 8: hostile input through the in-process entry point. Nothing here mounts: the syscall seam
 * opens files and fails the test on any mount ({@link FilesOnlySyscalls}). Poststop without a state
 * directory is the stage that does no work, so an accepted state exits 0 here.
 */
class HostileInputTest {
  @TempDir Path dir;
  private Path config;
  private Path stateDir;
  private Path logFile;
  private final Hook hook = new Hook(FilesOnlySyscalls::new);

  @BeforeEach
  void writeConfig() throws Exception {
    stateDir = dir.resolve("state");
    logFile = dir.resolve("hook.log");
    config = dir.resolve("config.json");
    writeConfig(g -> {});
  }

  /** The test's configuration, followed by {@code more} fields (a repeated one included). */
  private void writeConfig(TestJson.Fields more) throws Exception {
    Files.writeString(
        config,
        TestJson.text(
            TestJson.object()
                .put("stateDir", stateDir.toString())
                .put("logFile", logFile.toString()),
            more));
  }

  // Item 8: a repeated key is refused, never "the last one wins".

  @Test
  void repeatedKeysInTheStateAreRefusedNamingTheKey() {
    String bundle = "\"bundle\":\"/srv/b\"";
    assertRefused(
        "{\"id\":\"c1\",\"i\\u0064\":\"c2\"," + bundle + "}", 2, "state: duplicate key \"id\"");
    assertRefused(
        "{\"id\":\"c1\",\"status\":\"stopped\",\"status\":\"creating\"," + bundle + "}",
        2,
        "duplicate key \"status\"");
    assertRefused(
        "{\"id\":\"c1\"," + bundle + ",\"bundle\":\"/srv/other\"}", 2, "duplicate key \"bundle\"");
    assertRefused(
        "{\"id\":\"c1\","
            + bundle
            + ",\"annotations\":{\"dev.gvisor.flag.platform\":\"ptrace\","
            + "\"dev.gvisor.flag.platform\":\"kvm\"}}",
        2,
        "duplicate key \"dev.gvisor.flag.platform\"");
    assertRefused(
        "{\"id\":\"c1\"," + bundle + ",\"annotations\":{},\"annotations\":{}}",
        2,
        "duplicate key \"annotations\"");
  }

  @Test
  void repeatedKeysInTheConfigurationAreRefused() throws Exception {
    writeConfig(g -> g.writeStringField("stateDir", "/tmp/elsewhere"));
    assertRefused(state("c1"), 2, "config " + config + ": duplicate key \"stateDir\"");
    Files.writeString(config, "{\"platforms\":{\"kvm\":[],\"kvm\":[\"/dev/kvm\"]}}");
    assertRefused(state("c1"), 2, "duplicate key \"kvm\"");
  }

  // Item 9: invalid UTF-8 is refused, never decoded into another name.

  @Test
  void invalidUtf8IsRefused() {
    byte[] overlongId = bytes("{\"id\":\"c\u00ff1\",\"bundle\":\"/srv/b\"}", "\u00ff", 0xc0, 0xb1);
    assertRefused(overlongId, 2, "state: invalid UTF-8 at byte 8");
    byte[] overlongPlatform =
        bytes(
            "{\"id\":\"c1\",\"bundle\":\"/srv/b\",\"annotations\":"
                + "{\"dev.gvisor.flag.platform\":\"kv\u00ff\"}}",
            "\u00ff",
            0xc1,
            0xad);
    assertRefused(overlongPlatform, 2, "invalid UTF-8");
    byte[] surrogate =
        bytes("{\"id\":\"c1\",\"bundle\":\"/srv/\u00ff\"}", "\u00ff", 0xed, 0xa0, 0x80);
    assertRefused(surrogate, 2, "invalid UTF-8");
  }

  @Test
  void aByteOrderMarkStaysAccepted() throws Exception {
    byte[] state = state("c1").getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[state.length + 3];
    withBom[0] = (byte) 0xef;
    withBom[1] = (byte) 0xbb;
    withBom[2] = (byte) 0xbf;
    System.arraycopy(state, 0, withBom, 3, state.length);
    Result r = run(withBom, "--config", config.toString(), "poststop");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(Files.readString(logFile).contains("[c1] poststop: no state directory"));
  }

  // Item 10: no control character reaches stderr or the log as itself.

  @Test
  void controlCharactersAreEscapedOnStderr() {
    Result r = run("{\"id\":\"c\\r\\u001b[2Kx\\u007f\",\"bundle\":\"/srv/b\"}", "poststop");
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("invalid container id \"c\\r\\x1b[2Kx\\x7f\""), r.stderr());
    assertNoControlCharacters(r.stderr().substring(0, r.stderr().length() - 1));
  }

  @Test
  void aBundleCannotForgeALogLine() throws Exception {
    String forged =
        "/srv/b\\n2026-01-01T00:00:00.000Z INFO Hook - [c2] poststop: removed\\r\\u001b[A";
    Result r =
        run(
            "{\"id\":\"c1\",\"status\":\"stopped\",\"bundle\":\"" + forged + "\"}",
            "--config",
            config.toString());
    assertEquals(0, r.code(), r.stderr());
    List<String> lines = Files.readAllLines(logFile);
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(
        lines
            .get(0)
            .endsWith(
                "[c1] poststop: bundle /srv/b\\n2026-01-01T00:00:00.000Z INFO Hook"
                    + " - [c2] poststop: removed\\r\\x1b[A"),
        lines.get(0));
    for (String line : lines) {
      assertNoControlCharacters(line);
    }
  }

  // Item 11: every failure after the configuration is logged, with the id when known.

  @Test
  void aBadStateIsLogged() throws Exception {
    Result r = run("{\"id\":", "--config", config.toString(), "prestart");
    assertEquals(2, r.code());
    String log = Files.readString(logFile);
    assertTrue(log.contains(" ERROR Hook - state: malformed JSON"), log);
    assertRefused("{\"id\":\"c1\"}", 2, "missing required field \"bundle\"");
    assertTrue(Files.readString(logFile).contains("ERROR Hook - state: missing required field"));
  }

  @Test
  void errorLinesNameTheContainer() throws Exception {
    Result r =
        run(
            "{\"id\":\"c7\",\"status\":\"running\",\"bundle\":\"/srv/b\"}",
            "--config",
            config.toString());
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("does not imply one"), r.stderr());
    assertTrue(
        Files.readString(logFile).contains("ERROR Hook - [c7] no STAGE given"),
        Files.readString(logFile));
  }

  // Item 14: a device listed twice is a configuration error.

  @Test
  void aDeviceListedTwiceIsRefused() throws Exception {
    ObjectNode platforms = TestJson.object();
    platforms.putArray("kvm").add("/dev/kvm").add("/dev/kvm");
    platforms.putArray("ptrace");
    writeConfig(g -> g.writeObjectField("platforms", platforms));
    assertRefused(state("c1"), 2, "\"platforms.kvm\": device \"/dev/kvm\" is listed twice");
  }

  // Item 15: every quoted value is bounded.

  @Test
  void aHugeBundleIsNotEchoed() {
    String huge = "/srv/" + "b".repeat(900_000);
    Result r =
        run(
            "{\"id\":\"c1\",\"bundle\":\"" + huge + "\"}",
            "--config",
            config.toString(),
            "poststop");
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("is longer than a path can be"), r.stderr());
    assertTrue(r.stderr().length() < 1000, "bounded: " + r.stderr().length() + " characters");
    Result relative =
        run(
            "{\"id\":\"c1\",\"bundle\":\"" + huge.substring(1, 4000) + "\"}",
            "--config",
            config.toString(),
            "poststop");
    assertEquals(2, relative.code());
    assertTrue(relative.stderr().contains("bundle must be an absolute path"), relative.stderr());
    assertTrue(relative.stderr().length() < 1000, relative.stderr().length() + " characters");
  }

  @Test
  void aHugeStatusOrArgumentIsNotEchoed() {
    String huge = "s".repeat(100_000);
    Result status =
        run(
            "{\"id\":\"c1\",\"status\":\"" + huge + "\",\"bundle\":\"/srv/b\"}",
            "--config",
            config.toString());
    assertEquals(2, status.code());
    assertTrue(status.stderr().contains("state status \"sss"), status.stderr());
    assertTrue(status.stderr().length() < 1000, status.stderr().length() + " characters");
    for (String[] args :
        new String[][] {{"prestart", huge}, {"--" + huge}, {"x" + huge}, {"inject", "a", huge}}) {
      Result r = run("", args);
      assertEquals(2, r.code());
      assertTrue(r.stderr().length() < 1000, r.stderr().length() + " characters");
    }
  }

  @Test
  void aHugeUnknownConfigurationKeyIsNotEchoed() throws Exception {
    writeConfig(g -> g.writeNumberField("k".repeat(40_000), 1));
    Result r = run(state("c1"), "--config", config.toString());
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("unknown field \"kkk"), r.stderr());
    assertTrue(r.stderr().length() < 1000, r.stderr().length() + " characters");
  }

  // Item 2: the configuration must be root's (or the hook's user's) alone.

  @Test
  void aConfigurationOthersCanWriteIsRefused() throws Exception {
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertRefused(state("c1"), 2, "must be owned by root and writable by no one else");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw-r--"));
    assertRefused(state("c1"), 2, "mode 0664");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = dir.resolve("link.json");
    Files.createSymbolicLink(link, config);
    Result ok = run(state("c1"), "--config", link.toString());
    assertEquals(0, ok.code(), "a symlink to a good file is fine: " + ok.stderr());
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--rw-"));
    Files.delete(logFile);
    Result r = run(state("c1"), "--config", link.toString());
    assertEquals(2, r.code());
    assertTrue(r.stderr().contains("writable by no one else"), r.stderr());
    assertFalse(Files.exists(logFile), "nothing was logged through a refused configuration");
  }

  // Item 3: the log is appended to only as a regular file, never through a symlink.

  @Test
  void aSymlinkedLogFileIsNotFollowed() throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "precious\n");
    Files.createSymbolicLink(logFile, victim);
    Result r = run(state("c1"), "--config", config.toString());
    assertEquals(0, r.code(), r.stderr());
    assertEquals("precious\n", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(logFile));
  }

  @Test
  void theLogFileIsCreatedReadableByRootAlone() throws Exception {
    assertEquals(0, run(state("c1"), "--config", config.toString()).code());
    assertEquals(
        "rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(logFile)));
  }

  // Item 7: every read is bounded.

  @Test
  void aDeviceOrAHugeFileAsConfigurationIsRefused() throws Exception {
    assertRefused(
        state("c1"), "/dev/zero", 2, "config /dev/zero: not a regular file (a character device)");
    Path big = dir.resolve("big.json");
    Files.writeString(big, "{\"logLevel\":\"" + "x".repeat(2 << 20) + "\"}");
    assertRefused(state("c1"), big.toString(), 2, "larger than 1048576 bytes");
  }

  private void assertRefused(String stdin, int code, String expected) {
    assertRefused(stdin.getBytes(StandardCharsets.UTF_8), code, expected);
  }

  private void assertRefused(byte[] stdin, int code, String expected) {
    Result r = run(stdin, "--config", config.toString(), "poststop");
    assertEquals(code, r.code(), r.stderr());
    assertTrue(r.stderr().contains(expected), r.stderr());
    assertTrue(r.oneStderrLine(), r.stderr());
  }

  private void assertRefused(String stdin, String configFile, int code, String expected) {
    Result r = run(stdin.getBytes(StandardCharsets.UTF_8), "--config", configFile, "poststop");
    assertEquals(code, r.code(), r.stderr());
    assertTrue(r.stderr().contains(expected), r.stderr());
    assertTrue(r.oneStderrLine(), r.stderr());
  }

  static void assertNoControlCharacters(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      assertFalse(c < 0x20 || c == 0x7f, "control character " + (int) c + " at " + i + ": " + text);
    }
  }

  /** {@code template} in UTF-8, with {@code marker} replaced by the raw bytes given. */
  private static byte[] bytes(String template, String marker, int... raw) {
    int at = template.indexOf(marker);
    byte[] head = template.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] tail = template.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + raw.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    for (int i = 0; i < raw.length; i++) {
      out[head.length + i] = (byte) raw[i];
    }
    System.arraycopy(tail, 0, out, head.length + raw.length, tail.length);
    return out;
  }

  private static String state(String id) {
    return TestJson.text(
        TestJson.object().put("id", id).put("status", "stopped").put("bundle", "/srv/b"));
  }

  private Result run(String stdin, String... args) {
    return run(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  private Result run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        hook.execute(
            new ByteArrayInputStream(stdin),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    return new Result(
        InProcess.command(args),
        code,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
