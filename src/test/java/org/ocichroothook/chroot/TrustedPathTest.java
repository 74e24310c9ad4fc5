package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The walk's failures that only a hostile host or a race shows, over a staged file system: no root
 * needed, and nothing on the real one is touched.
 */
class TrustedPathTest {
  private static final int DIR = 0040000;
  private static final int LINK = 0120000;
  private static final int FILE = 0100000;

  /** A user who is neither root nor the one running the test (whom the walk trusts too). */
  private static final int OTHER = 65533;

  /** Paths and what stat says of them; symlinks and their targets; every create asked for. */
  private static class StagedFileSystem implements TrustedPath.FileSystemCalls {
    final Map<Path, TrustedPath.Stat> stats = new HashMap<>();
    final Map<Path, Path> links = new HashMap<>();
    final List<Path> created = new ArrayList<>();

    StagedFileSystem dir(String path, int uid, int mode) {
      stats.put(Path.of(path), new TrustedPath.Stat(uid, 0, DIR | mode));
      return this;
    }

    StagedFileSystem dir(String path, int uid, int gid, int mode) {
      stats.put(Path.of(path), new TrustedPath.Stat(uid, gid, DIR | mode));
      return this;
    }

    StagedFileSystem link(String path, String target) {
      return link(path, target, 0);
    }

    StagedFileSystem link(String path, String target, int uid) {
      stats.put(Path.of(path), new TrustedPath.Stat(uid, 0, LINK | 0777));
      links.put(Path.of(path), Path.of(target));
      return this;
    }

    StagedFileSystem file(String path, int uid) {
      stats.put(Path.of(path), new TrustedPath.Stat(uid, 0, FILE | 0644));
      return this;
    }

    @Override
    public TrustedPath.Stat stat(Path path) throws IOException {
      TrustedPath.Stat st = stats.get(path);
      if (st == null) {
        throw new NoSuchFileException(path.toString());
      }
      return st;
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?> attributes) throws IOException {
      created.add(dir); // and, as if someone removed it at once, nothing is there
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
      Path target = links.get(link);
      if (target == null) {
        throw new IOException(link + ": replaced meanwhile");
      }
      return target;
    }
  }

  private static ChrootException refused(StagedFileSystem fs, String path, boolean create) {
    return assertThrows(
        ChrootException.class,
        () ->
            TrustedPath.resolve(
                "state directory", Path.of(path), create ? NO_ATTRIBUTES : null, fs));
  }

