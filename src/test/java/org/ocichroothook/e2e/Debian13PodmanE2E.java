package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.ocichroothook.state.ContainerState;

/**
 * The podman tests on Debian 13's podman 5, with the hook installed into the root by {@code
 * ./install} and found by podman in its default hooks.d, plus what podman 5 does differently: a
 * hooks.d prestart lands in config.json as {@code createRuntime}.
 */
@ExtendWith(Debian13Root.Extension.class)
abstract class Debian13PodmanE2E extends PodmanE2E implements Debian13Root.User {
  private static final ObjectMapper JSON = new ObjectMapper();
  Debian13Root root;

  @Override
  public void enter(Debian13Root root) {
    this.root = root;
  }

  /** The runtime's executable in the root. */
  abstract String binary();

  @Override
  E2eEnvironment createEnvironment() throws Exception {
    return E2eEnvironment.installed(root, "p5-" + runtime());
  }

  @Override
  List<String> registerHooks() {
    capture = Debian13Root.CAPTURE;
    return List.of();
  }

  @Override
  String prestartStage() {
    return "createRuntime";
  }

  /** Named by podman's and the runtime's versions, e.g. debian13-podman5.4.2-runc1.1.15. */
  @Override
  String fixturePrefix() {
    return "debian13-podman"
        + version(List.of("/usr/bin/podman", "--version"), RELEASE)
        + "-"
        + runtime()
        + runtimeVersion();
  }

  static final String RELEASE = "(\\d+\\.\\d+(?:\\.\\d+)?)";

  /** The runtime's version as it reports it. */
  String runtimeVersion() {
    return version(List.of(binary(), "--version"), RELEASE);
  }

  /** The first match of {@code regex}'s group 1 in what {@code command} prints. */
  String version(List<String> command, String regex) {
    String out = env.machine.run(command, E2eEnvironment.PATH).ok().stdout();
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new AssertionError("no version in " + out);
    }
    return m.group(1);
  }

  @Override
  List<String> runtimeArgs() {
    return List.of("--runtime", binary());
  }

  @Test
  void podmanFiveRegistersTheHookAsCreateRuntimeAndTheHookRunsThere() throws Exception {
    String id = runDetached(platform());
    env.assertChroot(id, platform());
    Path config =
        Path.of(podman("inspect", "--format", "{{.OCIConfigPath}}", id).ok().stdout().trim());
    JsonNode hooks = JSON.readTree(env.file(config).toFile()).get("hooks");
    assertTrue(hooks.path("prestart").isEmpty(), "no prestart entries: " + hooks);
    List<String> createRuntime = new ArrayList<>();
    hooks.get("createRuntime").forEach(h -> createRuntime.add(h.get("path").asText()));
    assertEquals(
        List.of("/usr/local/bin/oci-chroot-hook", "/opt/oci-chroot-hook/src/test/sh/capture-state"),
        createRuntime,
        hooks.toString());
    assertTrue(hooks.path("poststop").isEmpty(), "podman runs poststop itself: " + hooks);
    List<ContainerState> seen =
        env.captured(capture).stream().filter(s -> s.id().value().equals(id)).toList();
    assertEquals(1, seen.size(), "one createRuntime call so far: " + seen);
    assertTrue(Set.of("creating", "created").contains(seen.get(0).status()), seen.toString());
    assertTrue(env.hookLog().contains("[" + id + "] prestart: chroot ready"), env.hookLog());
    podman("rm", "-f", "-t", "0", id).ok();
    env.awaitNoChroot(id);
  }
}
