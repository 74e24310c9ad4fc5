package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocichroothook.Command;
import org.ocichroothook.Fixtures;
import org.ocichroothook.state.ContainerState;

/**
 * runc or crun run directly on a bundle whose config.json got the hook through {@code hook inject},
 * as a user without podman registers it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
abstract class DirectRuntimeE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> PATH =
      Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

  E2eEnvironment env;
  private Path capture;

  abstract String runtime();

  abstract String binary();

  void beforeRuntime() throws Exception {}

  @BeforeAll
  void setUp() throws Exception {
    env = E2eEnvironment.create("direct-" + runtime());
    beforeRuntime();
    capture = Files.createDirectories(env.base.resolve("captured"));
  }

  @AfterAll
  void tearDown() throws Exception {
    if (env != null) {
      env.close();
      env.removeBase();
    }
  }

  @Test
  void injectedHooksBuildTheChrootAndDeleteRemovesIt() throws Exception {
    String before = env.mountinfo();
    String id = "och-" + runtime() + "-1";
    Path bundle = bundle(id);
    Command.Result inject =
        Command.run(
                List.of(
                    E2eEnvironment.LAUNCHER.toString(),
                    "inject",
                    "--config",
                    env.config.toString(),
                    bundle.toString()),
                Map.of(),
                null)
            .ok();
    assertEquals("added the hook to " + bundle.resolve("config.json"), inject.stdout());
    addCaptureHooks(bundle);

    Command.run(List.of(binary(), "run", "-d", "--bundle", bundle.toString(), id), PATH, bundle)
        .ok();
    try {
      env.assertChroot(id, "kvm");
    } finally {
      Command.run(List.of(binary(), "kill", id, "KILL"), PATH, null);
      awaitStopped(id);
      Command.run(List.of(binary(), "delete", id), PATH, null).ok();
    }
    env.assertNoChroot(id);
    assertEquals(before, env.mountinfo());

    List<ContainerState> states = env.captured(capture);
    assertEquals(2, states.size(), "prestart and poststop");
    assertEquals(id, states.get(0).id().value());
    assertEquals(bundle, states.get(0).bundle());
    assertEquals("stopped", states.get(1).status());
    CapturedStates.save(env, capture, id, runtime() + "-direct", "prestart");

    Command.run(
            List.of(E2eEnvironment.LAUNCHER.toString(), "inject", "--remove", bundle.toString()),
            Map.of(),
            null)
        .ok();
    JsonNode hooks = JSON.readTree(bundle.resolve("config.json").toFile()).get("hooks");
    for (JsonNode entry : hooks.get("prestart")) {
      assertFalse(entry.get("path").asText().endsWith("/hook"), "inject --remove left " + entry);
    }
  }

  @Test
  void aContainerWithoutTheAnnotationStillGetsTheDefaultPlatformWhenRegisteredInItsBundle()
      throws Exception {
    String id = "och-" + runtime() + "-2";
    Path bundle = bundle(id);
    ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
    config.remove("annotations");
    JSON.writeValue(bundle.resolve("config.json").toFile(), config);
    Command.run(
            List.of(
                E2eEnvironment.LAUNCHER.toString(),
                "inject",
                "--config",
                env.config.toString(),
                bundle.toString()),
            Map.of(),
            null)
        .ok();
    Command.run(List.of(binary(), "run", "-d", "--bundle", bundle.toString(), id), PATH, bundle)
        .ok();
    try {
      env.assertChroot(id, "ptrace");
    } finally {
      Command.run(List.of(binary(), "delete", "-f", id), PATH, null).ok();
    }
    env.assertNoChroot(id);
    assertEquals(Set.of(), env.chroots());
  }

  private Path bundle(String id) throws Exception {
    Path bundle = Files.createDirectories(env.base.resolve("bundle-" + id));
    ObjectNode config =
        (ObjectNode) JSON.readTree(Fixtures.dir().resolve("bundle/runc-spec.config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    process.putArray("args").add("sleep").add("1000");
    config.putObject("root").put("path", env.rootfs.toString()).put("readonly", true);
    config.putObject("annotations").put(E2eEnvironment.ANNOTATION, "kvm");
    JSON.writeValue(bundle.resolve("config.json").toFile(), config);
    return bundle;
  }

  private void addCaptureHooks(Path bundle) throws Exception {
    Path file = bundle.resolve("config.json");
    ObjectNode config = (ObjectNode) JSON.readTree(file.toFile());
    for (String stage : List.of("prestart", "poststop")) {
      ArrayNode entries = (ArrayNode) config.get("hooks").get(stage);
      ObjectNode capturing = entries.addObject();
      capturing.put(
          "path",
          E2eEnvironment.LAUNCHER.getParent().resolve("src/test/sh/capture-state").toString());
      capturing.putArray("args").add("capture-state").add(capture.toString());
    }
    JSON.writeValue(file.toFile(), config);
  }

  private void awaitStopped(String id) throws Exception {
    for (int i = 0; i < 100; i++) {
      Command.Result state = Command.run(List.of(binary(), "state", id), PATH, null);
      if (state.code() != 0 || state.stdout().contains("\"stopped\"")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " did not stop");
  }
}
