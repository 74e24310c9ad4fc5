package org.ocichroothook.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The installation that is running, as the launcher found it: its own real path (passed as {@code
 * -Doci-chroot-hook.launcher}), and the directory holding the jar, launcher.conf and the start-up
 * archive (beside the launcher when installed, {@code target/} in a checkout), and the directory of
 * build-archive and jvm-flags (the same when installed, {@code packaging/} in a checkout).
 */
record Installation(Path launcher, Path home, Path tools) {
  static final String PROPERTY = "oci-chroot-hook.launcher";

  /** From the launcher's property; null when not started by the launcher (a test, a bare java). */
  static Installation current() {
    String launcher = System.getProperty(PROPERTY);
    if (launcher == null || launcher.isEmpty()) {
      return null;
    }
    Path self = Path.of(launcher);
    Path here = self.getParent();
    boolean installed = Files.isRegularFile(here.resolve("oci-chroot-hook.jar"));
    return installed
        ? new Installation(self, here, here)
        : new Installation(self, here.resolve("target"), here.resolve("packaging"));
  }

  /** The JVM the launcher runs: launcher.conf's JAVA if set, else /usr/bin/java's real path. */
  Path configuredJava() throws IOException {
    Path conf = home.resolve("launcher.conf");
    if (Files.isRegularFile(conf)) {
      for (String line : lines(conf)) {
        if (line.startsWith("JAVA=") && line.length() > 5) {
          String word = shellWord(line.substring(5).strip());
          return word == null || word.isEmpty() ? null : Path.of(word);
        }
      }
    }
    return null;
  }

  /**
   * The value of one shell word as bash reads it when the launcher sources launcher.conf: ./install
   * writes JAVA with {@code printf %q} (a backslash before each special character), and quoting
   * with '...' or "..." is read too. Null for what this does not read ({@code $'...'}, which %q
   * writes only for control characters), rather than a wrong path.
   */
  static String shellWord(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        out.append(text.charAt(++i));
      } else if (c == '\'') {
        int end = text.indexOf('\'', i + 1);
        if (end < 0) {
          return null;
        }
        out.append(text, i + 1, end);
        i = end;
      } else if (c == '"') {
        for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
          if (text.charAt(i) == '\\'
              && i + 1 < text.length()
              && "$`\"\\".indexOf(text.charAt(i + 1)) >= 0) {
            i++;
          }
          out.append(text.charAt(i));
        }
        if (i >= text.length()) {
          return null;
        }
      } else if (c == '$' || c == '`' || Character.isWhitespace(c)) {
        return null;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The feature version of {@code java}'s JDK, from its release file, as jvm-flags' java_major
   * reads it; null when it cannot be told.
   */
  static Integer major(Path java) {
    Path home = java.getParent() == null ? null : java.getParent().getParent();
    Path release = home == null ? null : home.resolve("release");
    try {
      if (release == null || !Files.isRegularFile(release)) {
        Path real = java.toRealPath();
        release = real.getParent().getParent().resolve("release");
      }
      for (String line : lines(release)) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          String digits = v.split("[.+-]", 2)[0];
          return Integer.parseInt(digits);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** The first 64 KiB of a small root-owned text file (launcher.conf, a JDK's release), by line. */
  private static List<String> lines(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " is not a regular file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8).lines().toList();
    }
  }

  /**
   * The start-up archive the launcher uses with {@code java} (jvm-flags' jvm_settings): an AOT
   * cache on JDK 25+, an AppCDS archive before; a JDK of unknown version counts as 17.
   */
  Path archive(Path java) {
    Integer major = major(java);
    return home.resolve(major != null && major >= 25 ? "hook.aot" : "hook.jsa");
  }
}
