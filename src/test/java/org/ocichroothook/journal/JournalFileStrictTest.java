package org.ocichroothook.journal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.input.BadInputException;

/** Issue 8 items 7, 8, 9: the journal is read bounded and strictly. */
class JournalFileStrictTest {
  private static final String GOOD =
      "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/srv/b\",\"platform\":\"kvm\",\"complete\":true,"
          + "\"mounts\":{\"proc\":\"proc\"}}\n";

  @TempDir Path dir;

  @Test
  void aRepeatedKeyIsRefusedNamingIt() {
    for (String json :
        new String[] {
          GOOD.replace("\"platform\"", "\"bundle\":\"/srv/other\",\"platform\""),
          GOOD.replace("\"proc\":\"proc\"", "\"proc\":\"proc\",\"pro\\u0063\":\"device\""),
        }) {
      BadInputException e =
          assertThrows(
              BadInputException.class,
              () -> JournalFile.decode(json.getBytes(StandardCharsets.UTF_8), "journal j"));
      assertTrue(e.getMessage().startsWith("journal j: duplicate key \""), e.getMessage());
    }
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] bytes = GOOD.replace("/srv/b", "/srv/\u00ff").getBytes(StandardCharsets.ISO_8859_1);
    BadInputException e =
        assertThrows(BadInputException.class, () -> JournalFile.decode(bytes, "journal j"));
    assertTrue(e.getMessage().contains("invalid UTF-8"), e.getMessage());
  }

  @Test
  void aHugeJournalIsRefusedWithoutReadingIt() throws Exception {
    Path file = dir.resolve("journal.json");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(GOOD.substring(0, GOOD.length() - 2).getBytes(StandardCharsets.UTF_8));
      f.setLength(200L << 20); // sparse: 200 MB that cost no disk
    }
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> JournalFile.read(file)));
    assertTrue(e.getMessage().endsWith(": larger than 1048576 bytes"), e.getMessage());
  }

  @Test
  void aSymlinkIsRefused() throws Exception {
    Path target = Files.writeString(dir.resolve("elsewhere.json"), GOOD);
    Path file = Files.createSymbolicLink(dir.resolve("journal.json"), target);
    BadInputException e = assertThrows(BadInputException.class, () -> JournalFile.read(file));
    assertTrue(e.getMessage().endsWith(": not a regular file"), e.getMessage());
  }
}
