package org.ocichroothook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocichroothook.Command;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountTable;

/**
 * A podman container whose poststop never came, because its hooks.d entry was removed before {@code
 * podman rm}: the chroot stays, {@code list} finds it orphaned and {@code gc} removes it, leaving
 * the mount table as it was. Set up as {@link PodmanE2E} does, with runc.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class PodmanGcE2EIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private E2eEnvironment env;
  private Path hooksDir;
  private Path command;
  private Map<String, String> podmanEnv;

  @BeforeAll
  void setUpPodman() throws Exception {
    env = E2eEnvironment.create("podman-gc");
    hooksDir = env.hooksDir("gc", env.base.resolve("captured"));
    Path hooksFile = hooksDir.resolve("oci-chroot-hook.json");
    ObjectNode hook = (ObjectNode) JSON.readTree(hooksFile.toFile());
    command = Files.createDirectories(env.base.resolve("bin")).resolve("oci-chroot-hook");
    ((ObjectNode) hook.get("hook")).put("path", command.toString());
    JSON.writeValue(hooksFile.toFile(), hook);
    podmanEnv = env.isolatedPodman();
    podman("import", "--change", "CMD [\"/bin/sh\"]", env.rootfsTar().toString(), PodmanE2E.IMAGE)
        .ok();
  }

  @AfterAll
  void tearDownPodman() throws Exception {
    if (env == null) {
      return;
    }
    try {
      podman("rm", "-a", "-f", "-t", "0");
      podman("system", "reset", "-f");
    } finally {
      env.close();
      Command.run(
          List.of("/bin/rm", "-rf", "--one-file-system", env.base.toString()), Map.of(), null);
    }
  }

  @Test
  void aContainerRemovedWithoutItsPoststopIsListedAsOrphanedAndCollectedByGc() throws Exception {
    String before = TestStateDir.mountinfo();
    Files.deleteIfExists(command);
    Files.createSymbolicLink(command, E2eEnvironment.LAUNCHER);
    String id =
        lastLine(
            podman(
                    "run",
                    "-d",
                    "--annotation",
                    E2eEnvironment.ANNOTATION + "=kvm",
                    PodmanE2E.IMAGE,
                    "sleep",
                    "1000")
                .ok()
                .stdout());
    env.assertChroot(id, "kvm");
    JsonNode live = list().get(0);
    assertEquals("ready", live.get("status").asText(), live.toString());
    assertTrue(live.get("pidAlive").asBoolean(), live.toString());

    // The poststop is prevented: its command is gone when podman runs it.
    Files.delete(command);
    Command.Result rm = podman("rm", "-f", "-t", "0", id);
    Thread.sleep(2000); // podman's asynchronous cleanup would have run by now
    assertEquals(Set.of(id), env.chroots(), "no poststop, so the chroot stays: " + rm);
    assertEquals(4, MountTable.read().atOrBelow(env.containerDir(id)).size());

    JsonNode orphan = list().get(0);
    assertEquals(id, orphan.get("id").asText());
    assertEquals("orphaned", orphan.get("status").asText(), orphan.toString());
    assertFalse(orphan.get("pidAlive").asBoolean());
    assertEquals(4, orphan.get("mounted").asInt());
    assertEquals("kvm", orphan.get("platform").asText());

    Command.Result young = hook("gc");
    assertEquals(0, young.code(), young.toString());
    assertTrue(young.stdout().contains("younger than 10m, kept for now"), young.stdout());
    Command.Result gc = hook("gc", "--min-age", "0s");
    assertEquals(0, gc.code(), gc.toString());
    assertEquals(
        "removed " + id + ": process " + orphan.get("pid").asInt() + " is gone", gc.stdout());
    env.assertNoChroot(id);
    assertEquals(before, TestStateDir.mountinfo());
    assertEquals(0, list().size());
  }

  private JsonNode list() throws Exception {
    Command.Result r = hook("list", "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.stderr());
    return JSON.readTree(r.stdout());
  }

  private Command.Result hook(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(E2eEnvironment.LAUNCHER.toString(), "--config", env.config.toString()));
    command.addAll(List.of(args));
    return Command.run(command, Map.of(), null);
  }

  private Command.Result podman(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/podman",
                "--hooks-dir",
                hooksDir.toString(),
                "--runtime",
                "/usr/sbin/runc"));
    command.addAll(List.of(args));
    return Command.run(command, podmanEnv, null);
  }

  private static String lastLine(String out) {
    String[] lines = out.split("\n");
    return lines[lines.length - 1].trim();
  }
}
