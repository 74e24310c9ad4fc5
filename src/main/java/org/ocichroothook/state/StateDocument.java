package org.ocichroothook.state;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.text.Printable;

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

  /** PATH_MAX: a longer bundle cannot name a directory, and would only swell every message. */
  static final int MAX_BUNDLE = 4096;

  ContainerState toState() throws BadInputException {
    if (id == null) {
      throw new BadInputException("state: missing required field \"id\"");
    }
    if (bundle == null) {
      throw new BadInputException("state: missing required field \"bundle\"");
    }
    ContainerId containerId = ContainerId.parse(id);
    if (bundle.length() > MAX_BUNDLE) {
      throw new BadInputException(
          "state: bundle "
              + Printable.quote(bundle)
              + " is longer than a path can be ("
              + MAX_BUNDLE
              + " characters)");
    }
    Path bundlePath;
    try {
      bundlePath = Path.of(bundle);
    } catch (InvalidPathException e) {
      throw new BadInputException("state: bundle " + Printable.quote(bundle) + " is not a path");
    }
    try {
      return new ContainerState(containerId, status, pid, bundlePath, annotations);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("state: " + e.getMessage());
    }
  }
}
