package org.ocichroothook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The program laid out as {@code ./install} lays it out ({@code PREFIX/lib/oci-chroot-hook}: the
 * launcher, jvm-flags, build-archive, the jars, the JNI library and launcher.conf), from this
 * build's {@code target}, under a prefix whose path has a space in it. Its launcher.conf names the
 * JDK under test ({@code java.home}), so the launcher tests run that JDK and not whatever {@code
 * /usr/bin/java} is.
 */
public final class Installation {
  static final Path REPO = HookLauncherIT.CHECKOUT_LAUNCHER.getParent();
  static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private final Path home;

  private Installation(Path home) {
    this.home = home;
  }

  /** Copies the build into {@code prefix + "/lib dir/oci-chroot-hook"}. */
  public static Installation create(Path prefix) throws IOException {
    Path home = Files.createDirectories(prefix.resolve("lib dir/oci-chroot-hook"));
    Path target = REPO.resolve("target");
    Files.copy(target.resolve("oci-chroot-hook.jar"), home.resolve("oci-chroot-hook.jar"));
    copyTree(target.resolve("lib"), home.resolve("lib"));
    copyTree(target.resolve("native"), home.resolve("native"));
    for (String tool : List.of("build-archive", "jvm-flags")) {
      Files.copy(
          REPO.resolve("packaging").resolve(tool),
          home.resolve(tool),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    Files.copy(REPO.resolve("hook"), home.resolve("hook"), StandardCopyOption.COPY_ATTRIBUTES);
    Installation installation = new Installation(home);
    installation.writeLauncherConf();
    return installation;
  }

  /** launcher.conf as ./install writes it, with extra JVM flags (each one word). */
  void writeLauncherConf(String... javaFlags) throws IOException {
    StringBuilder flags = new StringBuilder();
    for (String flag : javaFlags) {
      flags.append(" '").append(flag).append('\'');
    }
    Files.writeString(
        home.resolve("launcher.conf"),
        "JAVA='" + JAVA.toRealPath() + "'\nJAVA_FLAGS=(" + flags + ")\n");
  }

  public Path home() {
    return home;
  }

  public Path launcher() {
    return home.resolve("hook");
  }

  Path nativeLibrary() {
    return home.resolve("native/liboci-chroot-hook.so");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path dest = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(f, dest);
        }
      }
    }
  }
}