  private static final FileAttribute<?> NO_ATTRIBUTES =
      java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.util.Set.of());

  @Test
  void aRootOthersCanWriteIsRefused() {
    StagedFileSystem fs = new StagedFileSystem().dir("/", 0, 0777);
    assertEquals(
        "state directory /run/x: refusing /: / is writable by others than root",
        refused(fs, "/run/x", true).getMessage());
    assertEquals(List.of(), fs.created);
  }

  @Test
  void aDirectoryThatVanishesAsItIsMadeIsNamed() {
    StagedFileSystem fs = new StagedFileSystem().dir("/", 0, 0755).dir("/run", 0, 0755);
    assertEquals(
        "state directory /run/x: /run/x vanished while it was made",
        refused(fs, "/run/x", true).getMessage());
    assertEquals(List.of(Path.of("/run/x")), fs.created);
  }

  @Test
  void aSymlinkThatCannotBeReadIsNamed() {
    StagedFileSystem fs = new StagedFileSystem().dir("/", 0, 0755).dir("/run", 0, 0755);
    fs.stats.put(Path.of("/run/x"), new TrustedPath.Stat(0, 0, LINK | 0777));
    assertEquals(
        "state directory /run/x: readlink /run/x: java.io.IOException: /run/x: replaced meanwhile",
        refused(fs, "/run/x", false).getMessage());
  }

  @Test
  void aSymlinkLoopIsRefused() {
    StagedFileSystem fs = new StagedFileSystem().dir("/", 0, 0755).link("/a", "/b").link("/b", "a");
    assertEquals(
        "state directory /a/x: refusing /a: too many symlinks",
        refused(fs, "/a/x", false).getMessage());
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsNamed() {
    StagedFileSystem fs =
        new StagedFileSystem() {
          @Override
          public void createDirectory(Path dir, FileAttribute<?> attributes) throws IOException {
            throw new IOException(dir + ": No space left on device");
          }
        }.dir("/", 0, 0755).dir("/run", 0, 0755);
    assertEquals(
        "state directory /run/x: cannot create /run/x: java.io.IOException: /run/x: No space left"
            + " on device",
        refused(fs, "/run/x", true).getMessage());
  }

  @Test
  void aMissingEntryInADirectoryOthersCanWriteIsRefusedBeforeItIsMade() {
    StagedFileSystem fs = new StagedFileSystem().dir("/", 0, 0755).dir("/run", 0, 0777);
    assertEquals(
        "state directory /run/x: refusing /run/x: a missing entry in /run, which others can write"
            + " and is not sticky: someone other than root could replace it",
        refused(fs, "/run/x", true).getMessage());
    assertEquals(List.of(), fs.created);
  }

  @Test
  void aFileInADirectoryOthersCanWriteIsNamedAsOne() {
    StagedFileSystem fs =
        new StagedFileSystem().dir("/", 0, 0755).dir("/run", 0, 0777).file("/run/x", 0);
    assertEquals(
        "state directory /run/x/y: refusing /run/x: a file owned by root in /run, which others can"
            + " write and is not sticky: someone other than root could replace it",
        refused(fs, "/run/x/y", false).getMessage());
  }

  @Test
  void aDirectoryItsGroupCanWriteIsRefusedNamingTheGroup() {
    StagedFileSystem fs =
        new StagedFileSystem().dir("/", 0, 0755).dir("/srv", 0, OTHER, 0775).dir("/srv/x", 0, 0755);
    assertEquals(
        "state directory /srv/x: refusing /srv/x: a directory owned by root in /srv, which group "
            + OTHER
            + " can write and is not sticky: someone other than root could replace it",
        refused(fs, "/srv/x", false).getMessage());
  }

  @Test
  void aDirectoryOfTheHooksOwnUserIsRefusedForItsModeNotItsOwner() throws Exception {
    // The walk trusts the hook's own user as it trusts root (root alone in production): what is
    // wrong with such a directory is that others can write it. Root and any other user see the
    // same message; before, another user saw "uid N owns".
    int self = (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    StagedFileSystem fs =
        new StagedFileSystem().dir("/", 0, 0755).dir("/run", self, 0777).dir("/run/x", 0, 0755);
    assertEquals(
        "state directory /run/x: refusing /run/x: a directory owned by root in /run, which others"
            + " can write and is not sticky: someone other than root could replace it",
        refused(fs, "/run/x", false).getMessage());
  }

  @Test
  void anotherUsersEntryInAStickyDirectoryIsRefused() {
    StagedFileSystem fs =
        new StagedFileSystem()
            .dir("/", 0, 0755)
            .dir("/tmp", 0, 01777)
            .link("/tmp/x", "/srv", OTHER)
            .dir("/srv", 0, 0755);
    assertEquals(
        "state directory /tmp/x: refusing /tmp/x: a symlink owned by uid "
            + OTHER
            + " in /tmp, which others can write: someone other than root could replace it",
        refused(fs, "/tmp/x", false).getMessage());
  }

  @Test
  void aStickyDirectoryOwnedByAnotherUserIsRefused() {
    StagedFileSystem fs =
        new StagedFileSystem().dir("/", 0, 0755).dir("/tmp", OTHER, 01777).dir("/tmp/x", 0, 0755);
    assertEquals(
        "state directory /tmp/x: refusing /tmp/x: a directory owned by root in /tmp, which uid "
            + OTHER
            + " owns: someone other than root could replace it",
        refused(fs, "/tmp/x", false).getMessage());
  }

  @Test
  void rootsOwnEntryInAStickyDirectoryIsFollowed() throws Exception {
    StagedFileSystem fs =
        new StagedFileSystem()
            .dir("/", 0, 0755)
            .dir("/tmp", 0, 01777)
            .link("/tmp/x", "/srv")
            .dir("/srv", 0, 0755);
    assertEquals(
        Path.of("/srv"), TrustedPath.resolve("state directory", Path.of("/tmp/x"), null, fs));
  }
}
