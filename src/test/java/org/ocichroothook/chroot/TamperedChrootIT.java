package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command.Result;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;

/**
 * A set-up chroot whose directories someone has since chowned or opened up is not "already set up":
 * prestart tears it down and builds it again, with the owner and modes the hook gives them.
 */
class TamperedChrootIT {
  private static final String BUNDLE = "/srv/bundles/demo";
  private static final int NOBODY = 65534;

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();

  @Test
  void aChownedAndOpenedUpChrootIsBuiltAgain() throws Exception {
    assertEquals(0, prestart("c1").code());
    dir.unseal("c1");
    for (Path p : List.of(dir.containerDir("c1"), dir.root("c1"))) {
      Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:mode", 0777, LinkOption.NOFOLLOW_LINKS);
    }
    Files.writeString(dir.root("c1").resolve("planted"), "by someone else");

    Result r = prestart("c1");
    assertEquals(0, r.code(), r.stderr());
    assertOwnedByRoot(dir.containerDir("c1"), 0711);
    assertOwnedByRoot(dir.root("c1"), 0755);
    assertTrue(Files.notExists(dir.root("c1").resolve("planted")), "built from scratch");
    assertEquals(4, MountTable.read().atOrBelow(dir.containerDir("c1")).size());
    assertTrue(
        Files.readString(dir.logFile()).contains("building the chroot again"), "the log says why");
    assertEquals(0, poststop("c1").code());
  }

  @Test
  void aDirectoryOnTheWayToAMountTargetIsCheckedToo() throws Exception {
    assertEquals(0, prestart("c2").code());
    Path devDir = dir.root("c2").resolve("dev");
    dir.unseal("c2");
    Files.setAttribute(devDir, "unix:mode", 0777, LinkOption.NOFOLLOW_LINKS);

    assertEquals(0, prestart("c2").code());
    assertOwnedByRoot(devDir, 0755);
    assertEquals(0, poststop("c2").code());
  }

  @Test
  void anUntouchedChrootIsStillLeftAsItIs() throws Exception {
    assertEquals(0, prestart("c3").code());
    String once = TestStateDir.mountinfo();
    assertEquals(0, prestart("c3").code());
    assertEquals(once, TestStateDir.mountinfo());
    assertTrue(Files.readString(dir.logFile()).contains("already set up"));
    assertEquals(0, poststop("c3").code());
  }

  private static void assertOwnedByRoot(Path p, int mode) throws Exception {
    assertEquals(0, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p.toString());
    assertEquals(
        Integer.toOctalString(mode),
        Integer.toOctalString(
            (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777),
        p.toString());
  }

  private Result prestart(String id) {
    return hook.stage(dir, "prestart", id, BUNDLE, "kvm");
  }

  private Result poststop(String id) {
    return hook.stage(dir, "poststop", id, BUNDLE, "kvm");
  }
}
