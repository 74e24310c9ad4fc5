package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.FilesOnlySyscalls;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Errnos;

/**
 * The state directory's checks and its private mount over {@link FakeKernel}, rootless: the paths
 * are real, the mounts the fake's. Which user runs the test decides only why a temporary directory
 * fails the owner check (not root's, or writable by its group), never whether it does.
 */
class StateDirectoryTest {
  @TempDir Path tmp;
  private Path dir;
  private final FakeKernel kernel = new FakeKernel();

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createDirectory(tmp.toRealPath().resolve("state"));
  }

  @Test
  void aDirectoryOthersCanWriteIsRefused() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
    ChrootException e = assertThrows(ChrootException.class, () -> StateDirectory.lock(dir, kernel));
    assertEquals(
        "state directory " + dir + " must be owned by root and writable by no one else",
        e.getMessage());
    assertTrue(Files.notExists(dir.resolve(".lock")), "nothing created in it");
  }

  @Test
  void aMissingDirectoryIsNamed() {
    Path missing = dir.resolve("missing");
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.lock(missing, kernel));
    assertEquals("state directory " + missing + ": no such directory", e.getMessage());
  }

  @Test
  void aDirectoryThatCannotBeStattedIsNamed() throws Exception {
    Path below = dir.resolve("x".repeat(300));
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.lock(below, kernel));
    assertEquals(
        "state directory "
            + below
            + ": java.nio.file.FileSystemException: "
            + below
            + ": File name too long",
        e.getMessage());
  }

  @Test
  void aDirectoryThatIsNoMountPointIsBoundOntoItselfThenMadePrivate() throws Exception {
    StateDirectory.makePrivate(dir, kernel);
    String d = "\"" + dir + "\"";
    assertEquals(
        List.of(
            "mount(NULL, " + d + ", NULL, 0x40000)",
            "mount(" + d + ", " + d + ", NULL, 0x1000)",
            "mount(NULL, " + d + ", NULL, 0x40000)"),
        kernel.calls());
    assertEquals(List.of(dir), kernel.mountPoints());

    StateDirectory.makePrivate(dir, kernel);
    assertEquals(5 - 1, kernel.calls().size(), "a mount point is only made private again");
    assertEquals(List.of(dir), kernel.mountPoints(), "not bound twice");
  }

  @Test
  void aBindThatFailsIsNamed() {
    kernel.fail("mount", args -> (Long) args.get(3) == MountFlags.MS_BIND, Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.makePrivate(dir, kernel));
    assertEquals(
        "state directory "
            + dir
            + ": cannot make it a private mount: mount(\""
            + dir
            + "\", \""
            + dir
            + "\", NULL, 0x1000): EPERM (Operation not permitted)",
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
  }

  @Test
  void aFailureOtherThanNoMountPointIsNotAnsweredWithABind() {
    kernel.fail("mount", Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.makePrivate(dir, kernel));
    assertEquals(
        "state directory "
            + dir
            + ": cannot make it a private mount: mount(NULL, \""
            + dir
            + "\", NULL, 0x40000): EPERM (Operation not permitted)",
        e.getMessage());
    assertEquals(1, kernel.calls().size(), "no bind after EPERM");
  }

  @Test
  void aRelativePathIsRefused() {
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.prepare(Path.of("state"), kernel));
    assertEquals("state directory state: not an absolute path", e.getMessage());
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  void aFileOnTheWayIsNotADirectory() throws Exception {
    // /etc and /etc/passwd are root's on any host, so this holds whoever runs the test.
    Path configured = Path.of("/etc/passwd/state");
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.openExisting(configured, kernel));
    assertEquals(
        "state directory " + configured + ": /etc/passwd is not a directory", e.getMessage());
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsNamed() {
    // procfs makes no directories, for root neither.
    Path configured = Path.of("/proc/och-state-directory-test");
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.prepare(configured, kernel));
    assertTrue(
        e.getMessage()
            .startsWith("state directory " + configured + ": cannot create " + configured + ": "),
        e.getMessage());
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  void aComponentThatCannotBeStattedIsNamed() {
    Path configured = Path.of("/" + "x".repeat(300));
    ChrootException e =
        assertThrows(ChrootException.class, () -> StateDirectory.openExisting(configured, kernel));
    assertEquals(
        "state directory "
            + configured
            + ": stat "
            + configured
            + ": java.nio.file.FileSystemException: "
            + configured
            + ": File name too long",
        e.getMessage());
  }

  @Test
  void aMissingDirectoryHasNothingToRemove() throws Exception {
    // Below a directory that is root's on any host, so this holds whoever runs the test.
    assertNull(StateDirectory.openExisting(Path.of("/proc/och-state-directory-test"), kernel));
  }

  @Test
  void aSymlinkLoopIsRefused() throws Exception {
    Files.createSymbolicLink(dir.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
    ChrootException e =
        assertThrows(
            ChrootException.class, () -> StateDirectory.openExisting(dir.resolve("a"), kernel));
    assertTrue(e.getMessage().endsWith(": too many symlinks"), e.getMessage());
  }

  @Test
  void aLockThatIsNoRegularFileIsRefused() throws Exception {
    // The directory is the test user's and writable by no one else: it passes the owner check.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lock = dir.resolve(".lock");
    Process mkfifo = new ProcessBuilder("mkfifo", lock.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    ChrootException e =
        assertThrows(
            ChrootException.class, () -> StateDirectory.lock(dir, new FilesOnlySyscalls()));
    assertEquals("lock " + lock + ": not a regular file (a FIFO)", e.getMessage());
  }
}
