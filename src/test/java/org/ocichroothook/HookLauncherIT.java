package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;

/**
 * The `hook` launcher as runtimes start it: an empty environment, the bundle as working directory.
 * It runs from an {@link Installation} of this build whose launcher.conf names the JDK under test,
 * under a prefix with a space in its path.
 */
class HookLauncherIT {
  static final Path CHECKOUT_LAUNCHER =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath();

  @TempDir Path base;
  @TempDir Path workdir;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private Installation installation;

  @BeforeEach
  void setUp() throws Exception {
    installation = Installation.create(base.resolve("prefix"));
  }

  @Test
  void runsWithAnEmptyEnvironmentFromAnyDirectory() throws Exception {
    String before = TestStateDir.mountinfo();
    Command.Result pre =
        run(TestStateDir.state("l1", "creating", "/srv/b", "kvm"), List.of(), "prestart");
    assertEquals(0, pre.code(), pre.stderr());
    assertEquals("", pre.stderr());
    assertEquals(Set.of("proc", "runsc", "dev"), HookIT.names(dir.root("l1")));
    Command.Result post =
        run(TestStateDir.state("l1", "stopped", "/srv/b", null), List.of(), "poststop");
    assertEquals(0, post.code(), post.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertEquals(Set.of(), HookIT.names(workdir), "nothing written to the working directory");
  }

  /**
   * The JVM's own log of the libraries it loads proves which JDK ran (its libnio.so) and which
   * native code the hook used: the installation's own JNI library by its absolute path, and nothing
   * from anywhere else.
   */
  @Test
  void runsTheJdkUnderTestAndTheInstallationsOwnLibrary() throws Exception {
    Path log = base.resolve("libraries.log");
    installation.writeLauncherConf("-Xlog:library=info:file=" + log);
    Command.Result pre =
        run(TestStateDir.state("l4", "creating", "/srv/b", "kvm"), List.of(), "prestart");
    assertEquals(0, pre.code(), pre.stderr());
    Command.Result post =
        run(TestStateDir.state("l4", "stopped", "/srv/b", null), List.of(), "poststop");
    assertEquals(0, post.code(), post.stderr());
    String jdk = Path.of(System.getProperty("java.home")).toRealPath() + "/lib/";
    List<String> loaded =
        Files.readString(log)
            .lines()
            .filter(l -> l.contains("Loaded library /"))
            .map(l -> l.substring(l.indexOf("Loaded library ") + "Loaded library ".length()))
            .map(l -> l.replaceFirst(", handle .*", ""))
            .toList();
    assertTrue(loaded.contains(jdk + "libnio.so"), "the JDK under test ran: " + loaded);
    assertTrue(
        loaded.contains(installation.nativeLibrary().toString()), "the JNI library: " + loaded);
    for (String library : loaded) {
      assertTrue(
          library.startsWith(jdk) || library.equals(installation.nativeLibrary().toString()),
          "loaded from elsewhere: " + library);
    }
  }

  /**
   * inject loads databind, which the hot path's class path leaves out: the launcher must add
   * lib/inject for it, and only for it.
   */
  @Test
  void injectRunsWithItsOwnJarsAdded() throws Exception {
    Path bundle = Files.createDirectories(base.resolve("bundle"));
    Files.copy(
        Installation.REPO.resolve("spec-fixtures/bundle/runc-spec.config.json"),
        bundle.resolve("config.json"));
    Command.Result r =
        Command.inEmptyEnvironment(
            List.of(installation.launcher().toString(), "inject", bundle.toString()), workdir, "");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(Files.readString(bundle.resolve("config.json")).contains("poststop"));
    Command.Result pre =
        run(TestStateDir.state("l5", "creating", "/srv/b", null), List.of(), "prestart");
    assertEquals(0, pre.code(), "the stage still runs after inject: " + pre.stderr());
    assertEquals(
        0, run(TestStateDir.state("l5", "stopped", "/srv/b", null), List.of(), "poststop").code());
  }

  /**
   * The launcher finds its installation from its own path without forking: through the installed
   * PREFIX/bin symlink, through any other symlink (resolved), and by a relative path.
   */
  @Test
  void findsItsInstallationThroughSymlinksAndRelativePaths() throws Exception {
    Path prefix = base.resolve("prefix");
    Path bin = Files.createDirectories(prefix.resolve("bin"));
    Path lib = Files.createDirectories(prefix.resolve("lib"));
    Files.createSymbolicLink(lib.resolve("oci-chroot-hook"), installation.home());
    Files.createSymbolicLink(
        bin.resolve("oci-chroot-hook"), Path.of("../lib/oci-chroot-hook/hook"));
    Path elsewhere = Files.createSymbolicLink(base.resolve("other-link"), installation.launcher());
    for (List<String> command :
        List.of(
            List.of(bin.resolve("oci-chroot-hook").toString(), "--version"),
            List.of(elsewhere.toString(), "--version"),
            List.of("./hook", "--version"))) {
      Path cwd = command.get(0).equals("./hook") ? installation.home() : workdir;
      Command.Result r = Command.inEmptyEnvironment(command, cwd, "");
      assertEquals(0, r.code(), command + ": " + r.stderr());
      assertTrue(r.stdout().startsWith("oci-chroot-hook "), command + ": " + r.stdout());
    }
  }

  /** A checkout's launcher (the jar in target/) works too: the layout developers use. */
  @Test
  void theCheckoutLauncherRuns() {
    Command.Result r =
        Command.inEmptyEnvironment(List.of(CHECKOUT_LAUNCHER.toString(), "--help"), workdir, "");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(r.stdout().startsWith("Usage: oci-chroot-hook"), r.stdout());
  }

  /**
   * Native libraries are often unpacked into /tmp, or the working directory when /tmp is not usable
   * (as jffi did), and loaded from there. With both read-only (the test's files stay readable, its
   * state directory, a separate mount, stays writable), a program that still needed to unpack would
   * fail with an UnsatisfiedLinkError; the launcher must load the library from its own directory.
   */
  @Test
  void loadsNativeCodeOnlyFromItsOwnDirectory() throws Exception {
    String readOnly =
        "mount --rbind /tmp /tmp && mount -o remount,bind,ro /tmp"
            + " && mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"";
    Command.Result r =
        run(
            TestStateDir.state("l3", "creating", "/srv/b", "kvm"),
            List.of(
                "/usr/bin/unshare",
                "--mount",
                "--propagation",
                "private",
                "/bin/sh",
                "-c",
                readOnly,
                workdir.toString()),
            "prestart");
    assertEquals(0, r.code(), r.stderr());
    Journal journal = JournalFile.read(dir.containerDir("l3").resolve("journal.json"));
    assertTrue(journal.complete(), journal.toString());
    assertEquals(
        List.of("", "proc", "runsc", "dev/kvm"),
        journal.mounts().stream().map(m -> m.target().toString()).toList());
    // Its mounts, the root's tmpfs and all on it, went with that namespace; poststop here removes
    // the directories.
    assertEquals(Set.of(), HookIT.names(dir.root("l3")));
    assertEquals(
        0, run(TestStateDir.state("l3", "stopped", "/srv/b", null), List.of(), "poststop").code());
  }

  @Test
  void withoutCapSysAdminPrestartFailsWithOneClearLine() throws Exception {
    String before = TestStateDir.mountinfo();
    Command.Result r =
        run(
            TestStateDir.state("l2", "creating", "/srv/b", "kvm"),
            List.of("/usr/bin/setpriv", "--bounding-set", "-sys_admin", "--"),
            "prestart");
    assertEquals(1, r.code(), r.stderr());
    assertEquals(
        "oci-chroot-hook: prestart needs CAP_SYS_ADMIN to mount; run the hook as root from the runtime\n",
        r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
  }

  @Test
  void badInputThroughTheLauncherIsExit2WithOneLine() throws Exception {
    Command.Result r = run("{not json", List.of(), "prestart");
    assertEquals(2, r.code());
    assertTrue(r.stderr().startsWith("oci-chroot-hook: state: malformed JSON: "), r.stderr());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    Command.Result help = run("", List.of(), "--help");
    assertEquals(0, help.code(), help.stderr());
    assertTrue(help.stdout().startsWith("Usage: oci-chroot-hook"), help.stdout());
  }

  private Command.Result run(String stdin, List<String> prefix, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(installation.launcher().toString());
    if (!args[0].startsWith("--")) {
      command.add("--config");
      command.add(dir.config().toString());
    }
    command.addAll(List.of(args));
    return Command.inEmptyEnvironment(command, workdir, stdin);
  }
}
