package org.ocichroothook.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/** The non-blocking opener, against real files of every type (mkfifo needs no privilege). */
class RegularFileTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final Syscalls sys = SyscallsFactory.create();
  @TempDir Path dir;

  @Test
  void opensAndReadsARegularFileBounded() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
    try (RegularFile f = RegularFile.open(sys, file, false)) {
      assertEquals(Files.getAttribute(file, "unix:uid"), f.uid());
      assertEquals(0660, f.permissions());
      assertFalse(f.rootsAlone(), "its group may write it");
      assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), f.readAll(5));
      RegularFile.RefusedException e =
          assertThrows(RegularFile.RefusedException.class, () -> f.readAll(4));
      assertEquals("larger than 4 bytes", e.getMessage());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    try (RegularFile f = RegularFile.open(sys, file, false)) {
      assertTrue(f.rootsAlone(), "the test's own user counts as root (TrustedOwner)");
    }
  }

  @Test
  void refusesEveryOtherTypeWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Path link =
        Files.createSymbolicLink(dir.resolve("link"), Files.writeString(dir.resolve("t"), "x"));
    assertRefused(fifo, false, "not a regular file (a FIFO)");
    assertRefused(fifo, true, "not a regular file (a FIFO)");
    assertRefused(dir, false, "not a regular file (a directory)");
    assertRefused(Path.of("/dev/null"), true, "not a regular file (a character device)");
    assertRefused(link, false, "not a regular file (a symlink)");
    try (RegularFile followed = RegularFile.open(sys, link, true)) {
      assertArrayEquals(new byte[] {'x'}, followed.readAll(10));
    }
    assertThrows(
        NoSuchFileException.class, () -> RegularFile.open(sys, dir.resolve("absent"), true));
  }

  @Test
  void openOrCreateMakesANewFileWithTheModeAndAppendsToIt() throws Exception {
    Path file = dir.resolve("log");
    for (String line : new String[] {"one\n", "two\n"}) {
      try (RegularFile f =
              RegularFile.openOrCreate(sys, file, PosixFilePermissions.fromString("rw-r-----"));
          var out = f.appender()) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertEquals("one\ntwo\n", Files.readString(file));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void openOrCreateNeitherFollowsNorReplacesASymlink() throws Exception {
    Path target = dir.resolve("target");
    Path dangling = Files.createSymbolicLink(dir.resolve("log"), target);
    assertRefused(dangling, false, "not a regular file (a symlink)");
    RegularFile.RefusedException e =
        assertThrows(
            RegularFile.RefusedException.class,
            () ->
                RegularFile.openOrCreate(
                    sys, dangling, PosixFilePermissions.fromString("rw-------")));
    assertEquals("not a regular file (a symlink)", e.getMessage());
    assertFalse(Files.exists(target), "nothing created through the link");
  }

  private void assertRefused(Path path, boolean follow, String expected) {
    RegularFile.RefusedException e =
        assertThrows(
            RegularFile.RefusedException.class,
            () -> assertTimeoutPreemptively(TIMEOUT, () -> RegularFile.open(sys, path, follow)));
    assertEquals(expected, e.getMessage());
  }
}
