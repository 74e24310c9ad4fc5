package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive as an installation has it: built by build-archive, used by the launcher, and
 * never the reason a container fails. A missing, corrupt or stale archive changes nothing a runtime
 * sees: exit 0 and no output at all (a JVM would otherwise warn on stdout).
 */
class LauncherArchiveIT {
  private static final Path JAVA = Installation.JAVA;

  @TempDir Path base;
  private Installation installation;
  private Path home;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();

  @BeforeEach
  void install() throws Exception {
    installation = Installation.create(base);
    home = installation.home();
  }

  @Test
  void aFreshArchiveIsUsedAndAMissingCorruptOrStaleOneFailsNothing() throws Exception {
    lifecycleIsSilent("without an archive");

    Command.Result build =
        run(
            List.of(home.resolve("build-archive").toString(), home.toString(), JAVA.toString()),
            "");
    assertEquals(0, build.code(), build.stderr());
    Path archive = Path.of(build.stdout().trim());
    assertTrue(Files.size(archive) > 1_000_000, "an archive was written: " + archive);
    holdsTheHotPathAlone(archive);
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
      Command.Result r =
          run(
              List.of(home.resolve("hook").toString(), "--config", dir.config().toString()),
              TestStateDir.state("a1", status, "/srv/b", "kvm"));
      assertEquals(0, r.code(), when + ": " + r.stderr());
      assertEquals("", r.stdout(), when);
      assertEquals("", r.stderr(), when);
    }
    assertEquals(before, TestStateDir.mountinfo(), when);
  }

  /**
   * Every class an archive holds is paid for at each start (a JDK 25 AOT cache loads them all), so
   * the training run must put into it only classes of the program and its libraries that prestart
   * and poststop load themselves (and TrainingRun): never inject's, never databind.
   */
  private void holdsTheHotPathAlone(Path archive) throws Exception {
    installation.writeLauncherConf("-XX:+PrintSharedArchiveAndExit");
    Command.Result listing = run(List.of(home.resolve("hook").toString(), "--version"), "");
    Set<String> archived = new TreeSet<>();
    Matcher m =
        Pattern.compile("^\\s*\\d+: (\\S+) app_loader", Pattern.MULTILINE)
            .matcher(listing.stdout());
    while (m.find()) {
      archived.add(m.group(1));
    }
    assertTrue(archived.contains("org.ocichroothook.chroot.ChrootBuilder"), listing.stdout());
    assertTrue(archived.contains("org.ocichroothook.sys.JniSyscalls"), listing.stdout());

    Path moved = archive.resolveSibling("moved-away");
    Files.move(archive, moved);
    Path log = base.resolve("class-load.log");
    installation.writeLauncherConf("-Xlog:class+load=info:file=" + log);
    Set<String> loaded = new TreeSet<>(Set.of("org.ocichroothook.TrainingRun"));
    // As in the training run, the first prestart finds no log and creates it (a failed openat).
    Files.deleteIfExists(dir.logFile());
    for (String status : List.of("creating", "stopped")) {
      Command.Result r =
          run(
              List.of(home.resolve("hook").toString(), "--config", dir.config().toString()),
              TestStateDir.state("a2", status, "/srv/b", "kvm"));
      assertEquals(0, r.code(), r.stderr());
      Matcher c = Pattern.compile("\\] (\\S+) source:").matcher(Files.readString(log));
      while (c.find()) {
        loaded.add(c.group(1));
      }
    }
    Files.move(moved, archive);
    installation.writeLauncherConf();
    startsNoCostlySubsystem(loaded);
    archived.removeIf(name -> name.contains("/0x") || name.contains("$$Lambda"));
    archived.removeAll(loaded);
    assertEquals(Set.of(), archived, "archived, but loaded by neither prestart nor poststop");
  }

  /**
   * What prestart and poststop load, read from -Xlog:class+load, holds none of the JDK machinery
   * that costs a fresh JVM milliseconds at its first use and that no archive (JDK 17's AppCDS)
   * holds whole: a lambda or method reference of the program's own (the first one bootstraps
   * java.lang.invoke), a record's generated toString/equals/hashCode (ObjectMethods), a stream
   * pipeline, java.time's formatter (the journal's time), Jackson's own number parsing (two regular
   * expressions in its static initializer).
   */
  private static void startsNoCostlySubsystem(Set<String> loaded) {
    Set<String> costly = new TreeSet<>();
    for (String name : loaded) {
      if ((name.startsWith("org.ocichroothook.") && name.contains("$$Lambda"))
          || name.equals("java.lang.runtime.ObjectMethods")
          || name.equals("java.util.stream.ReferencePipeline")
          || name.equals("java.time.format.DateTimeFormatter")
          || name.equals("com.fasterxml.jackson.core.io.NumberInput")) {
        costly.add(name);
      }
    }
    assertEquals(Set.of(), costly, "loaded by prestart or poststop");
  }

  private Command.Result run(List<String> command, String stdin) {
    return Command.inEmptyEnvironment(command, null, stdin);
  }
}
