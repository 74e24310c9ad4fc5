package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command;
import org.ocichroothook.InProcess;
import org.ocichroothook.Installation;
import org.ocichroothook.TestJson;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;

/**
 * list and gc against real chroots and real orphans, in the test JVM's private mount namespace: a
 * container process killed, a prestart SIGKILLed between two mounts, a bundle removed.
 */
class OpsIT {
  static final Path LAUNCHER =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void gcRemovesExactlyTheOrphansAndLeavesLiveChrootsAndTheMountTableAsBefore() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    Process live = container();
    ok(prestart("live-pid", (int) live.pid(), bundle));
    ok(prestart("live-bundle", null, bundle));
    String withLiveOnly = TestStateDir.mountinfo();

    Process doomed = container();
    ok(prestart("dead-pid", (int) doomed.pid(), bundle));
    kill(doomed);
    Path removed = Files.createDirectories(base.resolve("removed-bundle"));
    ok(prestart("no-bundle", null, removed));
    Files.delete(removed);
    int killedPid = killedPrestart("killed", bundle);
    assertEquals(Set.of("live-pid", "live-bundle", "dead-pid", "no-bundle", "killed"), chroots());

    Map<String, String> snapshot = snapshot();
    String mounts = TestStateDir.mountinfo();
    Command.Result dry = ops("gc", "--dry-run", "--min-age", "0s");
    assertEquals(0, dry.code(), dry.stderr());
    assertEquals(
        Set.of(
            "would keep live-bundle: no pid recorded and bundle \""
                + bundle
                + "\" still exists: no evidence the container is gone, kept",
            "would keep live-pid: process " + live.pid() + " is alive",
            "would remove dead-pid: process " + doomed.pid() + " is gone",
            "would remove killed: process " + killedPid + " is gone",
            "would remove no-bundle: no pid recorded and bundle \""
                + removed
                + "\" no longer exists"),
        lines(dry.stdout()));
    assertEquals(snapshot, snapshot(), "--dry-run changes nothing");
    assertEquals(mounts, TestStateDir.mountinfo());

    Command.Result young = ops("gc");
    assertEquals(0, young.code(), young.stderr());
    assertTrue(
        young
            .stdout()
            .contains(
                "kept dead-pid: process "
                    + doomed.pid()
                    + " is gone; younger than 10m, kept for now"),
        young.stdout());
    assertEquals(snapshot, snapshot(), "the default --min-age keeps what was just made");

    Command.Result gc = ops("gc", "--min-age", "0s");
    assertEquals(0, gc.code(), gc.stdout() + gc.stderr());
    assertEquals("", gc.stderr());
    assertTrue(gc.stdout().contains("removed dead-pid: process " + doomed.pid() + " is gone"));
    assertTrue(gc.stdout().contains("removed killed: process " + killedPid + " is gone"));
    assertTrue(gc.stdout().contains("removed no-bundle: no pid recorded and bundle"));
    assertTrue(gc.stdout().contains("kept live-pid: process " + live.pid() + " is alive"));
    assertEquals(Set.of("live-pid", "live-bundle"), chroots());
    assertEquals(withLiveOnly, TestStateDir.mountinfo(), "the live chroots keep their mounts");
    assertEquals(3, MountTable.read().atOrBelow(dir.containerDir("live-pid")).size());
    String log = Files.readString(dir.logFile());
    assertTrue(log.contains("[dead-pid] gc: removing, process " + doomed.pid() + " is gone"), log);
    assertTrue(log.contains("[dead-pid] gc: removed " + dir.containerDir("dead-pid")), log);
    assertFalse(log.contains("[dead-pid] poststop"), "gc's teardown says it is gc's: " + log);

