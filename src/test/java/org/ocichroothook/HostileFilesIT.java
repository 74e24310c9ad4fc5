package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;

/**
 * Issue 8 where the kernel must be involved: FIFOs that used to hang the hook forever (items 6),
 * files owned by another user (items 2 and 12), and the launcher with its real 64 MiB heap (item 7)
 * and a closed stdin (item 16). Every FIFO test fails by timeout rather than hanging the build.
 */
class HostileFilesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int NOBODY = 65534;

  @TempDir Path base;
  @TempDir Path work;
  private Path launcher;

  /** The launcher of an installed copy of this build, running the JDK under test. */
  private Path launcher() throws java.io.IOException {
    if (launcher == null) {
      launcher = Installation.create(base.resolve("prefix")).launcher();
    }
    return launcher;
  }

  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  // Item 6: never block on a FIFO.

  @Test
  void aFifoAsConfigurationIsRefusedWithoutBlocking() {
    Path fifo = mkfifo(work.resolve("config.json"));
    Result r =
        assertTimeoutPreemptively(
            TIMEOUT, () -> hook.run(state("f1", "stopped"), "--config", fifo.toString()));
    assertEquals(2, r.code(), r.stderr());
    assertTrue(r.stderr().contains(": not a regular file (a FIFO)"), r.stderr());
  }

  @Test
  void aFifoAsLogFileIsNeverOpened() throws Exception {
    Path fifo = mkfifo(work.resolve("hook.log"));
    Path config = work.resolve("config.json");
    TestJson.write(
        config,
        TestJson.object()
            .put("stateDir", work.resolve("absent").toString())
            .put("logFile", fifo.toString()));
    Result r =
        assertTimeoutPreemptively(
            TIMEOUT, () -> hook.run(state("f2", "stopped"), "--config", config.toString()));
    assertEquals(0, r.code(), "a log that cannot be opened fails no container: " + r.stderr());
  }

  @Test
  void aFifoAsTheLockIsRefusedWithoutBlocking() {
    Path lock = mkfifo(dir.stateDir().resolve(".lock"));
    for (String stage : new String[] {"prestart", "poststop"}) {
      Result r =
          assertTimeoutPreemptively(
              TIMEOUT,
              () ->
                  hook.run(
                      TestStateDir.state("f3", "creating", "/srv/b", "ptrace"),
                      "--config",
                      dir.config().toString(),
                      stage));
      assertEquals(1, r.code(), r.stderr());
      assertTrue(r.stderr().contains("lock " + lock + ": not a regular file (a FIFO)"), r.stderr());
      assertFalse(Files.exists(dir.containerDir("f3")));
    }
  }

  // Item 2: a configuration owned by another user is refused, through a symlink too.

  @Test
  void aConfigurationOwnedByAnotherUserIsRefused() throws Exception {
    Files.setAttribute(dir.config(), "unix:uid", NOBODY);
    Path link = Files.createSymbolicLink(work.resolve("link.json"), dir.config());
    for (Path config : List.of(dir.config(), link)) {
      Result r = hook.run(state("o1", "stopped"), "--config", config.toString());
      assertEquals(2, r.code(), r.stderr());
      assertTrue(
          r.stderr().contains("must be owned by root and writable by no one else (owner uid 65534"),
          r.stderr());
    }
    assertFalse(Files.exists(dir.logFile()), "nothing done on its word");
  }

  // Item 12: inject keeps owner, group and mode.

  @Test
  void injectKeepsOwnerGroupAndMode() throws Exception {
    Path bundle = Files.createDirectories(work.resolve("bundle"));
    Path config = bundle.resolve("config.json");
    Files.copy(Fixtures.dir().resolve("bundle/runc-spec.config.json"), config);
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
    Files.setAttribute(config, "unix:uid", NOBODY);
    Files.setAttribute(config, "unix:gid", NOBODY);
    Command.Result r =
        Command.run(List.of(launcher().toString(), "inject", bundle.toString()), Map.of(), null);
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.readString(config).contains("\"poststop\""));
    Map<String, Object> attrs =
        Files.readAttributes(config, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
    assertEquals(NOBODY, attrs.get("uid"));
    assertEquals(NOBODY, attrs.get("gid"));
    assertEquals(0100640, attrs.get("mode"));
  }

  // Item 7: through the launcher, with its 64 MiB heap: one line and the exit code, never an
  // OutOfMemoryError.

  @Test
  void theLauncherAnswersUnboundedInputWithOneLine() throws Exception {
    Command.Result zero = launch("f5", "--config", "/dev/zero");
    assertEquals(2, zero.code(), zero.stderr());
    assertEquals(
        "oci-chroot-hook: config /dev/zero: not a regular file (a character device)\n",
        zero.stderr());

    Path bundle = Files.createDirectories(work.resolve("big"));
    writeSmallObjects(bundle.resolve("config.json"), 15 << 20);
    Command.Result inject =
        Command.run(List.of(launcher().toString(), "inject", bundle.toString()), Map.of(), null);
    assertEquals(2, inject.code(), inject.toString());
    assertTrue(inject.stderr().endsWith("config.json: larger than 1048576 bytes"), inject.stderr());
    writeSmallObjects(bundle.resolve("config.json"), (1 << 20) - 100);
    inject =
        Command.run(List.of(launcher().toString(), "inject", bundle.toString()), Map.of(), null);
    assertEquals(2, inject.code(), inject.toString());
    assertFalse(inject.stderr().contains("OutOfMemoryError"), inject.stderr());
    assertFalse(inject.stderr().contains("\n"), inject.stderr());

    Path journal = Files.createDirectories(dir.containerDir("f5")).resolve("journal.json");
    try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
      f.write("{\"version\":1,\"mounts\":{\"a\":\"".getBytes(StandardCharsets.UTF_8));
      f.setLength(200L << 20);
    }
    Command.Result post = launch("f5", "--config", dir.config().toString(), "poststop");
    assertEquals(2, post.code(), "a journal too large is bad input: " + post.stderr());
    assertTrue(post.stderr().contains("larger than 1048576 bytes"), post.stderr());
    assertTrue(post.stderr().indexOf('\n') == post.stderr().length() - 1, post.stderr());
  }

  // Item 16: a closed stdin is reported as closed.

  @Test
  void aClosedStdinIsReportedAsClosed() throws Exception {
    Command.Result r =
        Command.run(
            List.of(
                "sh",
                "-c",
                "exec \"$0\" \"$@\" <&-",
                launcher().toString(),
                "--config",
                dir.config().toString(),
                "prestart"),
            Map.of(),
            null);
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        "oci-chroot-hook: state: stdin is closed; the runtime passes the OCI state there",
        r.stderr());
  }

  private Command.Result launch(String id, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(launcher().toString());
    command.addAll(List.of(args));
    return Command.inEmptyEnvironment(command, work, state(id, "stopped"));
  }

  /** A config.json of {@code size} bytes, mostly {@code {},}: a tree of many small nodes. */
  private static void writeSmallObjects(Path file, int size) throws Exception {
    StringBuilder json = new StringBuilder(size).append("{\"ociVersion\":\"1.0.2\",\"x\":[{}");
    while (json.length() < size - 3) {
      json.append(",{}");
    }
    Files.writeString(file, json.append("]}"));
  }

  private static Path mkfifo(Path path) {
    Command.run(List.of("mkfifo", path.toString()), Map.of(), null).ok();
    return path;
  }

  private static String state(String id, String status) {
    return TestStateDir.state(id, status, "/srv/b", null);
  }
}
