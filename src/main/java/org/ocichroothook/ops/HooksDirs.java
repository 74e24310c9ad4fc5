package org.ocichroothook.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which hooks.d directories a runtime reads, from its own configuration files, as the runtime
 * merges them: files in order, a later one that sets {@code hooks_dir} replacing an earlier one.
 *
 * @param dirs the directories, in the runtime's order
 * @param source where they came from (a file, or "default")
 */
record HooksDirs(List<Path> dirs, String source) {
  static final Path DEFAULT = Path.of("/usr/share/containers/oci/hooks.d");
  private static final int MAX_BYTES = 1 << 20;

  HooksDirs {
    dirs = List.copyOf(dirs);
  }

  /**
   * Podman's: {@code $CONTAINERS_CONF} alone when set; else containers.conf in /usr/share then
   * /etc, each followed by its .d directory; else podman's default.
   */
  static HooksDirs podman(String containersConfEnv, Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    if (containersConfEnv != null && !containersConfEnv.isEmpty()) {
      files.add(Path.of(containersConfEnv));
    } else {
      for (String base : List.of("usr/share/containers", "etc/containers")) {
        files.add(root.resolve(base).resolve("containers.conf"));
        files.addAll(dropIns(root.resolve(base).resolve("containers.conf.d")));
      }
    }
    return merge(files, "engine");
  }

  /** CRI-O's: /etc/crio/crio.conf, then /etc/crio/crio.conf.d/*.conf; else its default. */
  static HooksDirs crio(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("etc/crio/crio.conf"));
    files.addAll(dropIns(root.resolve("etc/crio/crio.conf.d")));
    return merge(files, "crio.runtime");
  }

  static HooksDirs merge(List<Path> files, String table) throws IOException {
    HooksDirs result = new HooksDirs(List.of(DEFAULT), "default");
    for (Path file : files) {
      if (!Files.exists(file)) {
        continue;
      }
      if (!Files.isRegularFile(file)) {
        throw new IOException(file + " is not a regular file"); // a FIFO would block the open
      }
      String text;
      try (InputStream in = Files.newInputStream(file)) {
        text = new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        continue;
      }
      List<String> dirs = TomlStrings.array(text, table, "hooks_dir");
      if (dirs != null) {
        result = new HooksDirs(dirs.stream().map(Path::of).toList(), file.toString());
      }
    }
    return result;
  }

  /** The {@code *.conf} files of a drop-in directory, in lexical order. */
  private static List<Path> dropIns(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.conf")) {
      s.forEach(files::add);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    files.sort(null);
    return files;
  }
}
