package org.ocichroothook.e2e;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;

/**
 * Keeps the states a runtime sent for one container, sanitised of this run's host paths, in
 * target/captured-states, named like the fixtures in spec-fixtures/state ({@code
 * PREFIX.STAGE.json}): copying them there refreshes the unit tests' view of what real runtimes
 * send.
 */
final class CapturedStates {
  private static final Path OUT = Path.of("target/captured-states").toAbsolutePath();

  private CapturedStates() {}

  /**
   * Saves the states of container {@code id}; the first is named {@code firstStage} (the stage the
   * runtime ran the hook at: prestart, or createRuntime under podman 5), a stopped one poststop.
   */
  static void save(E2eEnvironment env, Path capture, String id, String prefix, String firstStage)
      throws Exception {
    Files.createDirectories(OUT);
    for (Path f : env.capturedFiles(capture)) {
      byte[] bytes = Files.readAllBytes(f);
      ContainerState state = StateReader.read(new ByteArrayInputStream(bytes));
      if (!state.id().value().equals(id)) {
        continue;
      }
      String stage = state.status().equals("stopped") ? "poststop" : firstStage;
      String json = new String(bytes).replace(env.base.toString(), "/var/lib/oci-chroot-hook-e2e");
      write(OUT.resolve(prefix + "." + stage + ".json"), json);
    }
  }

  private static void write(Path file, String json) throws IOException {
    Files.writeString(file, json.trim() + "\n");
  }
}
