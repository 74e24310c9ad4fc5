package org.ocichroothook.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileModeTest {
  @Test
  void eachOfTheNineBitsIsItsPermission() {
    assertEquals(
        Set.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ),
        FileMode.permissions(0640));
    assertEquals(Set.of(), FileMode.permissions(0));
    assertEquals(FileMode.permissions(0755), FileMode.permissions(04755), "only the low nine bits");
  }

  @Test
  void agreesWithTheJdksOwnReadingOfEveryMode() {
    String letters = "rwxrwxrwx";
    for (int mode = 0; mode <= 0777; mode++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 9; i++) {
        text.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
      }
      assertEquals(
          PosixFilePermissions.fromString(text.toString()),
          FileMode.permissions(mode),
          Integer.toOctalString(mode));
    }
  }
}
