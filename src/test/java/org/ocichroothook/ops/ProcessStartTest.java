package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessStartTest {
  @Test
  void field22CountedFromTheLastParenthesis() throws Exception {
    String stat =
        "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321 1000 10";
    assertEquals(987654321L, ProcessStart.parse(stat));
    assertThrows(IOException.class, () -> ProcessStart.parse("4242 (x) S 1 2"));
  }

  @Test
  void readsThisProcessAndSaysNullForAMissingOne(@TempDir Path fake) throws Exception {
    long self = ProcessHandle.current().pid();
    assertNotNull(ProcessStart.host().of((int) self));
    assertEquals(ProcessStart.host().of((int) self), ProcessStart.host().of((int) self));
    Files.createDirectories(fake.resolve("7"));
    Files.writeString(
        fake.resolve("7/stat"), "7 (sh) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0\n");
    assertEquals(5555L, new ProcessStart(fake).of(7));
    assertNull(new ProcessStart(fake).of(8));
  }
}
