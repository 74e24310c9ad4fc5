package org.ocichroothook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A test's own state directory: a private tmpfs, as /run is on most hosts, with a configuration
 * pointing at it, a sandbox executable of the test's own and a log file. Integration tests run in a
 * private mount namespace (see src/test/sh/private-mount-namespace/java); this keeps each test's
 * mounts apart from the next test's as well.
 *
 * <p>An integration test class gets a fresh one for each test with one field:
 *
 * <pre>{@code @RegisterExtension final TestStateDir dir = TestStateDir.perTest();}</pre>
 *
 * which sets it up in a temporary directory of its own before each test and, after it, unmounts the
 * tmpfs (lazily, whatever a failed test left mounted below it) and removes that directory.
 */
public final class TestStateDir implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
  public static final String MISSING_DEVICE = "/dev/oci-chroot-hook-test-missing";

  private final Syscalls sys = SyscallsFactory.create();
  private Path base;
  private Path stateDir;
  private Path config;
  private Path executable;
  private Path logFile;

  private TestStateDir() {}

  private void setUp(Path base) throws IOException, SyscallException {
    this.base = base;
    this.stateDir = base.resolve("state");
    this.config = base.resolve("config.json");
    this.executable = base.resolve("bin/sandbox");
    this.logFile = base.resolve("hook.log");
    Files.createDirectories(stateDir);
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
    sys.mount(
        "tmpfs",
        stateDir.toString(),
        "tmpfs",
        MountFlags.MS_NOSUID | MountFlags.MS_NODEV,
        "mode=0711");
    sys.mount(null, stateDir.toString(), null, Linux.MS_PRIVATE, null);
    Files.createDirectories(executable.getParent());
    Files.writeString(executable, "#!/bin/sh\necho sandbox\n");
    Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
    writeConfig(executable.toString());
  }

  /** One for each test of the class that registers it (see above); set up before each test. */
  public static TestStateDir perTest() {
    return new TestStateDir();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    setUp(Files.createTempDirectory("och-state-").toRealPath());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
    // Nothing is mounted below base now: the tmpfs, and all below it, went with the detach.
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Mounts a tmpfs at {@code base/state} and writes the configuration. */
  public static TestStateDir create(Path base) throws IOException, SyscallException {
    TestStateDir dir = new TestStateDir();
    dir.setUp(Files.createDirectories(base).toRealPath());
    return dir;
  }

  /** Rewrites the configuration with another executable (a missing one makes prestart fail). */
  public void writeConfig(String executable) throws IOException {
    ObjectNode json =
        TestJson.object()
            .put("stateDir", stateDir.toString())
            .put("executable", executable)
            .put("logFile", logFile.toString())
            .put("logLevel", "debug");
    ObjectNode platforms = json.putObject("platforms");
    platforms.putArray("kvm").add("/dev/kvm");
    platforms.putArray("ptrace");
    platforms.putArray("broken").add("/dev/null").add(MISSING_DEVICE);
    TestJson.write(config, json);
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path config() {
    return config;
  }

  public Path executable() {
    return executable;
  }

  public Path logFile() {
    return logFile;
  }

  public Path containerDir(String id) {
    return stateDir.resolve(id);
  }

  public Path root(String id) {
    return containerDir(id).resolve("root");
  }

  /**
   * Remounts container {@code id}'s sealed root read-write, as only root could: for tests of what
   * teardown does with a chroot someone changed after prestart, which a sandbox no longer can.
   */
  public void unseal(String id) throws SyscallException {
    sys.mount(
        null,
        root(id).toString(),
        null,
        MountFlags.MS_REMOUNT
            | MountFlags.MS_BIND
            | MountFlags.MS_NOSUID
            | MountFlags.MS_NODEV
            | MountFlags.MS_NOEXEC,
        null);
  }

  /** An OCI state for container {@code id} asking for {@code platform} (null: no annotation). */
  public static String state(String id, String status, String bundle, String platform) {
    ObjectNode state =
        TestJson.object()
            .put("ociVersion", "1.0.2")
            .put("id", id)
            .put("status", status)
            .put("pid", 1)
            .put("bundle", bundle);
    ObjectNode annotations = state.putObject("annotations");
    if (platform != null) {
      annotations.put("dev.gvisor.flag.platform", platform);
    }
    return TestJson.text(state);
  }

  /** The calling process's mount table, as text: compared whole, before and after. */
  public static String mountinfo() throws IOException {
    return Files.readString(Path.of("/proc/self/mountinfo"));
  }

  @Override
  public void close() throws Exception {
    // Lazily, in case a failed test left something mounted below: the namespace is private anyway.
    sys.umount2(stateDir.toString(), Linux.MNT_DETACH);
  }
}
