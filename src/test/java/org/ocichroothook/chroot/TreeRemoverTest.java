package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.mountinfo.MountTable;

/** The tree remover's own messages, rootless: the mount table is text, the files real. */
class TreeRemoverTest {
  @TempDir Path tmp;

  @Test
  void aMountPointIsNotRemovedNorAnythingAboveIt() throws Exception {
    Path base = tmp.toRealPath();
    Path mounted = Files.createDirectories(base.resolve("c1/root/proc"));
    Files.writeString(mounted.resolve("file"), "");
    MountTable table = MountTable.parse("100 1 0:1 / " + mounted + " rw - proc proc rw\n", null);
    assertEquals(
        List.of("not removing " + mounted + ": it is a mount point"),
        TreeRemover.remove(base, "c1", table));
    assertTrue(Files.exists(mounted.resolve("file")), "nothing below it touched");
    assertTrue(Files.isDirectory(base.resolve("c1/root")), "nor its parents");
  }

  @Test
  void aParentThatCannotBeOpenedIsNamed() throws Exception {
    Path gone = tmp.toRealPath().resolve("gone");
    assertEquals(
        List.of("remove " + gone.resolve("c1") + ": java.nio.file.NoSuchFileException: " + gone),
        TreeRemover.remove(gone, "c1", MountTable.parse("", null)));
  }

  @Test
  void aFileSystemWithoutSecureDirectoryStreamsIsNotRemovedFrom() throws Exception {
    // The zip file system, shipped with the JDK, has plain directory streams only.
    try (FileSystem zip =
        FileSystems.newFileSystem(tmp.resolve("tree.zip"), Map.of("create", "true"))) {
      Path inside = Files.createDirectories(zip.getPath("/c1/root"));
      assertEquals(
          List.of(
              "remove /c1: its file system has no SecureDirectoryStream, without which a symlink"
                  + " could be followed"),
          TreeRemover.remove(zip.getPath("/"), "c1", MountTable.parse("", null)));
      assertTrue(Files.isDirectory(inside), "nothing removed");
    }
  }
}
