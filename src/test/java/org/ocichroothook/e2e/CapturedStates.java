package org.ocichroothook.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps the states a runtime sent, sanitised of this run's host paths, in target/captured-states,
 * named like the fixtures in spec-fixtures/state: copying them there refreshes the unit tests' view
 * of what real runtimes send.
 */
final class CapturedStates {
  private static final Path OUT = Path.of("target/captured-states").toAbsolutePath();

  private CapturedStates() {}

  static void save(Path capture, Path base, String prefix) throws IOException {
    Files.createDirectories(OUT);
    List<Path> files;
    try (Stream<Path> s = Files.list(capture)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      String json = Files.readString(f).replace(base.toString(), "/var/lib/oci-chroot-hook-e2e");
      String status = json.replaceAll("(?s).*\"status\":\"([a-z]+)\".*", "$1");
      String stage = status.equals("stopped") ? "poststop" : "prestart";
      Files.writeString(OUT.resolve(prefix + "." + stage + ".json"), json.trim() + "\n");
    }
  }
}
