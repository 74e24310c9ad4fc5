package org.ocichroothook.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.ocichroothook.json.BadInputException;

/**
 * Adds the hook to a bundle's {@code config.json} (for runc or crun without podman), or takes it
 * out. Idempotent: the hook's own entries, recognised by {@code args[0] == "oci-chroot-hook"}, are
 * replaced, never duplicated. Everything else in the file is kept as it was, in its order. The file
 * is replaced atomically and only once the new content is complete; bad input leaves it untouched.
 */
public final class BundleInjector {
  /** argv[0] of the hook's entries: how they are recognised again. */
  public static final String MARKER = "oci-chroot-hook";

  /** Set by the launcher to its own path, which is what a runtime must execute. */
  public static final String LAUNCHER_PROPERTY = "oci-chroot-hook.launcher";

  static final List<String> STAGES = List.of("prestart", "poststop");
  static final String PATH_ENV =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  static final int TIMEOUT_SECONDS = 30;
  private static final long MAX_BYTES = 16L << 20;

  private final Path launcher;
  private final Path config;

  BundleInjector(Path launcher, Path config) {
    this.launcher = launcher;
    this.config = config;
  }

  /**
   * An injector that registers the launcher this process was started from.
   *
   * @param config a configuration file to pass the hook, or null for its default
   */
  public static BundleInjector forLauncher(Path config) throws BadInputException {
    String launcher = System.getProperty(LAUNCHER_PROPERTY);
    if (launcher == null || !Path.of(launcher).isAbsolute()) {
      throw new BadInputException(
          "inject: cannot tell the launcher's absolute path; run it through the hook launcher");
    }
    return new BundleInjector(Path.of(launcher), config == null ? null : config.toAbsolutePath());
  }

  public void apply(Path bundle, boolean remove) throws BadInputException {
    Path file = bundle.resolve("config.json");
    ObjectMapper mapper =
        new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = read(mapper, file);
    JsonNode hooksNode = root.get("hooks");
    if (hooksNode != null && !hooksNode.isObject()) {
      throw new BadInputException(file + ": \"hooks\" must be an object");
    }
    if (hooksNode == null && remove) {
      return;
    }
    ObjectNode hooks = hooksNode == null ? root.putObject("hooks") : (ObjectNode) hooksNode;
    boolean hadStages = !hooks.isEmpty();
    for (String stage : STAGES) {
      JsonNode stageNode = hooks.get(stage);
      if (stageNode != null && !stageNode.isArray()) {
        throw new BadInputException(file + ": \"hooks." + stage + "\" must be an array");
      }
      if (stageNode == null && remove) {
        continue;
      }
      ArrayNode entries = stageNode == null ? hooks.putArray(stage) : (ArrayNode) stageNode;
      int before = entries.size();
      removeOurs(entries);
      if (!remove) {
        entries.add(entry(mapper, stage));
      } else if (entries.isEmpty() && before > 0) {
        hooks.remove(stage); // it held only our entries
      }
    }
    if (remove && hadStages && hooks.isEmpty()) {
      root.remove("hooks");
    }
    write(mapper, file, root);
  }

  private ObjectNode entry(ObjectMapper mapper, String stage) {
    ObjectNode entry = mapper.createObjectNode();
    entry.put("path", launcher.toString());
    ArrayNode args = entry.putArray("args").add(MARKER);
    if (config != null) {
      args.add("--config").add(config.toString());
    }
    args.add(stage);
    entry.putArray("env").add(PATH_ENV);
    entry.put("timeout", TIMEOUT_SECONDS);
    return entry;
  }

  private void removeOurs(ArrayNode entries) {
    for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
      JsonNode entry = it.next();
      JsonNode args = entry.get("args");
      boolean marked = args != null && args.isArray() && MARKER.equals(args.path(0).asText(null));
      if (marked || launcher.toString().equals(entry.path("path").asText(null))) {
        it.remove();
      }
    }
  }

  private static ObjectNode read(ObjectMapper mapper, Path file) throws BadInputException {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new BadInputException(
            file
                + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? ": not a regular file"
                    : ": no such file"));
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException(file + ": larger than " + MAX_BYTES + " bytes");
      }
      JsonNode node = mapper.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new BadInputException(file + ": expected a JSON object");
      }
      return (ObjectNode) node;
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file", e);
    } catch (JsonProcessingException e) {
      throw new BadInputException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static void write(ObjectMapper mapper, Path file, ObjectNode root)
      throws BadInputException {
    Path tmp = file.resolveSibling(".config.json.oci-chroot-hook.tmp");
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      Files.deleteIfExists(tmp);
      byte[] bytes = mapper.writeValueAsBytes(root);
      Files.write(tmp, bytes);
      Files.setPosixFilePermissions(tmp, mode);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The original file is untouched either way.
      }
      throw new BadInputException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
