package org.ocichroothook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A test's own state directory: a private tmpfs, as /run is on most hosts, with a configuration
 * pointing at it, a sandbox executable of the test's own and a log file. Integration tests run in a
 * private mount namespace (see src/test/sh/private-mount-namespace/java); this keeps each test's
 * mounts apart from the next test's as well.
 */
public final class TestStateDir implements AutoCloseable {
  public static final String MISSING_DEVICE = "/dev/oci-chroot-hook-test-missing";

  private final Path base;
  private final Path stateDir;
  private final Path config;
  private final Path executable;
  private final Path logFile;
  private final Syscalls sys = SyscallsFactory.create();

  private TestStateDir(Path base) {
    this.base = base;
    this.stateDir = base.resolve("state");
    this.config = base.resolve("config.json");
    this.executable = base.resolve("bin/sandbox");
    this.logFile = base.resolve("hook.log");
  }

  /** Mounts a tmpfs at {@code base/state} and writes the configuration. */
  public static TestStateDir create(Path base) throws IOException, SyscallException {
    TestStateDir dir = new TestStateDir(Files.createDirectories(base).toRealPath());
    Files.createDirectories(dir.stateDir);
    Files.setPosixFilePermissions(dir.stateDir, PosixFilePermissions.fromString("rwx--x--x"));
    dir.sys.mount(
        "tmpfs", dir.stateDir.toString(), "tmpfs", Linux.MS_NOSUID | Linux.MS_NODEV, "mode=0711");
    dir.sys.mount(null, dir.stateDir.toString(), null, Linux.MS_PRIVATE, null);
    Files.createDirectories(dir.executable.getParent());
    Files.writeString(dir.executable, "#!/bin/sh\necho sandbox\n");
    Files.setPosixFilePermissions(dir.executable, PosixFilePermissions.fromString("rwxr-xr-x"));
    dir.writeConfig(dir.executable.toString());
    return dir;
  }

  /** Rewrites the configuration with another executable (a missing one makes prestart fail). */
  public void writeConfig(String executable) throws IOException {
    Files.writeString(
        config,
        """
        {"stateDir": "%s", "executable": "%s", "logFile": "%s", "logLevel": "debug",
         "platforms": {"kvm": ["/dev/kvm"], "ptrace": [], "broken": ["/dev/null", "%s"]}}
        """
            .formatted(stateDir, executable, logFile, MISSING_DEVICE),
        StandardCharsets.UTF_8);
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

  /** An OCI state for container {@code id} asking for {@code platform} (null: no annotation). */
  public static String state(String id, String status, String bundle, String platform) {
    String annotations =
        platform == null ? "{}" : "{\"dev.gvisor.flag.platform\":\"" + platform + "\"}";
    return "{\"ociVersion\":\"1.0.2\",\"id\":\""
        + id
        + "\",\"status\":\""
        + status
        + "\",\"pid\":1,"
        + "\"bundle\":\""
        + bundle
        + "\",\"annotations\":"
        + annotations
        + "}";
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
