package org.ocichroothook.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.ocichroothook.Command;

/**
 * A Debian 13 (trixie) root with its podman 5, crun, runc, containerd and gVisor, made with
 * debootstrap (cached between runs as a tarball keyed by the package list) and held by a process in
 * a private mount namespace that has pivoted into it (see src/test/sh/debian-root). The hook is
 * installed inside by this checkout's {@code ./install}, built with Debian 13's JDK from the host's
 * Maven repository (offline), and registered in the root's hooks.d beside a capture hook. Nothing
 * is mounted on the host: every mount lives in the holder's namespace and goes with its processes.
 * If the root cannot be made the tests fail, they never skip.
 */
final class Debian13Root implements Machine, AutoCloseable {
  static final String SUITE = "trixie";
  static final List<String> PACKAGES =
      List.of(
          "busybox-static",
          "ca-certificates",
          "catatonit",
          "conmon",
          "containerd",
          "crun",
          "gcc",
          "git",
          "libc6-dev",
          // python3-grpcio needs libre2-11-absl20240722, which libre2-11 provides: debootstrap's
          // resolver does not follow a virtual package, so the provider is named here.
          "libre2-11",
          "maven",
          "mount",
          "openjdk-25-jdk-headless",
          "podman",
          // The CRI client of the NRI test (src/test/cri/cri-client) and its stub generator.
          "python3-grpc-tools",
          "python3-grpcio",
          "python3-protobuf",
          "runc",
          "runsc",
          "util-linux");

  /** Where the capture hook registered in the root's hooks.d writes. */
  static final Path CAPTURE = Path.of("/run/och-captured");

  static final Path HOOKS_D = Path.of("/usr/share/containers/oci/hooks.d");
  private static final Path CACHE = Path.of("/var/cache/oci-chroot-hook-tests");
  private static final Path REPO = E2eEnvironment.LAUNCHER.getParent();
  private static final Path SCRIPT = REPO.resolve("src/test/sh/debian-root");
  private static final Path CHECKOUT = Path.of("/opt/oci-chroot-hook");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process holder;
  private final Path dir;
  private final String namespace;

  private Debian13Root(Process holder, Path dir) throws IOException {
    this.holder = holder;
    this.dir = dir;
    this.namespace = Files.readSymbolicLink(proc().resolve("ns/mnt")).toString();
  }

