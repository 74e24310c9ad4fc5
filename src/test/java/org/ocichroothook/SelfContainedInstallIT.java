package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./install} from a fresh copy of this checkout, staged with {@code --destdir} (so nothing
 * of this host is touched): the installation carries a jlinked runtime of only the modules the
 * program needs, and the installed hook runs prestart, poststop and doctor in a mount namespace
 * where no JDK exists at all ({@code /usr/lib/jvm} hidden under an empty tmpfs, so {@code
 * /usr/bin/java} dangles), with no JAVA_HOME and a PATH without java. Then {@code --use-host-jdk}
 * over it, and {@code --uninstall}, which leaves nothing behind.
 */
class SelfContainedInstallIT {
  private static final Path REPO = HookLauncherIT.CHECKOUT_LAUNCHER.getParent();

  @TempDir Path dir;

  @Test
  void theSelfContainedInstallRunsWithNoJdkOnTheHost() throws Exception {
    Path checkout = copyCheckout();
    Path stage = dir.resolve("stage");
    Path prefix = dir.resolve("prefix");
    Path staged = stage.resolve(prefix.toString().substring(1));
    Path home = staged.resolve("lib/oci-chroot-hook");

    Command.Result install =
        install(checkout, "--destdir", stage.toString(), "--prefix", prefix.toString());
    assertTrue(
        install.stdout().contains("jlinked from JDK"),
        "install names the jlinked runtime: " + install);

    // The runtime: jlink's image, minimal, without headers or man pages, with its CDS archive.
    Path runtime = home.resolve("runtime");
    assertTrue(Files.isExecutable(runtime.resolve("bin/java")), runtime.toString());
    String release = Files.readString(runtime.resolve("release"));
    assertTrue(release.contains("java.base"), release);
    for (String absent :
        List.of(
            "jdk.compiler",
            "jdk.jlink",
            "java.net.http",
            "jdk.jshell",
            "java.desktop",
            "java.sql",
            "java.xml")) {
      assertFalse(release.contains(absent), "only the modules the program needs: " + release);
    }
    assertFalse(Files.exists(runtime.resolve("include")), "--no-header-files");
    assertFalse(Files.exists(runtime.resolve("man")), "--no-man-pages");
    assertFalse(Files.exists(runtime.resolve("bin/javac")), "a runtime, not a JDK");
    assertTrue(Files.isRegularFile(runtime.resolve("lib/server/classes.jsa")), "its CDS archive");
    assertEquals(
        "JAVA=" + prefix.resolve("lib/oci-chroot-hook/runtime/bin/java"),
        Files.readAllLines(home.resolve("launcher.conf")).get(1));
    String manifest = Files.readString(home.resolve("install-manifest"));
    assertTrue(
        manifest.contains("file " + prefix + "/lib/oci-chroot-hook/runtime/bin/java\n"), manifest);
    assertTrue(
        manifest.contains("file " + prefix + "/lib/oci-chroot-hook/runtime/lib/modules\n"),
        manifest);

    // In place (the stage bound at the prefix), with no JDK on the "host".
    Path state = dir.resolve("state");
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        "{\"stateDir\": \""
            + state
            + "\", \"executable\": \"/usr/bin/runsc\", \"logFile\": \""
            + dir.resolve("hook.log")
            + "\", \"platforms\": {\"ptrace\": []}}\n");
    Command.run(List.of("chmod", "600", config.toString()), Map.of(), null).ok();
    Files.createDirectories(prefix);
    Command.Result run =
        Command.run(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "bash",
                "-c",
                NO_JDK_SCENARIO,
                "scenario",
                staged.toString(),
                prefix.toString(),
                config.toString(),
                state.toString(),
                stage.resolve("usr/share/containers/oci/hooks.d").toString()),
            Map.of(),
            null);
    String out = run.stdout();
    assertEquals(0, run.code(), run.toString());
    assertTrue(out.contains("java on PATH: none\n"), out);
    assertTrue(out.contains("/usr/bin/java runs: no\n"), out);
    assertTrue(out.contains("archive: " + prefix + "/lib/oci-chroot-hook/hook."), out);
    assertTrue(out.contains("prestart: 0\n"), out);
    assertTrue(out.contains("proc mounted in the chroot: yes\n"), out);
    assertTrue(out.contains("poststop: 0\n"), out);
    assertTrue(out.contains("chroot after poststop: gone\n"), out);
    assertTrue(out.contains("mounts under the state directory after poststop: 0\n"), out);
    assertTrue(
        out.contains("✔ the launcher runs " + prefix + "/lib/oci-chroot-hook/runtime/bin/java\n"),
        out);
    assertTrue(out.contains(" is fresh\n"), "doctor: the archive of the jlinked runtime: " + out);
    assertTrue(out.contains("\nhealthy\ndoctor: 0\n"), "doctor reports healthy: " + out);
    // inject uses jackson-databind, whose optional java.desktop/java.sql/java.xml are left out.
    assertTrue(out.contains("inject: 0\na poststop hook in config.json: yes\n"), out);
    assertTrue(out.endsWith("\ninject --remove: 0"), out);

    // --use-host-jdk over it: the runtime goes, launcher.conf names the host's JDK.
    Command.Result host =
        install(
            checkout,
            "--destdir",
            stage.toString(),
            "--prefix",
            prefix.toString(),
            "--use-host-jdk");
    assertTrue(host.stdout().contains("host JDK (--use-host-jdk)"), host.toString());
    assertFalse(Files.exists(runtime), "the jlinked runtime is removed with its directories");
    assertTrue(
        Files.readAllLines(home.resolve("launcher.conf")).get(1).startsWith("JAVA=/usr/lib/jvm/"),
        Files.readString(home.resolve("launcher.conf")));

    // Self-contained again, then uninstalled: no file is left under the stage.
    install(checkout, "--destdir", stage.toString(), "--prefix", prefix.toString());
    assertTrue(Files.isExecutable(runtime.resolve("bin/java")));
    install(checkout, "--uninstall", "--destdir", stage.toString(), "--prefix", prefix.toString());
    List<Path> left = new ArrayList<>();
    try (Stream<Path> files = Files.walk(stage)) {
      files.filter(p -> !Files.isDirectory(p)).forEach(left::add);
    }
    assertEquals(List.of(), left, "uninstall removes every file it installed");
    assertFalse(Files.exists(home), "and the program's directory");
  }

  /**
   * $1 the staged program's prefix, $2 the prefix, $3 the configuration, $4 its state directory, $5
   * the staged hooks.d directory. Prints one line per fact.
   */
  private static final String NO_JDK_SCENARIO =
      """
      set -u
      staged=$1 prefix=$2 config=$3 state=$4 hooks=$5
      mount --bind "$staged" "$prefix"
      mount -t tmpfs -o mode=755 nojdk /usr/lib/jvm
      # podman's default hooks directory shows only this installation's file (doctor checks it).
      mount --bind "$hooks" /usr/share/containers/oci/hooks.d
      unset JAVA_HOME
      export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      echo "java on PATH: $(command -v java || echo none)"
      echo "/usr/bin/java runs: $(/usr/bin/java -version >/dev/null 2>&1 && echo yes || echo no)"
      home=$prefix/lib/oci-chroot-hook
      echo "archive: $("$home/build-archive" "$home" "$home/runtime/bin/java")"
      hook=$prefix/bin/oci-chroot-hook
      for status in creating stopped; do
        printf '{"ociVersion":"1.0.2","id":"self-contained","status":"%s","pid":1,"bundle":"/nonexistent","annotations":{"dev.gvisor.flag.platform":"ptrace"}}' \\
          "$status" > "$state.$status.json"
      done
      env -i "$hook" --config "$config" prestart < "$state.creating.json"; echo "prestart: $?"
      root=$state/self-contained/root
      echo "proc mounted in the chroot: $(grep -q " $root/proc " /proc/self/mountinfo && echo yes || echo no)"
      env -i "$hook" --config "$config" poststop < "$state.stopped.json"; echo "poststop: $?"
      echo "chroot after poststop: $([ -e "$state/self-contained" ] && echo present || echo gone)"
      echo "mounts under the state directory after poststop: $(grep -c " $state/" /proc/self/mountinfo)"
      env -i "$hook" --config "$config" doctor; echo "doctor: $?"
      bundle=$state/bundle; mkdir "$bundle"
      printf '{"ociVersion":"1.0.2","root":{"path":"rootfs"}}' > "$bundle/config.json"
      env -i "$hook" --config "$config" inject "$bundle"; echo "inject: $?"
      echo "a poststop hook in config.json: $(grep -q '"poststop" : \\[' "$bundle/config.json" && echo yes || echo no)"
      env -i "$hook" --config "$config" inject --remove "$bundle"; echo "inject --remove: $?"
      """;

  private Path copyCheckout() {
    Path checkout = dir.resolve("checkout");
    List<String> cp = new ArrayList<>(List.of("cp", "-a"));
    for (String f : List.of("install", "hook", "pom.xml", "packaging", "spec-fixtures", "src")) {
      cp.add(REPO.resolve(f).toString());
    }
    cp.add(checkout.toString());
    Command.run(List.of("mkdir", "-p", checkout.toString()), Map.of(), null).ok();
    Command.run(cp, Map.of(), null).ok();
    return checkout;
  }

  private static Command.Result install(Path checkout, String... args) {
    List<String> command = new ArrayList<>(List.of(checkout.resolve("install").toString()));
    command.addAll(List.of(args));
    return Command.run(command, Map.of(), checkout).ok();
  }
}
