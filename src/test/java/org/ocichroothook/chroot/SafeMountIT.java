package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A symlink planted at, or on the way to, a mount target is refused: nothing is mounted anywhere.
 */
class SafeMountIT {
  private final SafeMount safeMount = new SafeMount(SyscallsFactory.create(), ProcFs.REAL);

  @TempDir Path dir;

  @Test
  void aSymlinkAtTheTargetIsNotFollowed() throws Exception {
    Path victim = Files.createDirectory(dir.toRealPath().resolve("victim"));
    Path target = Files.createSymbolicLink(dir.toRealPath().resolve("proc"), victim);
    String before = TestStateDir.mountinfo();
    ChrootException e =
        assertThrows(
            ChrootException.class, () -> safeMount.mount("proc", target, true, "proc", 0xe, null));
    assertTrue(e.getMessage().contains("openat(AT_FDCWD, \"" + target + "\""), e.getMessage());
    assertTrue(
        e.getMessage().contains("ELOOP") || e.getMessage().contains("ENOTDIR"), e.getMessage());
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void aSymlinkedDirectoryOnTheWayIsDetectedFromProcSelfFd() throws Exception {
    Path real = dir.toRealPath();
    Path elsewhere = Files.createDirectories(real.resolve("elsewhere/proc"));
    Files.createSymbolicLink(real.resolve("root"), elsewhere.getParent());
    Path target = real.resolve("root/proc");
    String before = TestStateDir.mountinfo();
    ChrootException e =
        assertThrows(
            ChrootException.class, () -> safeMount.mount("proc", target, true, "proc", 0xe, null));
    assertEquals(
        "mount target "
            + target
            + " resolves to "
            + elsewhere
            + ": refusing to mount through a symlink",
        e.getMessage());
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void aRealTargetIsMountedAndErrorsNameTheCall() throws Exception {
    Path target = Files.createDirectory(dir.toRealPath().resolve("proc"));
    safeMount.mount(
        "proc",
        target,
        true,
        "proc",
        MountFlags.MS_NOSUID | MountFlags.MS_NODEV | MountFlags.MS_NOEXEC,
        null);
    try {
      assertEquals("proc", MountTable.read().topmostAt(target).fsType());
      ChrootException e =
          assertThrows(
              ChrootException.class,
              () -> safeMount.mount("none", target, true, "no-such-fs", 0, null));
      assertTrue(
          e.getMessage()
              .matches(
                  "mount\\(\"none\", \"/proc/self/fd/\\d+\", \"no-such-fs\", 0x0\\): ENODEV \\(.*\\) \\[target "
                      + java.util.regex.Pattern.quote(target.toString())
                      + "\\]"),
          e.getMessage());
    } finally {
      SyscallsFactory.create().umount2(target.toString(), Linux.MNT_DETACH);
    }
  }
}
