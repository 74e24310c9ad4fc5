package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Command;
import org.ocichroothook.TestStateDir;

/**
 * doctor on an installation laid out as ./install makes it (launcher, jars, launcher.conf, a
 * start-up archive), registered with podman through a containers.conf of the test's own
 * ($CONTAINERS_CONF, which podman reads instead of its own files): healthy, then broken one way at
 * a time.
 */
class DoctorIT {
  private static final Path REPO = OpsIT.LAUNCHER.getParent();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path base;
  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private Path home;
  private Path hooksDir;
  private Path containersConf;
  private Path archive;

  @BeforeEach
  void install() throws Exception {
    // As ./install lays it out, under a prefix with a space, launcher.conf naming the JDK under
    // test.
    home = org.ocichroothook.Installation.create(base).home();
    // What the launcher accepts as fresh: newer than the JVM, the jar and lib (its mtime only).
    Integer major = Installation.major(JAVA.toRealPath());
    archive = home.resolve(major != null && major >= 25 ? "hook.aot" : "hook.jsa");
    Files.writeString(archive, "archive");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() + 60_000));

    hooksDir = Files.createDirectories(base.resolve("hooks.d"));
    writeHooksFile(home.resolve("hook").toString());
    containersConf = base.resolve("containers.conf");
    Files.writeString(
        containersConf,
        "[engine]\nhooks_dir = [\"" + hooksDir + "\"]\n",
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aHealthyInstallationExitsZeroWithOneLinePerCheck() throws Exception {
    Command.Result r = doctor();
    assertEquals(0, r.code(), r.toString());
    assertFalse(r.stdout().contains("✘"), r.stdout());
    String file = "\"" + hooksDir.resolve("oci-chroot-hook.json") + "\"";
    for (String line :
        List.of(
            "✔ configuration " + dir.config() + " loads",
            "✔ executable " + dir.executable() + " is a regular file",
            "✔ platform ptrace needs no device",
            "✔ " + dir.stateDir() + " is owned by root and writable by no one else",
            "✔ " + dir.stateDir() + " is a private mount",
            "✔ " + dir.stateDir() + " is on tmpfs: chroots do not survive a reboot",
            "✔ hooks.d file " + file + " is present",
            "✔ " + file + ": hook.path " + home.resolve("hook") + " runs this installation",
            "✔ " + file + ": when.annotations matches",
            "✔ " + file + ": stages [prestart, poststop], timeout 30 s",
            "✔ CRI-O is not installed: nothing to check",
            "✔ the launcher runs " + JAVA.toRealPath(),
            "✔ start-up archive " + archive + " is fresh",
            "✔ log file " + dir.logFile() + " will be created in " + dir.logFile().getParent(),
            "✔ no orphaned chroots (0 chroots, 0 without evidence (see list))")) {
      assertTrue(r.stdout().contains(line), line + "\n---\n" + r.stdout());
    }
    assertTrue(
        r.stdout()
            .contains("⚠ platform broken: " + TestStateDir.MISSING_DEVICE + " does not exist"),
        "a device of another platform than the default is a warning: " + r.stdout());
    assertTrue(r.stdout().endsWith("healthy"), r.stdout());

    Command.Result json = doctor("--json");
    assertEquals(0, json.code(), json.toString());
    JsonNode report = JSON.readTree(json.stdout());
    assertTrue(report.get("healthy").asBoolean());
    assertTrue(report.get("checks").size() >= 15, json.stdout());
    report.get("checks").forEach(c -> assertFalse(c.get("result").asText().equals("error")));
  }

  @Test
  void configuredFilesAndSysfsDirectoriesAreChecked() throws Exception {
    Path zone = Files.writeString(base.resolve("zone"), "TZif");
    ObjectNode config = (ObjectNode) JSON.readTree(dir.config().toFile());
    config
        .putArray("files")
        .add(file("/etc/localtime", zone, false))
        .add(file("/etc/optional", base.resolve("absent"), true));
    ObjectNode accel = ((ObjectNode) config.get("platforms")).putObject("accel");
    accel.putArray("devices");
    // /sys/class/net/lo is a symlink, as PCI device directories are: followed, as prestart does.
    accel.putArray("sysfs").add("/sys/kernel").add("/sys/class/net/lo");
    JSON.writeValue(dir.config().toFile(), config);
    Command.Result r = doctor();
    assertEquals(0, r.code(), r.toString());
    for (String line :
        List.of(
            "✔ file /etc/localtime: " + zone + " is copied into every chroot",
            "✔ file /etc/optional: "
                + base.resolve("absent")
                + " does not exist; skipped (optional)",
            "✔ platform accel needs no device, [/sys/kernel, /sys/class/net/lo] directories")) {
      assertTrue(r.stdout().contains(line), line + "\n---\n" + r.stdout());
    }

    Path link = Files.createSymbolicLink(base.resolve("link"), zone);
    config.putArray("files").add(file("/etc/localtime", link, true));
    JSON.writeValue(dir.config().toFile(), config);
    unhealthy(
        "✘ file /etc/localtime: "
            + link
            + " is not a regular file (a symlink is not followed) — every prestart fails; name the"
            + " file itself as \"source\"");

    Path open = Files.createDirectory(base.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path planted = Files.writeString(open.resolve("zone"), "TZif");
    config.putArray("files").add(file("/etc/localtime", planted, false));
    JSON.writeValue(dir.config().toFile(), config);
    unhealthy(
        "✘ file /etc/localtime: refusing "
            + planted
            + ": a file owned by root in "
            + open
            + ", which others can write and is not sticky: someone other than root could replace"
            + " it — every prestart fails");

    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-rw-rw-"));
    unhealthy("✘ file /etc/localtime: " + planted + " can be written by someone other than root");

    config.putArray("files").add(file("/etc/required", base.resolve("absent"), false));
    JSON.writeValue(dir.config().toFile(), config);
    unhealthy("✘ file /etc/required: " + base.resolve("absent") + " does not exist");
  }

  private static ObjectNode file(String path, Path source, boolean optional) {
    ObjectNode file = JSON.createObjectNode().put("path", path).put("source", source.toString());
    return optional ? file.put("optional", true) : file;
  }

  @Test
  void aMissingHooksFile() throws Exception {
    Files.delete(hooksDir.resolve("oci-chroot-hook.json"));
    unhealthy(
        "✘ no hooks.d file for oci-chroot-hook in the directories podman reads: ["
            + hooksDir
            + "] (from "
            + containersConf
            + ")");
  }

  @Test
  void aHooksFileRunningAnotherCommand() throws Exception {
    writeHooksFile("/usr/bin/true");
    unhealthy(
        ": hook.path \"/usr/bin/true\" does not run this installation (" + home.resolve("hook"));
  }

  @Test
  void hooksDirPointingElsewhere() throws Exception {
    Path elsewhere = Files.createDirectories(base.resolve("elsewhere"));
    Files.writeString(containersConf, "[engine]\nhooks_dir = [\"" + elsewhere + "\"]\n");
    unhealthy(
        "✘ no hooks.d file for oci-chroot-hook in the directories podman reads: [" + elsewhere);
  }

  @Test
  void aMissingExecutable() throws Exception {
    dir.writeConfig("/nonexistent/runsc");
    unhealthy("✘ executable /nonexistent/runsc does not exist — install gVisor's runsc");
  }

  @Test
  void aStaleArchive() throws Exception {
    FileTime jar = Files.getLastModifiedTime(home.resolve("oci-chroot-hook.jar"));
    Files.setLastModifiedTime(archive, FileTime.fromMillis(jar.toMillis() - 60_000));
    unhealthy(
        "✘ start-up archive "
            + archive
            + " is stale: "
            + home.resolve("oci-chroot-hook.jar")
            + " is newer");
  }

  @Test
  void anAnnotationPatternThatMissesAConfiguredKey() throws Exception {
    ObjectNode hook = (ObjectNode) JSON.readTree(hooksDir.resolve("oci-chroot-hook.json").toFile());
    ObjectNode annotations = ((ObjectNode) hook.get("when")).putObject("annotations");
    annotations.put("^dev\\.gvisor\\.flag\\.platform$", ".*");
    JSON.writeValue(hooksDir.resolve("oci-chroot-hook.json").toFile(), hook);
    unhealthy("when.annotations does not match [org.ocichroothook.platform=kvm");
  }

  @Test
  void anOrphanPointsToGc() throws Exception {
    Files.createDirectories(dir.containerDir("c1"));
    Files.writeString(
        dir.containerDir("c1").resolve("journal.json"),
        "{\"version\":2,\"id\":\"c1\",\"bundle\":\"/nonexistent\",\"platform\":\"ptrace\","
            + "\"complete\":true,\"mounts\":[],\"created\":\"2020-01-01T00:00:00Z\","
            + "\"hookVersion\":\"0.1.0\"}\n");
    unhealthy(
        "✘ 1 orphaned chroots older than 10m (1 chroots, 0 without evidence (see list)) — run oci-chroot-hook gc");
  }

  private void unhealthy(String expected) throws Exception {
    Command.Result r = doctor();
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stdout().contains(expected), expected + "\n---\n" + r.stdout());
    assertEquals(1, r.stdout().lines().filter(l -> l.startsWith("✘")).count(), r.stdout());
    assertTrue(r.stdout().endsWith("not healthy: fix the ✘ lines above"), r.stdout());
  }

  private void writeHooksFile(String path) throws Exception {
    ObjectNode hook =
        (ObjectNode) JSON.readTree(REPO.resolve("packaging/hooks.d/oci-chroot-hook.json").toFile());
    ((ObjectNode) hook.get("hook")).put("path", path);
    JSON.writeValue(hooksDir.resolve("oci-chroot-hook.json").toFile(), hook);
  }

  private Command.Result doctor(String... more) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                home.resolve("hook").toString(), "--config", dir.config().toString(), "doctor"));
    command.addAll(List.of(more));
    return Command.run(command, Map.of("CONTAINERS_CONF", containersConf.toString()), null);
  }
}
