package org.ocichroothook;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON tests give the hook (states, configurations), written by Jackson rather than by string
 * concatenation, so that a quote or backslash in a path is escaped as a runtime's would be.
 * Deliberately malformed input is not written here: that stays literal text in the test.
 */
public final class TestJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestJson() {}

  /** An empty object, to fill in order: its fields are written in the order they were put. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** One line of compact JSON. */
  public static String text(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code node} to {@code file}, one line ending in a newline. */
  public static void write(Path file, JsonNode node) throws IOException {
    Files.writeString(file, text(node) + "\n", StandardCharsets.UTF_8);
  }

  /** Fields written straight through the generator: repeated names too, as hostile input needs. */
  public interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  /** An object of {@code node}'s fields followed by {@code more}, written by the generator. */
  public static String text(ObjectNode node, Fields more) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.setCodec(JSON);
      g.writeStartObject();
      for (var field : node.properties()) {
        g.writeFieldName(field.getKey());
        g.writeTree(field.getValue());
      }
      more.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The fields every OCI state has, in a runtime's order: ociVersion, id, status, bundle. */
  public static ObjectNode state(String id, String status, Object bundle) {
    return object()
        .put("ociVersion", "1.0.2")
        .put("id", id)
        .put("status", status)
        .put("bundle", String.valueOf(bundle));
  }

  /** A state asking for {@code platform} through gVisor's annotation. */
  public static ObjectNode withPlatform(ObjectNode state, String platform) {
    state.putObject("annotations").put("dev.gvisor.flag.platform", platform);
    return state;
  }
}
