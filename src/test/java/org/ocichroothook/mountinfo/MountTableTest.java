package org.ocichroothook.mountinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ocichroothook.Fixtures;

class MountTableTest {
  private static final Path STATE = Path.of("/run/oci-chroot-hook");

  @Test
  void parsesAGoldenMountinfo() throws Exception {
    MountTable table = MountTable.read(Fixtures.dir().resolve("mountinfo/chroot-kvm.mountinfo"));
    assertEquals(9, table.entries().size());
    MountEntry proc = table.topmostAt(STATE.resolve("c1/root/proc"));
    assertEquals("proc", proc.fsType());
    assertEquals(List.of("rw", "nosuid", "nodev", "noexec", "relatime"), proc.optionList());
    MountEntry exe = table.topmostAt(STATE.resolve("c1/root/runsc"));
    assertEquals("/usr/bin/runsc", exe.root());
    assertTrue(exe.optionList().contains("ro"));
    assertTrue(table.entries().get(0).propagates(), "shared:1 propagates");
    assertFalse(table.topmostAt(STATE).propagates(), "the private state dir does not");
  }

  @Test
  void decodesOctalEscapesInPaths() throws Exception {
    MountTable table = MountTable.read(Fixtures.dir().resolve("mountinfo/chroot-kvm.mountinfo"));
    assertTrue(table.isMountPoint(Path.of("/mnt/with space\tand\\slash")));
    assertEquals("a b", MountTable.unescape("a\\040b"));
    assertEquals("a\\04", MountTable.unescape("a\\04"));
    assertEquals("a\\9999", MountTable.unescape("a\\9999"));
  }

  @Test
  void belowMeansWholePathComponents() throws Exception {
    MountTable table = MountTable.read(Fixtures.dir().resolve("mountinfo/chroot-kvm.mountinfo"));
    List<Path> below =
        table.atOrBelow(STATE.resolve("c1")).stream().map(MountEntry::mountPoint).toList();
    assertEquals(
        List.of(
            STATE.resolve("c1/root/proc"),
            STATE.resolve("c1/root/runsc"),
            STATE.resolve("c1/root/dev/kvm")),
        below);
    assertEquals(1, table.atOrBelow(STATE.resolve("c10")).size(), "c10 is not below c1");
    assertNull(table.topmostAt(Path.of("/nowhere")));
  }

  @Test
  void aScopedReadKeepsExactlyTheMountsAtOrBelowTheScope() throws Exception {
    String text =
        java.nio.file.Files.readString(Fixtures.dir().resolve("mountinfo/chroot-kvm.mountinfo"));
    MountTable full = MountTable.parse(text, null);
    for (String scope :
        List.of(
            "/run/oci-chroot-hook/c1",
            "/run/oci-chroot-hook",
            "/run",
            "/",
            "/run/oci-chroot-hook/c10",
            "/mnt/with space\tand\\slash",
            "/nowhere")) {
      Path dir = Path.of(scope);
      assertEquals(full.atOrBelow(dir), MountTable.parse(text, scope).entries(), "scope " + scope);
    }
    assertEquals(
        3,
        MountTable.parse(text, "/run/oci-chroot-hook/c1").entries().size(),
        "c10 is not below c1");
  }

  @Test
  void aScopeNamedInAnotherFieldOrTwiceOnALineFindsOnlyItsMounts() {
    String scope = "/run/och/c1";
    String text =
        String.join(
            "\n",
            "30 1 0:5 / /run/och/c1 rw - tmpfs /run/och/c1 rw",
            "31 1 0:6 /run/och/c1 /mnt/elsewhere rw - tmpfs tmpfs rw",
            "32 1 0:7 / /mnt/other rw - tmpfs /run/och/c1/root rw",
            "33 30 0:8 / /run/och/c10/root rw - tmpfs tmpfs rw",
            "34 30 0:9 / /run/och/c1/root rw - tmpfs /run/och/c1/x rw",
            "35 34 0:10 / /run/och/c1/root/proc rw - proc proc rw");
    MountTable full = MountTable.parse(text, null);
    for (String s : List.of(scope, "/run/och", "/run/och/c1/root/proc", "/mnt", "/nowhere")) {
      assertEquals(full.atOrBelow(Path.of(s)), MountTable.parse(text, s).entries(), "scope " + s);
    }
    List<Integer> ids = new java.util.ArrayList<>();
    for (MountEntry e : MountTable.parse(text, scope).entries()) {
      ids.add(e.id());
    }
    assertEquals(List.of(30, 34, 35), ids, "in the kernel's order; first and last lines included");
  }

  @Test
  void theTextIsReadWholeAcrossBufferGrowthAndBounded(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < (5 << 19); i++) {
      big.append(i).append(" 1 0:5 / /mnt/").append(i).append(" rw - tmpfs tmpfs rw\n");
    }
    Path file = java.nio.file.Files.writeString(tmp.resolve("mountinfo"), big);
    assertEquals(
        big.toString(), MountTable.text(file), "2.5 MiB: the 128 KiB buffer grows 5 times");
    int size = big.length();
    assertEquals(big.toString(), MountTable.text(file, size), "exactly the bound");
    assertEquals(big.toString(), MountTable.text(file, size + 1));
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> MountTable.text(file, size - 1));
    assertEquals(file + ": larger than " + (size - 1) + " bytes", e.getMessage());
    Path empty = java.nio.file.Files.writeString(tmp.resolve("empty"), "");
    assertEquals("", MountTable.text(empty, 0));
  }

  @Test
  void topmostIsTheLastStackedMount() {
    MountTable t =
        MountTable.parse(
            "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                + "2 1 0:5 / /x rw - tmpfs a rw\n"
                + "3 2 0:6 / /x rw - tmpfs b rw\n",
            null);
    assertEquals("b", t.topmostAt(Path.of("/x")).source());
  }

  @Test
  void readsTheKernelsOwnTable() throws Exception {
    MountTable self = MountTable.read();
    assertTrue(self.isMountPoint(Path.of("/")), "/ is always a mount point");
  }
}
