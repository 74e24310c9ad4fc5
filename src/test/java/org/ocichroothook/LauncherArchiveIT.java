package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive as an installation has it: built by build-archive, used by the launcher, and
 * never the reason a container fails. A missing, corrupt or stale archive changes nothing a runtime
 * sees: exit 0 and no output at all (a JVM would otherwise warn on stdout).
 */
class LauncherArchiveIT {
  private static final Path REPO = HookLauncherIT.LAUNCHER.getParent();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir Path base;
  private Path home;
  private TestStateDir dir;

  @BeforeEach
  void install() throws Exception {
    dir = TestStateDir.create(base.resolve("t"));
    home = Files.createDirectories(base.resolve("lib/oci-chroot-hook"));
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
    Files.writeString(
        home.resolve("launcher.conf"), "JAVA=" + JAVA.toRealPath() + "\nJAVA_FLAGS=\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    dir.close();
  }

  @Test
  void aFreshArchiveIsUsedAndAMissingCorruptOrStaleOneFailsNothing() throws Exception {
    lifecycleIsSilent("without an archive");

    Run build =
        run(
            List.of(home.resolve("build-archive").toString(), home.toString(), JAVA.toString()),
            "");
    assertEquals(0, build.code(), build.stderr());
    Path archive = Path.of(build.stdout().trim());
    assertTrue(Files.size(archive) > 1_000_000, "an archive was written: " + archive);
    lifecycleIsSilent("with a fresh archive");

    byte[] good = Files.readAllBytes(archive);
    Files.write(archive, new byte[] {1, 2, 3, 4});
    lifecycleIsSilent("with a corrupt archive");
    Files.write(archive, good);

    // As after an upgrade of the jar: the archive is older than it.
    FileTime jar = Files.getLastModifiedTime(home.resolve("oci-chroot-hook.jar"));
    Files.setLastModifiedTime(archive, FileTime.fromMillis(jar.toMillis() - 60_000));
    lifecycleIsSilent("with a stale archive");
    for (int i = 0; i < 600 && Files.getLastModifiedTime(archive).compareTo(jar) <= 0; i++) {
      Thread.sleep(100);
    }
    assertTrue(
        Files.getLastModifiedTime(archive).compareTo(jar) > 0,
        "the launcher rebuilt the stale archive in the background");
    lifecycleIsSilent("with the rebuilt archive");
  }

  private void lifecycleIsSilent(String when) throws Exception {
    String before = TestStateDir.mountinfo();
    for (String status : List.of("creating", "stopped")) {
      Run r =
          run(
              List.of(home.resolve("hook").toString(), "--config", dir.config().toString()),
              TestStateDir.state("a1", status, "/srv/b", "kvm"));
      assertEquals(0, r.code(), when + ": " + r.stderr());
      assertEquals("", r.stdout(), when);
      assertEquals("", r.stderr(), when);
    }
    assertEquals(before, TestStateDir.mountinfo(), when);
  }

  record Run(int code, String stdout, String stderr) {}

  private Run run(List<String> command, String stdin) {
    Command.Result r = Command.inEmptyEnvironment(command, null, stdin);
    return new Run(r.code(), r.stdout(), r.stderr());
  }

  private static void copyTree(Path from, Path to) throws Exception {
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
