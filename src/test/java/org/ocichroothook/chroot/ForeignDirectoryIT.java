package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;

/**
 * A directory in the state directory that has no journal was not made by the hook (or holds no more
 * than a prestart killed before its first journal made): teardown removes it only when it is empty
 * but for the journal's temporary file, and otherwise refuses and leaves it as it is.
 */
class ForeignDirectoryIT {
  private static final String BUNDLE = "/srv/bundles/demo";

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  private Path foreign(String id) throws Exception {
    Path d = Files.createDirectories(dir.containerDir(id));
    Files.writeString(d.resolve("#1234"), "recovered by fsck");
    return d;
  }

  @Test
  void poststopLeavesAForeignDirectoryAndItsFiles() throws Exception {
    Path d = foreign("lost+found");
    Result r = run("lost+found", "stopped", "poststop");
    assertEquals(1, r.code());
    assertTrue(r.oneStderrLine(), r.stderr());
    assertEquals(
        "oci-chroot-hook: "
            + d
            + " has no journal but holds 1 entry: the hook did not make it; refusing to remove it\n",
        r.stderr());
    assertEquals("recovered by fsck", Files.readString(d.resolve("#1234")));
  }

  @Test
  void prestartDoesNotRemoveAForeignDirectoryToBuildInItsPlace() throws Exception {
    Path d = foreign("lost+found");
    Files.createDirectory(d.resolve("sub"));
    Result r = run("lost+found", "creating", "prestart");
    assertEquals(1, r.code());
    assertTrue(r.stderr().contains("holds 2 entries"), r.stderr());
    assertEquals("recovered by fsck", Files.readString(d.resolve("#1234")));
    assertTrue(Files.isDirectory(d.resolve("sub")));
    assertTrue(MountTable.read().atOrBelow(d).isEmpty());
  }

  @Test
  void whatAPrestartKilledBeforeItsFirstJournalLeftIsRemoved() throws Exception {
    Path empty = Files.createDirectories(dir.containerDir("e1"));
    assertEquals(0, run("e1", "stopped", "poststop").code());
    assertFalse(Files.exists(empty));

    Path withTmp = Files.createDirectories(dir.containerDir("e2"));
    Files.writeString(withTmp.resolve("journal.json.tmp"), "{\"version\":1,\"id\":\"e");
    assertEquals(0, run("e2", "stopped", "poststop").code());
    assertFalse(Files.exists(withTmp));

    Path again = Files.createDirectories(dir.containerDir("e3"));
    Files.writeString(again.resolve("journal.json.tmp"), "");
    Result r = run("e3", "creating", "prestart");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(Files.isDirectory(dir.root("e3")));
    assertEquals(0, run("e3", "stopped", "poststop").code());
  }

  private Result run(String id, String status, String stage) {
    return hook.run(
        TestStateDir.state(id, status, BUNDLE, null), "--config", dir.config().toString(), stage);
  }
}
