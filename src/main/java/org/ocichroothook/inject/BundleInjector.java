package org.ocichroothook.inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.ocichroothook.file.FileMode;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.json.JsonInput;
import org.ocichroothook.json.Utf8;
import org.ocichroothook.sys.Syscalls;

/**
 * Adds the hook to a bundle's {@code config.json} (for runc or crun without podman), or takes it
 * out. Idempotent: the hook's own entries, recognised by {@code args[0] == "oci-chroot-hook"}, are
 * replaced, never duplicated. Everything else in the file is kept as it was, in its order. The file
 * is replaced atomically and only once the new content is complete; bad input leaves it untouched.
 *
 * <p>The file is read as the hook reads its own input: a regular file only (never a symlink, never
 * blocking on a FIFO), bounded in bytes and in JSON tokens so that its tree fits the hook's 64 MiB
 * heap, strict UTF-8, no repeated key. The replacement keeps the file's owner, group and mode, and
 * is written to a new file of a random name made with {@code O_CREAT|O_EXCL} (which follows no
 * symlink), then renamed over it.
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

  /** A real config.json is a few KiB (tens with a seccomp profile). */
  static final int MAX_BYTES = 1 << 20;

  /**
   * Tokens, beside bytes: a megabyte of {@code {},} is 350,000 tree nodes. 200,000 tokens keep the
   * tree within a few MiB of heap, and are far above any real file (the runc spec has 150).
   */
  static final long MAX_TOKENS = 200_000;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(MAX_BYTES)
                  .maxTokenCount(MAX_TOKENS)
                  .build())
          .build();

  private static final Set<OpenOption> CREATE_TEMP =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(FileMode.permissions(0600));

  private final Syscalls sys;
  private final Path launcher;
  private final Path config;

  BundleInjector(Syscalls sys, Path launcher, Path config) {
    this.sys = sys;
    this.launcher = launcher;
    this.config = config;
  }

  /**
   * An injector that registers the launcher this process was started from.
   *
   * @param config a configuration file to pass the hook, or null for its default
   */
  public static BundleInjector forLauncher(Syscalls sys, Path config) throws BadInputException {
    String launcher = System.getProperty(LAUNCHER_PROPERTY);
    if (launcher == null || !Path.of(launcher).isAbsolute()) {
      throw new BadInputException(
          "inject: cannot tell the launcher's absolute path; run it through the hook launcher");
    }
    return new BundleInjector(
        sys, Path.of(launcher), config == null ? null : config.toAbsolutePath());
  }

  public void apply(Path bundle, boolean remove) throws BadInputException {
    Path file = bundle.resolve("config.json");
    ObjectMapper mapper =
        new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    Original original = read(mapper, file);
    ObjectNode root = original.root();
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
    write(mapper, file, root, original);
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

  /** The file's tree, and the owner, group and mode its replacement keeps. */
  private record Original(ObjectNode root, int uid, int gid, Set<PosixFilePermission> mode) {}

  private Original read(ObjectMapper mapper, Path file) throws BadInputException {
    String document = file.toString();
    byte[] bytes;
    int uid;
    int gid;
    Set<PosixFilePermission> mode;
    try (RegularFile opened = RegularFile.open(sys, file, false)) {
      bytes = opened.readAll(MAX_BYTES);
      uid = opened.uid();
      gid = opened.gid();
      mode = FileMode.permissions(opened.permissions());
    } catch (NoSuchFileException e) {
      throw new BadInputException(document + ": no such file", e);
    } catch (RegularFile.RefusedException e) {
      throw new BadInputException(document + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(document + ": cannot read: " + e.getMessage(), e);
    }
    Utf8.requireValid(bytes, document);
    JsonNode node;
    try {
      node = mapper.readTree(bytes);
    } catch (IOException e) {
      throw JsonInput.input(document, e);
    }
    if (node == null || !node.isObject()) {
      throw new BadInputException(document + ": expected a JSON object");
    }
    return new Original((ObjectNode) node, uid, gid, mode);
  }

  private static void write(ObjectMapper mapper, Path file, ObjectNode root, Original original)
      throws BadInputException {
    Path tmp = null;
    try {
      byte[] bytes = mapper.writeValueAsBytes(root);
      SecureRandom random = new SecureRandom();
      for (int attempt = 0; tmp == null; attempt++) {
        Path candidate =
            file.resolveSibling(
                ".config.json."
                    + Long.toUnsignedString(random.nextLong(), 36)
                    + ".oci-chroot-hook.tmp");
        // O_CREAT|O_EXCL|O_NOFOLLOW: a new file of a random name, never one someone planted.
        try (FileChannel ch = FileChannel.open(candidate, CREATE_TEMP, OWNER_ONLY)) {
          tmp = candidate;
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            ch.write(buffer);
          }
          ch.force(true);
        } catch (FileAlreadyExistsException e) {
          if (attempt == 9) {
            throw e;
          }
        }
      }
      // Owner first: chown clears set-id bits, which the mode then restores.
      Files.setAttribute(tmp, "unix:uid", original.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(tmp, "unix:gid", original.gid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(tmp, "posix:permissions", original.mode(), LinkOption.NOFOLLOW_LINKS);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The original file is untouched either way.
        }
      }
      throw new BadInputException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
