package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command;
import org.ocichroothook.Fixtures;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;

/**
 * An upgrade while containers run strands nothing: chroots made by the previous release, 0.1.0
 * (built here from its commit, 90c65e5), with version-1 journals, are listed, torn down by this
 * release's poststop and collected by its gc.
 */
class UpgradeIT {
  static final String RELEASE_COMMIT = "90c65e5";
  private static final Path REPO = OpsIT.LAUNCHER.getParent();
  private static final Path OLD = REPO.resolve("target/release-0.1.0");

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  /** Builds 0.1.0 once (kept in target/ for the second backend's run). */
  @BeforeAll
  static void buildPreviousRelease() throws Exception {
    if (Files.isRegularFile(OLD.resolve("target/oci-chroot-hook.jar"))) {
      return;
    }
    Command.run(List.of("/bin/rm", "-rf", OLD.toString()), Map.of(), null).ok();
    Files.createDirectories(OLD);
    Command.run(
            List.of(
                "/bin/bash",
                "-c",
                "git -C \"$1\" archive \"$2\" | tar -x -C \"$3\"",
                "archive",
                REPO.toString(),
                RELEASE_COMMIT,
                OLD.toString()),
            Map.of(),
            null)
        .ok();
    // Online: 0.1.0's dependencies (jnr, slf4j-simple) are no longer this build's, so a fresh
    // machine's local repository does not have them.
    Command.run(
            List.of("mvn", "-q", "-B", "-DskipTests", "package"),
            Map.of("JAVA_HOME", System.getProperty("java.home")),
            OLD)
        .ok();
  }

  @Test
  void aChrootOfTheOldReleaseIsListedAndTornDownByThisOne() throws Exception {
    String before = TestStateDir.mountinfo();
    oldPrestart("c1", "/srv/b");
    assertEquals(
        Files.readString(Fixtures.dir().resolve("journal/v1-0.1.0-kvm.json")),
        Files.readString(dir.containerDir("c1").resolve("journal.json")),
        "0.1.0 writes what the version-1 fixture (read by JournalVersionsTest) says");
    assertEquals(3, MountTable.read().atOrBelow(dir.containerDir("c1")).size());

    Command.Result list = ops("list", "--json");
    assertEquals(0, list.code(), list.stderr());
    JsonNode c1 = new ObjectMapper().readTree(list.stdout()).get(0);
    assertEquals(1, c1.get("journalVersion").asInt());
    assertEquals("kvm", c1.get("platform").asText());
    assertEquals(3, c1.get("mounted").asInt());
    assertTrue(c1.get("pid").isNull());

    Command.Result r =
        hook.run(
            TestStateDir.state("c1", "stopped", "/srv/b", "kvm"),
            "--config",
            dir.config().toString(),
            "poststop");
    assertEquals(0, r.code(), r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void anOldChrootWhoseBundleIsGoneIsCollectedAndOneWhoseBundleIsThereIsKept() throws Exception {
    Path gone = Files.createDirectories(base.resolve("gone"));
    Path kept = Files.createDirectories(base.resolve("kept"));
    oldPrestart("old-gone", gone.toString());
    oldPrestart("old-kept", kept.toString());
    Files.delete(gone);
    Command.Result gc = ops("gc", "--min-age", "0s");
    assertEquals(0, gc.code(), gc.stdout() + gc.stderr());
    assertTrue(
        gc.stdout()
            .contains(
                "removed old-gone: no pid recorded and bundle \"" + gone + "\" no longer exists"),
        gc.stdout());
    assertTrue(gc.stdout().contains("kept old-kept: no pid recorded and bundle"), gc.stdout());
    assertFalse(Files.exists(dir.containerDir("old-gone")));
    assertEquals(List.of(), MountTable.read().atOrBelow(dir.containerDir("old-gone")));
    assertEquals(3, MountTable.read().atOrBelow(dir.containerDir("old-kept")).size());
  }

  private void oldPrestart(String id, String bundle) {
    Command.Result r =
        Command.inEmptyEnvironment(
            List.of(
                OLD.resolve("hook").toString(), "--config", dir.config().toString(), "prestart"),
            null,
            TestStateDir.state(id, "creating", bundle, "kvm"));
    assertEquals(0, r.code(), r.toString());
  }

  private Command.Result ops(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("--config", dir.config().toString()));
    all.addAll(List.of(args));
    return hook.run("", all.toArray(String[]::new));
  }
}
