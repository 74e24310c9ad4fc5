package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestJson;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * The configured state directory is resolved from {@code /}, and a component that someone other
 * than root could have replaced is refused before anything is created or mounted: otherwise that
 * someone chooses where root builds and removes chroots. The rule is the kernel's
 * protected_symlinks one, applied whatever fs.protected_symlinks says.
 */
class StateDirectoryPathIT {
  private static final String BUNDLE = "/srv/bundles/demo";
  private static final int NOBODY = 65534;

  @TempDir Path tmp;
  private Path base;
  private Path config;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final Syscalls sys = SyscallsFactory.create();
  private final InProcess hook = InProcess.real();

  @BeforeEach
  void setUp() throws Exception {
    base = tmp.toRealPath();
    config = base.resolve("config.json");
  }

  @AfterEach
  void tearDown() throws Exception {
    // Whatever the hook mounted below the test's directory, even where it should not have: the
    // temporary directory's removal would otherwise wander into a proc mount.
    List<MountEntry> mounts = MountTable.read().atOrBelow(base);
    for (int i = mounts.size() - 1; i >= 0; i--) {
      sys.umount2(mounts.get(i).mountPoint().toString(), Linux.MNT_DETACH);
    }
  }

  private Path directory(Path p, int mode) throws Exception {
    Files.createDirectories(p);
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    return p;
  }

  private Path link(Path at, Path target, int uid) throws Exception {
    Files.createSymbolicLink(at, target);
    Files.setAttribute(at, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    return at;
  }

  @Test
  void aSymlinkOwnedByAnotherUserInAWorldWritableDirectoryIsRefused() throws Exception {
    Path p = directory(base.resolve("P"), 0777);
    Path elsewhere = directory(base.resolve("elsewhere"), 0711);
    Path state = link(p.resolve("state"), elsewhere, NOBODY);
    String before = TestStateDir.mountinfo();

    Result r = prestart(state, "c1");
    assertEquals(1, r.code());
    assertTrue(r.oneStderrLine(), r.stderr());
    assertEquals(
        "oci-chroot-hook: state directory "
            + state
            + ": refusing "
            + state
            + ": a symlink owned by uid 65534 in "
            + p
            + ", which others can write and is not sticky: someone other than root could replace"
            + " it\n",
        r.stderr());
    assertEquals(List.of(), List.of(elsewhere.toFile().list()), "nothing created through it");
    assertEquals(before, TestStateDir.mountinfo(), "nothing mounted");
    assertEquals(1, poststop(state, "c1").code(), "poststop refuses it too");
  }

  @Test
  void evenARootOwnedEntryIsRefusedInANonStickyDirectoryOthersCanWrite() throws Exception {
    Path p = directory(base.resolve("P"), 0777);
    Path state = directory(p.resolve("state"), 0711);
    Result r = prestart(state, "c1");
    assertEquals(1, r.code());
    assertTrue(
        r.stderr().contains("refusing " + state + ": a directory owned by root"), r.stderr());
  }

  @Test
  void aGroupWritableDirectoryIsTrustedOnlyForGroupRoot() throws Exception {
    Path p = directory(base.resolve("P"), 0775);
    Path state = p.resolve("state");
    Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    assertEquals(1, prestart(state, "c1").code());
    assertTrue(Files.notExists(state), "nothing created in it");

    Files.setAttribute(p, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
    Result r = prestart(state, "c1");
    assertEquals(0, r.code(), r.stderr());
    assertEquals(0, poststop(state, "c1").code());
  }

  @Test
  void aDirectoryOwnedByAnotherUserIsRefused() throws Exception {
    Path p = directory(base.resolve("P"), 0755);
    Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    Path state = p.resolve("state");
    Result r = prestart(state, "c1");
    assertEquals(1, r.code());
    assertTrue(r.stderr().contains("which uid 65534 owns"), r.stderr());
    assertTrue(Files.notExists(state));
  }

  @Test
  void aStickyWorldWritableDirectoryIsFineForWhatRootOwnsThere() throws Exception {
    Path sticky = directory(base.resolve("T"), 01777);
    Path state = sticky.resolve("state"); // made by the hook, as root
    Result r = prestart(state, "c1");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(Files.isDirectory(state.resolve("c1/root")));
    assertEquals(0, poststop(state, "c1").code());

    Path other = directory(base.resolve("other"), 0711);
    Path theirs = link(sticky.resolve("theirs"), other, NOBODY);
    assertEquals(1, prestart(theirs, "c2").code());
    assertEquals(List.of(), List.of(other.toFile().list()));
  }

  @Test
  void rootsOwnSymlinksAreFollowedToTheRealPath() throws Exception {
    Path real = directory(base.resolve("real/state"), 0711);
    Path via = link(base.resolve("via"), Path.of("real"), 0);
    Path state = via.resolve("state");
    assertEquals(0, prestart(state, "c1").code());
    assertTrue(Files.isDirectory(real.resolve("c1/root"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(MountTable.read().isMountPoint(real.resolve("c1/root/proc")));
    assertEquals(0, poststop(state, "c1").code());
  }

  private void writeConfig(Path stateDir) throws Exception {
    ObjectNode json =
        TestJson.object()
            .put("stateDir", stateDir.toString())
            .put("executable", dir.executable().toString())
            .put("logFile", dir.logFile().toString());
    json.putObject("platforms").putArray("ptrace");
    TestJson.write(config, json);
  }

  private Result prestart(Path stateDir, String id) throws Exception {
    writeConfig(stateDir);
    return hook.run(
        TestStateDir.state(id, "creating", BUNDLE, null),
        "--config",
        config.toString(),
        "prestart");
  }

  private Result poststop(Path stateDir, String id) throws Exception {
    writeConfig(stateDir);
    return hook.run(
        TestStateDir.state(id, "stopped", BUNDLE, null), "--config", config.toString(), "poststop");
  }
}
