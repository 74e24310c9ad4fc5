package org.ocichroothook.state;

import java.nio.file.Path;
import java.util.Map;
import org.ocichroothook.json.BadInputException;

/**
 * The OCI state as it arrives on stdin (the wire format): fields exactly as sent, any of them
 * possibly missing. Runtimes differ (runc's "creating", crun's extra "root" and "pid": 0, podman's
 * poststop without a pid), so nothing is judged here; {@link #toState()} judges.
 */
record StateDocument(
    String ociVersion,
    String id,
    String status,
    Integer pid,
    String bundle,
    Map<String, String> annotations) {

  ContainerState toState() throws BadInputException {
    if (id == null) {
      throw new BadInputException("state: missing required field \"id\"");
    }
    if (bundle == null) {
      throw new BadInputException("state: missing required field \"bundle\"");
    }
    ContainerId containerId = ContainerId.parse(id);
    try {
      return new ContainerState(containerId, status, pid, Path.of(bundle), annotations);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("state: " + e.getMessage());
    }
  }
}
