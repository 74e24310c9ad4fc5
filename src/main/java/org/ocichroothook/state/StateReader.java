package org.ocichroothook.state;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.json.JsonInput;

/** Reads the OCI state a runtime writes to a hook's stdin, bounded in size. */
public final class StateReader {
  /** Far above any real state (a few hundred bytes to a few KiB with annotations). */
  public static final int MAX_BYTES = 1 << 20;

  private StateReader() {}

  public static ContainerState read(InputStream stdin) throws BadInputException {
    return parse(readBounded(stdin)).toState();
  }

  static byte[] readBounded(InputStream stdin) throws BadInputException {
    if (stdin == System.in && StandardInput.isClosed()) {
      throw new BadInputException("state: stdin is closed; the runtime passes the OCI state there");
    }
    try {
      byte[] bytes = stdin.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new BadInputException("state: stdin holds more than " + MAX_BYTES + " bytes");
      }
      if (bytes.length == 0) {
        throw new BadInputException(
            "state: stdin is empty; the runtime passes the OCI state there");
      }
      return bytes;
    } catch (IOException e) {
      throw new BadInputException("state: cannot read stdin: " + e.getMessage(), e);
    }
  }

  /** The wire document: fields as sent, unknown ones (crun's "root") skipped. */
  static StateDocument parse(byte[] json) throws BadInputException {
    String ociVersion = null;
    String id = null;
    String status = null;
    Integer pid = null;
    String bundle = null;
    Map<String, String> annotations = Map.of();
    try (JsonInput in = JsonInput.ofObject(json, "state")) {
      for (String field = in.nextField(); field != null; field = in.nextField()) {
        switch (field) {
          case "ociVersion" -> ociVersion = in.stringOrNull(field);
          case "id" -> id = in.string(field);
          case "status" -> status = in.stringOrNull(field);
          case "pid" -> pid = in.integerOrNull(field);
          case "bundle" -> bundle = in.string(field);
          case "annotations" -> annotations = in.stringMap(field);
          default -> in.skip();
        }
      }
      in.expectEnd();
    }
    return new StateDocument(ociVersion, id, status, pid, bundle, annotations);
  }
}
