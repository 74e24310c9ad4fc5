package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `hook` launcher as runtimes start it: an empty environment, the bundle as working directory.
 */
class HookLauncherIT {
  static final Path LAUNCHER =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath();

  @TempDir Path base;
  @TempDir Path workdir;
  private TestStateDir dir;

  record Run(int code, String stdout, String stderr) {}

  @BeforeEach
  void setUp() throws Exception {
    dir = TestStateDir.create(base);
  }

  @AfterEach
  void tearDown() throws Exception {
    dir.close();
  }

  @Test
  void runsWithAnEmptyEnvironmentFromAnyDirectory() throws Exception {
    String before = TestStateDir.mountinfo();
    Run pre = run(TestStateDir.state("l1", "creating", "/srv/b", "kvm"), List.of(), "prestart");
    assertEquals(0, pre.code(), pre.stderr());
    assertEquals("", pre.stderr());
    assertEquals(Set.of("proc", "runsc", "dev"), HookIT.names(dir.root("l1")));
    Run post = run(TestStateDir.state("l1", "stopped", "/srv/b", null), List.of(), "poststop");
    assertEquals(0, post.code(), post.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertEquals(Set.of(), HookIT.names(workdir), "nothing written to the working directory");
  }

  /**
   * jffi, left to itself, writes its .so into /tmp, or the working directory when /tmp is not
   * usable, and loads it from there. With both read-only (the test's files stay readable, its state
   * directory, a separate mount, stays writable), a program that still needed to unpack would fail
   * with an UnsatisfiedLinkError; the launcher must load the library from its own directory.
   */
  @Test
  void loadsNativeCodeOnlyFromItsOwnDirectory() throws Exception {
    String readOnly =
        "mount --rbind /tmp /tmp && mount -o remount,bind,ro /tmp"
            + " && mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"";
    Run r =
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
    assertEquals(Set.of("proc", "runsc", "dev"), HookIT.names(dir.root("l3")));
    // Its mounts went with that namespace; poststop here removes the directories.
    assertEquals(
        0, run(TestStateDir.state("l3", "stopped", "/srv/b", null), List.of(), "poststop").code());
  }

  @Test
  void withoutCapSysAdminPrestartFailsWithOneClearLine() throws Exception {
    String before = TestStateDir.mountinfo();
    Run r =
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
    Run r = run("{not json", List.of(), "prestart");
    assertEquals(2, r.code());
    assertTrue(r.stderr().startsWith("oci-chroot-hook: state: malformed JSON: "), r.stderr());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    Run help = run("", List.of(), "--help");
    assertEquals(0, help.code(), help.stderr());
    assertTrue(help.stdout().startsWith("Usage: oci-chroot-hook"), help.stdout());
  }

  private Run run(String stdin, List<String> prefix, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(LAUNCHER.toString());
    if (!args[0].startsWith("--")) {
      command.add("--config");
      command.add(dir.config().toString());
    }
    command.addAll(List.of(args));
    Command.Result r = Command.inEmptyEnvironment(command, workdir, stdin);
    return new Run(r.code(), r.stdout(), r.stderr());
  }
}