  /** Gives every test instance that wants it the root shared by the whole test run. */
  static final class Extension implements TestInstancePostProcessor {
    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) {
      Debian13Root root =
          context
              .getRoot()
              .getStore(ExtensionContext.Namespace.create(Debian13Root.class))
              .getOrComputeIfAbsent("root", k -> make(), Debian13Root.class);
      ((User) instance).enter(root);
    }
  }

  /** A test class that runs on the root. */
  interface User {
    void enter(Debian13Root root);
  }

  static Debian13Root make() {
    try {
      Path tar = cachedTarball();
      Path dir = Files.createTempDirectory("och-debian13-");
      Path log = log(dir);
      Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
      Process holder =
          new ProcessBuilder(
                  SCRIPT.toString(),
                  "hold",
                  tar.toString(),
                  dir.toString(),
                  REPO.toString(),
                  m2.toString())
              .redirectError(log.toFile())
              .start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (!"ready".equals(line)) {
        holder.destroyForcibly();
        throw new AssertionError(
            "the Debian 13 root could not be entered: " + Files.readString(log));
      }
      Debian13Root root = new Debian13Root(holder, dir);
      try {
        root.installHook();
      } catch (Throwable e) {
        root.close();
        throw e;
      }
      return root;
    } catch (Exception e) {
      throw new AssertionError("the Debian 13 root could not be made: " + e, e);
    }
  }

  /** Where the holder's errors go: beside its directory. */
  private static Path log(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".log");
  }

  /** The root as a tarball, made by debootstrap on the first run with this package list. */
  private static Path cachedTarball() throws Exception {
    String packages = String.join(",", PACKAGES);
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest((SUITE + " " + packages).getBytes(StandardCharsets.UTF_8));
    Path tar =
        CACHE.resolve("debian-" + SUITE + "-" + HexFormat.of().formatHex(digest, 0, 8) + ".tar");
    if (Files.exists(tar)) {
      return tar;
    }
    Process make =
        new ProcessBuilder(SCRIPT.toString(), "make", tar.toString(), SUITE, mirror(), packages)
            .redirectErrorStream(true)
            .start();
    String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!make.waitFor(20, TimeUnit.MINUTES) || make.exitValue() != 0) {
      make.destroyForcibly();
      throw new AssertionError("debootstrap of Debian " + SUITE + " failed: " + output);
    }
    return tar;
  }

  private static final Pattern DEB_LINE =
      Pattern.compile("^\\s*deb\\s+(?:\\[[^]]*]\\s+)?(\\S+/debian/?)\\s", Pattern.MULTILINE);
  private static final Pattern URIS_LINE =
      Pattern.compile("^URIs:.*?\\s(\\S+/debian/?)(?:\\s|$)", Pattern.MULTILINE);

  /** The Debian archive this host's apt uses (OCI_CHROOT_HOOK_DEBIAN_MIRROR overrides it). */
  static String mirror() throws IOException {
    String override = System.getenv("OCI_CHROOT_HOOK_DEBIAN_MIRROR");
    if (override != null && !override.isBlank()) {
      return override;
    }
    List<Path> sources = new ArrayList<>(List.of(Path.of("/etc/apt/sources.list")));
    Path d = Path.of("/etc/apt/sources.list.d");
    if (Files.isDirectory(d)) {
      try (Stream<Path> s = Files.list(d)) {
        sources.addAll(s.sorted().toList());
      }
    }
    for (Path file : sources) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      Pattern p = file.toString().endsWith(".sources") ? URIS_LINE : DEB_LINE;
      Matcher m = p.matcher(Files.readString(file));
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError(
        "no Debian archive in the host's apt sources; set OCI_CHROOT_HOOK_DEBIAN_MIRROR");
  }

  /**
   * ./install from this checkout, one prestart and poststop by the installed command (which also
   * makes the state directory the private mount point the hook keeps for the root's lifetime, so
   * the tests' before-and-after mount tables compare like with like), then the capture hook beside
   * the installed hooks.d file.
   */
  private void installHook() throws IOException {
    run(List.of("/bin/sh", "-c", "cd " + CHECKOUT + " && ./install"), Map.of()).ok();
    Path state = Path.of("/tmp/och-install-check.json");
    Files.writeString(
        file(state),
        """
        {"ociVersion":"1.2.0","id":"och-install-check","status":"creating","pid":1,"bundle":"/",
         "annotations":{"dev.gvisor.flag.platform":"ptrace"}}
        """);
    String hook = "/usr/local/bin/oci-chroot-hook";
    run(
            List.of(
                "/bin/sh",
                "-c",
                hook + " prestart < " + state + " && " + hook + " poststop < " + state),
            Map.of())
        .ok();
    ObjectNode installed =
        (ObjectNode) JSON.readTree(file(HOOKS_D.resolve("oci-chroot-hook.json")).toFile());
    Files.createDirectories(file(CAPTURE));
    JSON.writeValue(
        file(HOOKS_D.resolve("zz-capture-state.json")).toFile(),
        E2eEnvironment.captureHook(
            installed, CHECKOUT.resolve("src/test/sh/capture-state"), CAPTURE));
  }

  private Path proc() {
    return Path.of("/proc/" + holder.pid());
  }

  @Override
  public Command.Result run(List<String> command, Map<String, String> env) {
    return Command.run(inside(command, env), Map.of(), null);
  }

  /** Starts a long-running {@code command} in the root, its output going to {@code log}. */
  Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(inside(command, Map.of()))
        .redirectErrorStream(true)
        .redirectOutput(file(log).toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  private List<String> inside(List<String> command, Map<String, String> env) {
    List<String> line =
        new ArrayList<>(
            List.of(
                "/usr/bin/nsenter",
                "--target",
                Long.toString(holder.pid()),
                "--mount",
                "--",
                "/usr/bin/env",
                "-i",
                "HOME=/root"));
    Map<String, String> all = new TreeMap<>(E2eEnvironment.PATH);
    all.putAll(env);
    all.forEach((k, v) -> line.add(k + "=" + v));
    line.addAll(command);
    return line;
  }

  @Override
  public Path file(Path inside) {
    return proc().resolve("root").resolve(Path.of("/").relativize(inside.toAbsolutePath()));
  }

  @Override
  public Path mountinfo() {
    return proc().resolve("mountinfo");
  }

  /**
   * Kills every process in the root's mount namespace (containerd, conmon and the like that a test
   * left behind), the holder last; the namespace and its mounts then cease to exist.
   */
  @Override
  public void close() throws Exception {
    for (int round = 0; round < 50; round++) {
      List<ProcessHandle> inside =
          ProcessHandle.allProcesses().filter(p -> inNamespace(p.pid())).toList();
      if (inside.isEmpty()) {
        break;
      }
      inside.stream().filter(p -> p.pid() != holder.pid()).forEach(ProcessHandle::destroyForcibly);
      if (inside.size() == 1) {
        holder.destroyForcibly();
      }
      Thread.sleep(100);
    }
    holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Files.deleteIfExists(dir);
    Files.deleteIfExists(log(dir));
  }

  private boolean inNamespace(long pid) {
    try {
      return namespace.equals(
          Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
