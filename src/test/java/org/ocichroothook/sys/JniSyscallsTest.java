package org.ocichroothook.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JNI backend's own contract, without root: results and errno come back from C, a NUL inside a
 * path is refused rather than cutting the path short, and the library loads only by absolute path.
 * Mounting is covered by the integration tests.
 */
class JniSyscallsTest {
  private final Syscalls sys = SyscallsFactory.create();

  @Test
  void opensAndClosesThroughLibc(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    int dirfd = sys.open(dir.toString(), Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
    int fd = sys.openat(dirfd, "f", Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0);
    assertEquals(
        dir.resolve("f").toString(),
        Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
    sys.close(fd);
    sys.close(dirfd);
    SyscallException e = assertThrows(SyscallException.class, () -> sys.close(fd));
    assertEquals("close(" + fd + "): EBADF (Bad file descriptor)", e.getMessage());
  }

  @Test
  void returnsTheErrnoOfTheFailedCall(@TempDir Path dir) {
    String missing = dir.resolve("missing").toString();
    SyscallException e =
        assertThrows(SyscallException.class, () -> sys.open(missing, Linux.O_PATH, 0));
    assertEquals(Errnos.ENOENT, e.errno());
    assertEquals(
        "openat(AT_FDCWD, \"" + missing + "\", 0x200000): ENOENT (No such file or directory)",
        e.getMessage());
    SyscallException notMounted =
        assertThrows(SyscallException.class, () -> sys.umount2(dir.toString(), 0));
    assertTrue(
        notMounted.errno() == Errnos.EINVAL || notMounted.errno() == Errnos.EPERM,
        notMounted.getMessage());
  }

  @Test
  void refusesANulInsideAPathInsteadOfShorteningIt(@TempDir Path dir) throws Exception {
    Files.createDirectory(dir.resolve("a"));
    // Cut at the NUL, this would name the existing directory "a".
    SyscallException e =
        assertThrows(
            SyscallException.class,
            () -> sys.open(dir.resolve("a") + "\0/missing", Linux.O_PATH, 0));
    assertEquals(Errnos.EINVAL, e.errno());
  }

  @Test
  void loadsTheLibraryOnlyByAbsolutePath() {
    for (String bad : new String[] {"liboci-chroot-hook.so", "target/native/x.so", ""}) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> new JniSyscalls(bad));
      assertTrue(e.getMessage().contains("absolute path"), e.getMessage());
    }
    assertThrows(IllegalStateException.class, () -> new JniSyscalls(null));
  }
}
