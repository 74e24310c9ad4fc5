package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.ocichroothook.Fixtures;
import org.ocichroothook.state.ContainerState;

/**
 * Debian 13's containerd 1.7 through {@code ctr}, on a bundle whose config.json got the hook
 * through the installed {@code oci-chroot-hook inject}: the runc shim runs prestart when the task
 * is created and poststop when it is deleted.
 */
@ExtendWith(Debian13Root.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class Debian13ContainerdE2EIT implements Debian13Root.User {
  private static final ObjectMapper JSON = new ObjectMapper();
  private Debian13Root root;
  private E2eEnvironment env;
  private Process containerd;
  private Path socket;
  private Path capture;

  @Override
  public void enter(Debian13Root root) {
    this.root = root;
  }

  @BeforeAll
  void startContainerd() throws Exception {
    env = E2eEnvironment.installed(root, "ctr");
    capture = env.base.resolve("captured");
    Files.createDirectories(env.file(capture));
    Path dir = env.base.resolve("containerd");
    Files.createDirectories(env.file(dir));
    socket = dir.resolve("c.sock");
    Path config = dir.resolve("config.toml");
    Files.writeString(
        env.file(config),
        """
        version = 2
        root = "%s"
        state = "%s"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "%s"
        [ttrpc]
          address = "%s.ttrpc"
        """
            .formatted(dir.resolve("root"), dir.resolve("state"), socket, socket));
    containerd =
        root.start(
            List.of("/usr/bin/containerd", "--config", config.toString()),
            dir.resolve("containerd.log"));
    for (int i = 0; i < 300 && !Files.exists(env.file(socket)); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(env.file(socket)), "containerd did not start");
  }

  @AfterAll
  void stopContainerd() throws Exception {
    if (containerd != null) {
      containerd.destroy();
      containerd.waitFor();
    }
    if (env != null) {
      env.close();
      env.removeBase();
    }
  }

  @Test
  void theChrootLivesWhileTheTaskRunsAndGoesWithTaskAndContainer() throws Exception {
    String before = env.mountinfo();
    String id = "och-ctr-1";
    Path bundle = env.base.resolve("bundle-" + id);
    Files.createDirectories(env.file(bundle));
    ObjectNode config =
        (ObjectNode) JSON.readTree(Fixtures.dir().resolve("bundle/runc-spec.config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    process.putArray("args").add("sleep").add("1000");
    config.putObject("root").put("path", env.rootfs.toString()).put("readonly", true);
    config.putObject("annotations").put(E2eEnvironment.ANNOTATION, "kvm");
    Path file = bundle.resolve("config.json");
    JSON.writeValue(env.file(file).toFile(), config);
    String injected =
        root.run(List.of("/usr/local/bin/oci-chroot-hook", "inject", bundle.toString()), Map.of())
            .ok()
            .stdout();
    assertEquals("added the hook to " + file, injected);
    addCaptureHooks(file);

    ctr("run", "-d", "--null-io", "--config", file.toString(), id);
    try {
      env.assertChroot(id, "kvm");
    } finally {
      ctr("task", "kill", "-s", "SIGKILL", id);
      awaitStopped(id);
      ctr("task", "delete", id);
      ctr("container", "delete", id);
    }
    env.assertNoChroot(id);
    assertEquals(before, env.mountinfo());

    List<ContainerState> states = env.captured(capture);
    List<String> statuses = states.stream().map(ContainerState::status).toList();
    assertEquals(2, states.size(), "prestart and poststop: " + statuses);
    assertEquals(id, states.get(0).id().value());
    assertEquals("creating", statuses.get(0));
    assertTrue(states.get(0).pid() != null && states.get(0).pid() > 0, "a pid at prestart");
    assertTrue(
        states.get(0).bundle().startsWith(env.base.resolve("containerd/state")),
        "containerd's own bundle: " + states.get(0).bundle());
    assertEquals("stopped", statuses.get(1));
    assertEquals(Set.of(), env.chroots());
    CapturedStates.save(
        env,
        capture,
        id,
        "debian13-containerd"
            + version("/usr/bin/containerd")
            + "-runc"
            + version("/usr/sbin/runc"),
        "prestart");
  }

  private String version(String binary) {
    String out = root.run(List.of(binary, "--version"), Map.of()).ok().stdout();
    Matcher m = Pattern.compile("(\\d+\\.\\d+\\.\\d+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  private String ctr(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/ctr", "--address", socket.toString()));
    command.addAll(List.of(args));
    return root.run(command, Map.of()).ok().stdout();
  }

  private void addCaptureHooks(Path file) throws Exception {
    ObjectNode config = (ObjectNode) JSON.readTree(env.file(file).toFile());
    for (String stage : List.of("prestart", "poststop")) {
      ArrayNode entries = (ArrayNode) config.get("hooks").get(stage);
      ObjectNode capturing = entries.addObject();
      capturing.put("path", "/opt/oci-chroot-hook/src/test/sh/capture-state");
      capturing.putArray("args").add("capture-state").add(capture.toString());
    }
    JSON.writeValue(env.file(file).toFile(), config);
  }

  private void awaitStopped(String id) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (ctr("task", "ls").lines().anyMatch(l -> l.startsWith(id) && l.contains("STOPPED"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " did not stop: " + ctr("task", "ls"));
  }
}
