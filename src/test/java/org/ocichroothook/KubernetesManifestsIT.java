package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes/*.yaml against the Kubernetes API schema, offline: src/test/node/
 * validate-manifests.mjs with kubernetes-models (each kind's JSON schema) and
 * {@code @kubernetes/client-node} (each kind's fields), both from the npm registry, installed into
 * target/ at pinned versions (the validator needs no cluster, unlike kubectl's server-side check).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsIT {
  private static final Path REPO = HookLauncherIT.CHECKOUT_LAUNCHER.getParent();
  private static final Path TOOLS = REPO.resolve("target/k8s-validate");
  private static final List<String> PACKAGES =
      List.of("kubernetes-models@5.1.0", "@kubernetes/client-node@1.4.0", "js-yaml@4.3.2");

  @TempDir Path dir;

  @BeforeAll
  void installValidator() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/node"))
        || !Files.isExecutable(Path.of("/usr/bin/npm"))) {
      throw new AssertionError("the manifest check needs node and npm; ./run-tests installs them");
    }
    Files.createDirectories(TOOLS);
    if (!Files.isDirectory(TOOLS.resolve("node_modules/kubernetes-models"))) {
      List<String> npm =
          new ArrayList<>(
              List.of("/usr/bin/npm", "install", "--no-audit", "--no-fund", "--silent"));
      npm.addAll(PACKAGES);
      Command.run(npm, Map.of(), TOOLS).ok();
    }
    Files.copy(
        REPO.resolve("src/test/node/validate-manifests.mjs"),
        TOOLS.resolve("validate-manifests.mjs"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void theDeployManifestsAreValidKubernetesObjects() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(REPO.resolve("deploy/kubernetes"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted().toList();
    }
    Command.Result r = validate(files).ok();
    List<String> lines = r.stdout().lines().toList();
    assertEquals(
        List.of(
            "daemonset.yaml: Namespace oci-chroot-hook: valid",
            "daemonset.yaml: DaemonSet oci-chroot-hook: valid",
            "pod-example.yaml: Pod sandboxed-kvm: valid",
            "runtimeclass.yaml: RuntimeClass gvisor: valid"),
        lines.stream().map(l -> l.substring(l.lastIndexOf('/') + 1)).toList());
  }

  @Test
  void theValidatorRejectsAWrongTypeAndAnUnknownField() throws Exception {
    String daemonSet = Files.readString(REPO.resolve("deploy/kubernetes/daemonset.yaml"));
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(
        broken,
        daemonSet
            .replace("privileged: true", "privileged: \"yes\"")
            .replace("hostPID: true", "hostPid: true"));
    Command.Result r = validate(List.of(broken.toString()));
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stdout().contains("securityContext/privileged must be boolean"), r.toString());
    assertTrue(
        r.stdout().contains("DaemonSet.spec.template.spec.hostPid: unknown field"), r.toString());

    Path wrongKind = dir.resolve("wrong-kind.yaml");
    Files.writeString(
        wrongKind, "apiVersion: node.k8s.io/v1\nkind: RuntimeClas\nmetadata: {name: x}\n");
    assertEquals(1, validate(List.of(wrongKind.toString())).code());
  }

  private static Command.Result validate(List<String> files) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/node", "validate-manifests.mjs"));
    command.addAll(files);
    return Command.run(command, Map.of(), TOOLS);
  }
}
