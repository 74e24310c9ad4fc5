package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.ocichroothook.Command;

/**
 * The NRI plugin end to end: Debian 13's containerd 1.7 with its CRI plugin and NRI on (a throwaway
 * instance with its own root, state and sockets), {@code oci-chroot-hook nri} running from the
 * root's installation of this checkout, and pods and containers created through the CRI API by
 * {@code src/test/cri/cri-client} (Python grpcio from Debian 13, its messages generated from the
 * minimal {@code cri.proto} at test time). runc runs the containers (gVisor is not needed to see
 * the hook build and remove the chroot).
 *
 * <p>What this host needs: pods on the node's network with no hostname (there is no CNI, and runc
 * sets no hostname without a UTS namespace of the pod's own); {@code restrict_oom_score_adj} (CRI
 * gives the sandbox an oom_score_adj of -998, which runc's init cannot write without
 * CAP_SYS_RESOURCE: it dies with EACCES, seen only with strace on the shim, and containerd reports
 * "can't get final child's PID from pipe: EOF"); and a sandbox image imported with {@code ctr} (no
 * registry is reachable).
 */
@ExtendWith(Debian13Root.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class Debian13NriE2EIT implements Debian13Root.User {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "localhost/och-busybox:latest";
  private static final String HOOK = "/usr/local/bin/oci-chroot-hook";
  private static final Path CRI_CLIENT = Path.of("/opt/oci-chroot-hook/src/test/cri/cri-client");

  private Debian13Root root;
  private E2eEnvironment env;
  private Path dir;
  private Path socket;
  private Path nriSocket;
  private Process containerd;
  private Path containerdLog;
  private Process plugin;

  /** The configuration each pod was made with, by id: CreateContainer repeats it. */
  private final Map<String, String> podConfigs = new HashMap<>();

  @Override
  public void enter(Debian13Root root) {
    this.root = root;
  }

  @BeforeAll
  void start() throws Exception {
    env = E2eEnvironment.installed(root, "nri");
    for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/python3")) {
      assertTrue(Files.isExecutable(env.file(Path.of(tool))), tool + " is missing in the root");
    }
    dir = env.base.resolve("containerd");
    Files.createDirectories(env.file(dir));
    socket = dir.resolve("c.sock");
    nriSocket = dir.resolve("nri.sock");
    Files.writeString(env.file(dir.resolve("config.toml")), containerdConfig());
    startContainerd();
    importImage();
    startPlugin();
  }

  /** Starts containerd, its output in a log of its own, and waits until CRI answers. */
  private void startContainerd() throws Exception {
    containerdLog = dir.resolve("containerd-" + System.nanoTime() + ".log");
    containerd =
        root.start(
            List.of("/usr/bin/containerd", "--config", dir.resolve("config.toml").toString()),
            containerdLog);
    Command.Result version = null;
    for (int i = 0; i < 300; i++) {
      assertTrue(containerd.isAlive(), "containerd ended: " + containerdLog());
      if (exists(socket) && exists(nriSocket)) {
        version = cri("Version", "{}");
        if (version.code() == 0) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "containerd (with its NRI socket) did not start: " + version + "\n" + containerdLog());
  }

  @AfterAll
  void stop() throws Exception {
    if (plugin != null) {
      plugin.destroy();
      plugin.waitFor(30, TimeUnit.SECONDS);
    }
    if (containerd != null) {
      containerd.destroy();
      containerd.waitFor(30, TimeUnit.SECONDS);
    }
    if (env != null) {
      env.close();
      env.removeBase();
    }
  }

  private String containerdConfig() {
    Path empty = dir.resolve("empty");
    return """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        [grpc]
          address = "%2$s"
        [ttrpc]
          address = "%2$s.ttrpc"
        [plugins."io.containerd.internal.v1.opt"]
          path = "%1$s/opt"
        [plugins."io.containerd.nri.v1.nri"]
          disable = false
          socket_path = "%3$s"
          plugin_path = "%4$s"
          plugin_config_path = "%4$s"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%5$s"
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          disable_apparmor = true
          restrict_oom_score_adj = true
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "%4$s"
            conf_dir = "%4$s"
          [plugins."io.containerd.grpc.v1.cri".containerd]
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
        """
        .formatted(dir, socket, nriSocket, empty, IMAGE);
  }

  /**
   * A one-layer OCI image of the busybox root filesystem, imported into CRI's namespace: the
   * sandbox's process (its command, sleep) and the containers' image alike.
   */
  private void importImage() throws Exception {
    Path layout = env.base.resolve("image");
    Path blobs = layout.resolve("blobs/sha256");
    Files.createDirectories(env.file(blobs));
    Path layer = env.base.resolve("layer.tar");
    root.run(
            List.of("/bin/tar", "-C", env.rootfs.toString(), "-cf", layer.toString(), "."),
            Map.of())
        .ok();
    byte[] layerBytes = Files.readAllBytes(env.file(layer));
    String layerDigest = blob(blobs, layerBytes);
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", architecture()).put("os", "linux");
    ObjectNode run = config.putObject("config");
    run.putArray("Cmd").add("/bin/sleep").add("1000000");
    run.putArray("Env").add("PATH=/bin");
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    rootfs.putArray("diff_ids").add(layerDigest);
    byte[] configBytes = JSON.writeValueAsBytes(config);
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2);
    manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    descriptor(
        manifest.putObject("config"),
        "application/vnd.oci.image.config.v1+json",
        blob(blobs, configBytes),
        configBytes.length);
    descriptor(
        manifest.putArray("layers").addObject(),
        "application/vnd.oci.image.layer.v1.tar",
        layerDigest,
        layerBytes.length);
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
    ObjectNode entry = index.putArray("manifests").addObject();
    descriptor(
        entry,
        "application/vnd.oci.image.manifest.v1+json",
        blob(blobs, manifestBytes),
        manifestBytes.length);
    entry.putObject("platform").put("architecture", architecture()).put("os", "linux");
    entry
        .putObject("annotations")
        .put("io.containerd.image.name", IMAGE)
        .put("org.opencontainers.image.ref.name", "latest");
    JSON.writeValue(env.file(layout.resolve("index.json")).toFile(), index);
    Files.writeString(env.file(layout.resolve("oci-layout")), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Path archive = env.base.resolve("image.tar");
    root.run(List.of("/bin/tar", "-C", layout.toString(), "-cf", archive.toString(), "."), Map.of())
        .ok();
    ctr("-n", "k8s.io", "images", "import", archive.toString());
    // CRI learns of the image from containerd's events: wait until it can resolve it.
    Command.Result status = null;
    for (int i = 0; i < 100; i++) {
      status = cri("ImageService/ImageStatus", "{\"image\":{\"image\":\"" + IMAGE + "\"}}");
      if (status.code() == 0 && JSON.readTree(status.stdout()).has("image")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("CRI does not see the imported image: " + status);
  }

  private String blob(Path blobs, byte[] bytes) throws Exception {
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Files.write(env.file(blobs.resolve(hex)), bytes);
    return "sha256:" + hex;
  }

  private static void descriptor(ObjectNode node, String mediaType, String digest, long size) {
    node.put("mediaType", mediaType).put("digest", digest).put("size", size);
  }

  private static String architecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  /** Starts the installed plugin on containerd's NRI socket and waits until it is configured. */
  private void startPlugin() throws Exception {
    long before = configuredCount();
    plugin =
        root.start(
            List.of(HOOK, "nri", "--socket", nriSocket.toString()),
            dir.resolve("plugin-" + System.nanoTime() + ".log"));
    for (int i = 0; i < 300 && configuredCount() == before; i++) {
      assertTrue(plugin.isAlive(), "the plugin ended: " + env.hookLog());
      Thread.sleep(100);
    }
    assertEquals(
        before + 1,
        configuredCount(),
        "the plugin was not configured by containerd: "
            + env.hookLog()
            + "\ncontainerd: "
            + containerdLog());
  }

  private long configuredCount() throws Exception {
    return env.hookLog().lines().filter(l -> l.contains("configured by containerd")).count();
  }

  @Test
  @Order(1)
  void anAnnotatedContainerGetsTheChrootWhileItRunsAndLosesItWhenRemoved() throws Exception {
    String before = env.mountinfo();
    String pod = runPod("annotated", Map.of());
    String id;
    try {
      id = containerId(createContainer(pod, "app", Map.of(E2eEnvironment.ANNOTATION, "kvm")).ok());
      JsonNode spec = runtimeSpec(id);
      // The hooks.d file's entry, as podman and CRI-O would add it: path, args, env, timeout.
      JsonNode installed =
          JSON.readTree(env.file(Debian13Root.HOOKS_D.resolve("oci-chroot-hook.json")).toFile())
              .get("hook");
      assertEquals(List.of(installed), hooks(spec, "prestart"), spec.toString());
      assertEquals(List.of(installed), hooks(spec, "poststop"), spec.toString());
      assertEquals("kvm", spec.path("annotations").path("org.ocichroothook.platform").asText());
      cri("StartContainer", "{\"container_id\":\"" + id + "\"}").ok();
      assertEquals("CONTAINER_RUNNING", state(id));
      env.assertChroot(id, "kvm");
      cri("StopContainer", "{\"container_id\":\"" + id + "\",\"timeout\":0}").ok();
      cri("RemoveContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertNoChroot(id);
    } finally {
      removePod(pod);
    }
    assertEquals(before, env.mountinfo(), "the mount table after the pod went");

    String log = env.hookLog();
    assertTrue(
        log.contains(
            "["
                + id
                + "] CreateContainer \"app\" in pod default/och-nri-annotated: platform kvm from"
                + " the container annotation dev.gvisor.flag.platform: added the prestart and"
                + " poststop hooks"),
        log);
    assertTrue(log.contains("[" + id + "] prestart: chroot ready"), log);
    assertTrue(log.contains("[" + id + "] poststop: removed"), log);
  }

  /**
   * The pod's annotation decides when the container has none, and reaches the hook through the
   * container's own org.ocichroothook.platform although containerd's pod_annotations (not set here)
   * keeps the pod's annotations out of the container's spec.
   */
  @Test
  @Order(2)
  void aPodsAnnotationReachesTheHookThroughTheContainersOwn() throws Exception {
    String pod = runPod("pod-annotated", Map.of(E2eEnvironment.ANNOTATION, "systrap"));
    String id = containerId(createContainer(pod, "app", Map.of()).ok());
    try {
      JsonNode spec = runtimeSpec(id);
      assertFalse(spec.path("annotations").has(E2eEnvironment.ANNOTATION), spec.toString());
      assertEquals("systrap", spec.path("annotations").path("org.ocichroothook.platform").asText());
      cri("StartContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertChroot(id, "systrap");
      assertTrue(env.hookLog().contains("[" + id + "] prestart: chroot ready at"));
      assertTrue(env.hookLog().contains("(platform systrap)"), "the hook built systrap's chroot");
    } finally {
      removePod(pod);
    }
    env.assertNoChroot(id);
  }

  @Test
  @Order(3)
  void aPlainContainerIsLeftAlone() throws Exception {
    String pod = runPod("plain", Map.of());
    String id = containerId(createContainer(pod, "plain", Map.of()).ok());
    try {
      JsonNode spec = runtimeSpec(id);
      assertTrue(hookPaths(spec, "prestart").isEmpty(), spec.toString());
      assertTrue(hookPaths(spec, "poststop").isEmpty(), spec.toString());
      assertFalse(spec.path("annotations").has("org.ocichroothook.platform"), spec.toString());
      cri("StartContainer", "{\"container_id\":\"" + id + "\"}").ok();
      assertEquals("CONTAINER_RUNNING", state(id));
      assertFalse(Files.exists(env.file(env.containerDir(id))), "a chroot for a plain container");
    } finally {
      removePod(pod);
    }
    String log = env.hookLog();
    assertTrue(
        log.contains(
            "["
                + id
                + "] CreateContainer \"plain\" in pod default/och-nri-plain: no platform"
                + " annotation: unchanged"),
        log);
    assertFalse(log.contains("[" + id + "] prestart"), log);
    assertFalse(log.contains("[" + id + "] poststop"), log);
  }

  /** CreateContainer fails with the one line prestart itself gives for that platform. */
  @Test
  @Order(4)
  void anUnknownPlatformIsRefused() throws Exception {
    Path state = env.base.resolve("unknown-platform.json");
    Files.writeString(
        env.file(state),
        """
        {"ociVersion":"1.2.0","id":"och-nri-unknown","status":"creating","pid":1,"bundle":"/",
         "annotations":{"dev.gvisor.flag.platform":"bogus"}}
        """);
    Command.Result prestart =
        root.run(List.of("/bin/sh", "-c", HOOK + " prestart < " + state), Map.of());
    assertEquals(1, prestart.code(), "an unknown platform fails prestart: " + prestart);
    String reason = prestart.stderr();
    assertEquals(1, reason.lines().count(), reason);
    assertFalse(Files.exists(env.file(env.containerDir("och-nri-unknown"))));

    Set<String> chroots = env.chroots();
    String pod = runPod("unknown", Map.of());
    try {
      Command.Result created =
          createContainer(pod, "app", Map.of(E2eEnvironment.ANNOTATION, "bogus"));
      assertEquals(1, created.code(), created.toString());
      assertTrue(created.stderr().contains(reason), created + "\nprestart said: " + reason);
      assertEquals(1, created.stderr().lines().count(), created.stderr());
    } finally {
      removePod(pod);
    }
    assertEquals(chroots, env.chroots(), "a refused container leaves no chroot");
    assertTrue(env.hookLog().contains("in pod default/och-nri-unknown: refused: "), env.hookLog());
  }

  /**
   * NRI fails open: while the plugin is down containers are created without the hook, and doctor
   * (where the unit is enabled) says so. Restarted, the plugin registers again and containers
   * created after that get the hook.
   */
  @Test
  @Order(5)
  void afterTheKilledPluginIsRestartedContainersGetTheHookAgain() throws Exception {
    // What `systemctl enable oci-chroot-hook-nri.service` leaves, which turns doctor's check on.
    Path wants = Path.of("/etc/systemd/system/multi-user.target.wants/oci-chroot-hook-nri.service");
    Files.createDirectories(env.file(wants.getParent()));
    Files.createSymbolicLink(env.file(wants), Path.of("../oci-chroot-hook-nri.service"));
    String pod = null;
    try {
      assertEquals(
          "✔ the plugin (pid " + plugin.pid() + ") is connected to " + nriSocket,
          doctorNri().replaceFirst(" \\(for [^)]*\\)$", ""));
      long killed = plugin.pid();
      plugin.destroyForcibly();
      assertTrue(plugin.waitFor(30, TimeUnit.SECONDS), "the plugin did not die");
      assertTrue(
          doctorNri()
              .startsWith(
                  "✘ the plugin (pid "
                      + killed
                      + ") is gone without removing /run/oci-chroot-hook-nri.status"),
          doctorNri());

      pod = runPod("restart", Map.of(E2eEnvironment.ANNOTATION, "ptrace"));
      String unhooked = containerId(createContainer(pod, "while-down", Map.of()).ok());
      assertTrue(hookPaths(runtimeSpec(unhooked), "prestart").isEmpty(), "fails open");
      cri("RemoveContainer", "{\"container_id\":\"" + unhooked + "\"}").ok();

      startPlugin();
      assertTrue(
          doctorNri().startsWith("✔ the plugin (pid " + plugin.pid() + ") is connected"),
          doctorNri());
      String id = containerId(createContainer(pod, "after-restart", Map.of()).ok());
      assertEquals(List.of(HOOK), hookPaths(runtimeSpec(id), "prestart"));
      cri("StartContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertChroot(id, "ptrace");
      cri("StopContainer", "{\"container_id\":\"" + id + "\",\"timeout\":0}").ok();
      cri("RemoveContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertNoChroot(id);
      assertTrue(env.hookLog().contains("[" + id + "] poststop: removed"), env.hookLog());
    } finally {
      Files.delete(env.file(wants));
      if (pod != null) {
        removePod(pod);
      }
    }
  }

  /** doctor's line about the NRI plugin (its other checks are other tests' business). */
  private String doctorNri() {
    Command.Result doctor = root.run(List.of(HOOK, "doctor"), Map.of());
    return doctor
        .stdout()
        .lines()
        .filter(l -> l.contains("the plugin (pid ") || l.contains("oci-chroot-hook-nri.service"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("doctor says nothing of the NRI plugin: " + doctor));
  }

  /**
   * A containerd restart closes the NRI socket under the plugin: it reconnects by itself (with
   * backoff), registers again, and containers created after that get the hook.
   */
  @Test
  @Order(6)
  void afterAContainerdRestartThePluginReconnectsByItself() throws Exception {
    long before = configuredCount();
    containerd.destroy();
    assertTrue(containerd.waitFor(30, TimeUnit.SECONDS), "containerd did not stop");
    startContainerd();
    for (int i = 0; i < 300 && configuredCount() == before; i++) {
      assertTrue(plugin.isAlive(), "the plugin ended: " + env.hookLog());
      Thread.sleep(100);
    }
    assertEquals(
        before + 1, configuredCount(), "the plugin did not register again: " + env.hookLog());
    assertTrue(plugin.isAlive(), "the same plugin process, reconnected");
    String pod = runPod("containerd-restart", Map.of());
    try {
      String id =
          containerId(
              createContainer(pod, "app", Map.of(E2eEnvironment.ANNOTATION, "ptrace")).ok());
      assertEquals(List.of(HOOK), hookPaths(runtimeSpec(id), "prestart"));
      cri("StartContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertChroot(id, "ptrace");
      cri("StopContainer", "{\"container_id\":\"" + id + "\",\"timeout\":0}").ok();
      cri("RemoveContainer", "{\"container_id\":\"" + id + "\"}").ok();
      env.assertNoChroot(id);
    } finally {
      removePod(pod);
    }
  }

  /**
   * A pod on the node's network (there is no CNI here), its sandbox the imported image. No
   * hostname: runc cannot set one without the UTS namespace a node-network pod does not get.
   */
  private String runPod(String name, Map<String, String> annotations) throws Exception {
    String config = podConfig(name, annotations);
    String response = cri("RunPodSandbox", "{\"config\":" + config + "}").ok().stdout();
    String id = JSON.readTree(response).get("pod_sandbox_id").asText();
    assertNotEquals("", id);
    podConfigs.put(id, config);
    return id;
  }

  private String podConfig(String name, Map<String, String> annotations) throws Exception {
    ObjectNode config = JSON.createObjectNode();
    config
        .putObject("metadata")
        .put("name", "och-nri-" + name)
        .put("uid", "och-nri-" + name + "-" + ProcessHandle.current().pid())
        .put("namespace", "default");
    config.set("annotations", JSON.valueToTree(annotations));
    config
        .putObject("linux")
        .putObject("security_context")
        .putObject("namespace_options")
        .put("network", "NODE");
    return JSON.writeValueAsString(config);
  }

  private Command.Result createContainer(String pod, String name, Map<String, String> annotations)
      throws Exception {
    ObjectNode config = JSON.createObjectNode();
    config.putObject("metadata").put("name", name);
    config.putObject("image").put("image", IMAGE);
    config.putArray("command").add("/bin/sleep").add("1000");
    config.set("annotations", JSON.valueToTree(annotations));
    return cri(
        "CreateContainer",
        "{\"pod_sandbox_id\":\""
            + pod
            + "\",\"config\":"
            + JSON.writeValueAsString(config)
            + ",\"sandbox_config\":"
            + podConfigs.get(pod)
            + "}");
  }

  private static String containerId(Command.Result created) throws Exception {
    return JSON.readTree(created.stdout()).get("container_id").asText();
  }

  private void removePod(String pod) {
    cri("StopPodSandbox", "{\"pod_sandbox_id\":\"" + pod + "\"}").ok();
    cri("RemovePodSandbox", "{\"pod_sandbox_id\":\"" + pod + "\"}").ok();
  }

  /** The OCI spec containerd made for the container (CRI's verbose status carries it). */
  private JsonNode runtimeSpec(String id) throws Exception {
    JsonNode status =
        JSON.readTree(
            cri("ContainerStatus", "{\"container_id\":\"" + id + "\",\"verbose\":true}")
                .ok()
                .stdout());
    JsonNode info = JSON.readTree(status.path("info").path("info").asText("{}"));
    JsonNode spec = info.path("runtimeSpec");
    assertTrue(spec.isObject(), "no runtimeSpec in " + status);
    return spec;
  }

  private String state(String id) throws Exception {
    JsonNode status =
        JSON.readTree(cri("ContainerStatus", "{\"container_id\":\"" + id + "\"}").ok().stdout());
    return status.path("status").path("state").asText("CONTAINER_CREATED");
  }

  private static List<JsonNode> hooks(JsonNode spec, String stage) {
    List<JsonNode> entries = new ArrayList<>();
    spec.path("hooks").path(stage).forEach(entries::add);
    return entries;
  }

  private static List<String> hookPaths(JsonNode spec, String stage) {
    List<String> paths = new ArrayList<>();
    spec.path("hooks").path(stage).forEach(h -> paths.add(h.path("path").asText()));
    return paths;
  }

  private Command.Result cri(String method, String request) {
    return root.run(List.of(CRI_CLIENT.toString(), socket.toString(), method, request), Map.of());
  }

  private String ctr(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/ctr", "--address", socket.toString()));
    command.addAll(List.of(args));
    return root.run(command, Map.of()).ok().stdout();
  }

  private boolean exists(Path inside) {
    return Files.exists(env.file(inside));
  }

  private String containerdLog() throws Exception {
    Path log = env.file(containerdLog);
    if (!Files.exists(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