    Command.Result again = ops("gc", "--min-age", "0s");
    assertEquals(0, again.code());
    assertFalse(again.stdout().contains("removed"), again.stdout());
  }

  @Test
  void aPidReusedByAnotherProcessIsAnOrphan() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    Process live = container();
    ok(prestart("reused", (int) live.pid(), bundle));
    Path journal = dir.containerDir("reused").resolve("journal.json");
    // The same pid with another start time: what a reused pid looks like.
    String text = Files.readString(journal);
    String start = text.replaceAll(".*\"pidStartTime\":\"([0-9]+)\".*\\s*", "$1");
    Files.writeString(
        journal,
        text.replace(
            "\"pidStartTime\":\"" + start + "\"",
            "\"pidStartTime\":\"" + (Long.parseLong(start) - 1) + "\""));
    Command.Result gc = ops("gc", "--min-age", "0s");
    assertEquals(0, gc.code(), gc.stderr());
    assertTrue(
        gc.stdout().startsWith("removed reused: pid " + live.pid() + " is another process now"),
        gc.stdout());
    assertEquals(Set.of(), chroots());
  }

  @Test
  void listJsonParsesAndDescribesEachChroot() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    Process live = container();
    ok(prestart("c-live", (int) live.pid(), bundle));
    Process doomed = container();
    ok(prestart("c-dead", (int) doomed.pid(), bundle));
    kill(doomed);
    Files.createDirectory(dir.containerDir("c-empty"));
    String mounts = TestStateDir.mountinfo();

    Command.Result r = ops("list", "--json");
    assertEquals(0, r.code(), r.stderr());
    JsonNode list = JSON.readTree(r.stdout());
    assertEquals(3, list.size(), r.stdout());
    Map<String, JsonNode> byId = new TreeMap<>();
    list.forEach(n -> byId.put(n.get("id").asText(), n));
    JsonNode l = byId.get("c-live");
    assertEquals("ready", l.get("status").asText());
    assertEquals("ptrace", l.get("platform").asText());
    assertEquals(live.pid(), l.get("pid").asLong());
    assertTrue(l.get("pidAlive").asBoolean());
    assertEquals(3, l.get("mounted").asInt());
    assertEquals(bundle.toString(), l.get("bundle").asText());
    assertEquals(3, l.get("journalVersion").asInt());
    assertTrue(l.get("ageSeconds").asLong() < 600);
    JsonNode d = byId.get("c-dead");
    assertEquals("orphaned", d.get("status").asText());
    assertFalse(d.get("pidAlive").asBoolean());
    JsonNode e = byId.get("c-empty");
    assertEquals("unknown", e.get("status").asText());
    assertEquals("no journal: no evidence, kept (remove it by hand)", e.get("reason").asText());
    assertTrue(e.get("pid").isNull());

    Command.Result text = ops("list");
    assertEquals(0, text.code());
    List<String> rows = text.stdout().lines().toList();
    assertTrue(rows.get(0).startsWith("ID "), text.stdout());
    assertTrue(
        rows.get(1).startsWith("c-dead ") && rows.get(1).contains(" orphaned "), rows.get(1));
    assertTrue(rows.get(3).contains(" ready ") && rows.get(3).contains(live.pid() + " (alive)"));
    assertEquals(mounts, TestStateDir.mountinfo(), "list changes nothing");
  }

  @Test
  void listAsAnotherUserShowsWhatItCanReadAndSaysWhatItCouldNot() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    Process live = container();
    ok(prestart("c1", (int) live.pid(), bundle));
    // The fixture's own directory only: walking further up would reach the shared /tmp.
    Files.setPosixFilePermissions(
        dir.config().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir.config(), PosixFilePermissions.fromString("rw-r--r--"));
    // An installed copy beside the configuration: the checkout may sit where nobody cannot reach
    // (a clone in /root, mode 0700).
    Path launcher = Installation.create(dir.config().getParent().resolve("prefix")).launcher();
    Command.Result r =
        Command.run(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                launcher.toString(),
                "--config",
                dir.config().toString(),
                "list",
                "--json"),
            Map.of(),
            null);
    assertEquals(0, r.code(), r.toString());
    JsonNode list = JSON.readTree(r.stdout());
    assertEquals(1, list.size(), r.stdout());
    assertEquals("c1", list.get(0).get("id").asText(), "seen through mountinfo");
    assertEquals("unknown", list.get(0).get("status").asText());
    assertEquals(3, list.get(0).get("mounted").asInt());
    assertTrue(r.stderr().contains("list: cannot list " + dir.stateDir()), r.stderr());
    assertTrue(r.stderr().contains("(permission denied)"), r.stderr());
  }

  @Test
  void gcConcurrentWithPrestartsOfNewContainersLosesNothing() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    for (int i = 0; i < 3; i++) {
      Process doomed = container();
      ok(prestart("orphan-" + i, (int) doomed.pid(), bundle));
      kill(doomed);
    }
    Process live = container();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Command.Result>> starts = new ArrayList<>();
      List<Future<Command.Result>> gcs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String id = "new-" + i;
        starts.add(
            pool.submit(
                () ->
                    Command.inEmptyEnvironment(
                        List.of(
                            LAUNCHER.toString(), "--config", dir.config().toString(), "prestart"),
                        null,
                        state(id, (int) live.pid(), bundle))));
        if (i % 3 == 0) {
          gcs.add(
              pool.submit(
                  () ->
                      Command.inEmptyEnvironment(
                          List.of(
                              LAUNCHER.toString(),
                              "--config",
                              dir.config().toString(),
                              "gc",
                              "--min-age",
                              "0s"),
                          null,
                          "")));
        }
      }
      for (Future<Command.Result> f : starts) {
        assertEquals(0, f.get().code(), f.get().toString());
      }
      for (Future<Command.Result> f : gcs) {
        assertEquals(0, f.get().code(), f.get().toString());
        assertFalse(f.get().stdout().contains("removed new-"), f.get().stdout());
      }
    } finally {
      pool.shutdownNow();
    }
    ok(ops("gc", "--min-age", "0s"));
    Set<String> expected = new java.util.TreeSet<>();
    for (int i = 0; i < 8; i++) {
      expected.add("new-" + i);
    }
    assertEquals(expected, new java.util.TreeSet<>(chroots()));
    for (String id : expected) {
      assertEquals(3, MountTable.read().atOrBelow(dir.containerDir(id)).size(), id);
      assertTrue(
          Files.readString(dir.containerDir(id).resolve("journal.json"))
              .contains("\"complete\":true"),
          id);
    }
  }

  @Test
  void usageErrorsExitTwo() {
    Command.Result r = ops("gc", "--min-age", "ten");
    assertEquals(2, r.code());
    assertEquals(
        "oci-chroot-hook: --min-age wants a DURATION like 90s, 10m, 2h or 1d, got \"ten\""
            + " (see oci-chroot-hook --help)\n",
        r.stderr());
    assertEquals(2, ops("list", "--dry-run").code());
    assertEquals(2, ops("gc", "--json").code());
    assertEquals(2, ops("list", "extra").code());
  }

  /**
   * A real prestart, SIGKILLed by strace on entry to its third mount(2) (the first makes the state
   * directory private, the second mounts proc, the third would bind the executable): proc stays
   * mounted and the journal is incomplete. The runtime then kills the container's process, as runc
   * does when a prestart fails. Returns that process's pid.
   */
  int killedPrestart(String id, Path bundle) throws Exception {
    Process container = container();
    Command.Result r =
        Command.inEmptyEnvironment(
            List.of(
                "/usr/bin/strace",
                "-f",
                "-qq",
                "-o",
                "/dev/null",
                "-e",
                "trace=mount",
                "-e",
                "inject=mount:signal=KILL:when=3",
                LAUNCHER.toString(),
                "--config",
                dir.config().toString(),
                "prestart"),
            null,
            state(id, (int) container.pid(), bundle));
    assertNotEquals(0, r.code(), r.toString());
    String journal = Files.readString(dir.containerDir(id).resolve("journal.json"));
    assertTrue(journal.contains("\"complete\":false"), journal);
    assertEquals(1, MountTable.read().atOrBelow(dir.containerDir(id)).size(), "proc only");
    kill(container);
    return (int) container.pid();
  }

  Process container() throws IOException {
    Process p = new ProcessBuilder("/bin/sleep", "1000").start();
    processes.add(p);
    return p;
  }

  static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor();
  }

  Command.Result prestart(String id, Integer pid, Path bundle) {
    return hook.run(state(id, pid, bundle), "--config", dir.config().toString(), "prestart");
  }

  Command.Result ops(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", dir.config().toString()));
    all.addAll(List.of(args));
    return hook.run("", all.toArray(String[]::new));
  }

  static String state(String id, Integer pid, Path bundle) {
    ObjectNode state = TestJson.object().put("ociVersion", "1.0.2").put("id", id);
    state.put("status", "creating");
    if (pid != null) {
      state.put("pid", pid);
    }
    state.put("bundle", bundle.toString());
    return TestJson.text(TestJson.withPlatform(state, "ptrace"));
  }

  static void ok(Command.Result r) {
    assertEquals(0, r.code(), r.stdout() + r.stderr());
  }

  Set<String> chroots() throws IOException {
    try (Stream<Path> s = Files.list(dir.stateDir())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(".lock"))
          .collect(Collectors.toSet());
    }
  }

  /** Every path under the state directory with its content (journals) or kind; not into proc. */
  Map<String, String> snapshot() throws IOException {
    Map<String, String> all = new HashMap<>();
    Files.walkFileTree(
        dir.stateDir(),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
            all.put(d.toString(), "dir");
            return d.getFileName().toString().equals("proc")
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            all.put(f.toString(), f.toString().endsWith(".json") ? Files.readString(f) : "file");
            return FileVisitResult.CONTINUE;
          }
        });
    return all;
  }

  static Set<String> lines(String text) {
    return text.lines().collect(Collectors.toSet());
  }
}
