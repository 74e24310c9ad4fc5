package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command;

/**
 * The capture hook of the end-to-end tests names its files so that sorting them gives the order the
 * hooks ran in, whatever their pids: the tests take the first state as prestart.
 */
class CaptureStateIT {
  private static final Path SCRIPT =
      E2eEnvironment.LAUNCHER.getParent().resolve("src/test/sh/capture-state");

  @Test
  void sortedNamesAreTheOrderOfTheCallsWhateverThePids(@TempDir Path capture) throws Exception {
    // Each call is pid 1 of a new pid namespace: the same pid every time, as when pids wrap or
    // gain a digit, so nothing but the script's own numbering can keep the order.
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String state = "{\"n\":" + i + "}";
      sent.add(state);
      Command.inEmptyEnvironment(
              List.of(
                  "/usr/bin/unshare",
                  "--pid",
                  "--fork",
                  "--",
                  SCRIPT.toString(),
                  capture.toString()),
              null,
              state)
          .ok();
    }
    List<String> read = new ArrayList<>();
    try (Stream<Path> files = Files.list(capture)) {
      for (Path f : files.sorted().toList()) {
        read.add(Files.readString(f));
      }
    }
    assertEquals(sent, read);
  }
}
