package org.ocichroothook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository's spec-fixtures directory, found from the test's working directory (the project).
 */
public final class Fixtures {
  private Fixtures() {}

  public static Path dir() {
    String configured = System.getProperty("hook.fixtures");
    Path dir = configured != null ? Path.of(configured) : Path.of("spec-fixtures").toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("spec-fixtures not found at " + dir);
    }
    return dir;
  }

  public static Path state(String name) {
    return dir().resolve("state").resolve(name);
  }

  /** Every JSON file directly in {@code spec-fixtures/<sub>}, sorted by name. */
  public static List<Path> all(String sub) {
    try (Stream<Path> files = Files.list(dir().resolve(sub))) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      if (list.isEmpty()) {
        throw new IllegalStateException("no fixtures in " + dir().resolve(sub));
      }
      return list;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
