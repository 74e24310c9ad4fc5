package org.ocichroothook.state;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.ocichroothook.text.Printable;

/**
 * What the hook knows of a container, validated: a safe id, an absolute bundle path, the
 * annotations. {@code status} is kept as sent (runtimes use values beyond the spec's four) and
 * {@code pid} may be null, zero or negative; the hook uses neither for its work.
 */
public record ContainerState(
    ContainerId id, String status, Integer pid, Path bundle, Map<String, String> annotations) {

  public ContainerState {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bundle, "bundle");
    if (!bundle.isAbsolute()) {
      throw new IllegalArgumentException(
          "bundle must be an absolute path, got " + Printable.quote(bundle.toString()));
    }
    bundle = bundle.normalize();
    annotations = Map.copyOf(annotations);
  }
}
