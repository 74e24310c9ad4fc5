package org.ocichroothook.config;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.json.JsonInput;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.text.Printable;

/**
 * Reads the configuration file: every key optional, unknown keys and bad values refused with the
 * key named. A missing file at the default location means the defaults; a missing file that was
 * named with {@code --config} is an error.
 *
 * <p>Whoever can write the configuration chooses where root creates directories, mounts and
 * appends, so it must be owned by root (or by the user running the hook, when that is not root) and
 * writable by no one else. It is checked on the opened file ({@link RegularFile}: a symlink is
 * followed, and what it leads to is checked), and it must be a regular file of at most {@value
 * #MAX_BYTES} bytes: a FIFO or a device is refused without blocking or reading.
 */
public final class ConfigReader {
  static final int MAX_BYTES = 1 << 20;

  private ConfigReader() {}

  public static Config read(Syscalls sys, Path file, boolean explicit) throws BadInputException {
    String document = "config " + file;
    byte[] bytes;
    try (RegularFile config = RegularFile.open(sys, file, true)) {
      int owner = config.uid();
      if (!config.rootsAlone()) {
        throw new BadInputException(
            document
                + ": must be owned by root and writable by no one else (owner uid "
                + owner
                + ", mode "
                + String.format("%04o", config.permissions())
                + ")");
      }
      bytes = config.readAll(MAX_BYTES);
    } catch (NoSuchFileException e) {
      if (explicit) {
        throw new BadInputException(document + ": no such file");
      }
      return Config.defaults();
    } catch (RegularFile.RefusedException e) {
      throw new BadInputException(document + ": " + e.getMessage());
    } catch (IOException e) {
      throw new BadInputException(document + ": cannot read: " + e.getMessage(), e);
    }
    return parse(bytes, document);
  }

  /** The effective uid of this process: the owner of its /proc directory. */
  static Config parse(byte[] json, String document) throws BadInputException {
    Config d = Config.defaults();
    String stateDir = d.stateDir().toString();
    String executable = d.executable().toString();
    List<ConfiguredFile> files = d.files();
    String executableTarget = d.executableTarget();
    List<String> annotations = d.platformAnnotations();
    Map<String, DeviceSet> platforms = null;
    String defaultPlatform = d.defaultPlatform();
    String logFile = d.logFile().toString();
    String logLevel = d.logLevel();
    try (JsonInput in = JsonInput.ofObject(json, document)) {
      for (String key = in.nextField(); key != null; key = in.nextField()) {
        switch (key) {
          case "stateDir" -> stateDir = in.string(key);
          case "executable" -> executable = in.stringOrNull(key);
          case "executableTarget" -> executableTarget = in.string(key);
          case "platformAnnotations" -> annotations = in.stringList(key);
          case "platforms" -> platforms = platforms(in, document);
          case "defaultPlatform" -> defaultPlatform = in.string(key);
          case "logFile" -> logFile = in.string(key);
          case "logLevel" -> logLevel = in.string(key);
          case "files" -> files = files(in, document);
          default -> throw in.unknownField(key);
        }
      }
      in.expectEnd();
    }
    try {
      return new Config(
          Path.of(stateDir),
          executable == null ? null : Path.of(executable),
          executableTarget,
          annotations,
          platforms == null ? d.platforms() : platforms,
          defaultPlatform,
          Path.of(logFile),
          logLevel,
          files);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(document + ": " + e.getMessage());
    }
  }

  /**
   * {@code platforms}: each platform's device set, either a list of paths (devices under /dev and
   * directories under /sys, told apart by their prefix: the shape earlier versions read) or an
   * object {@code {"devices": [...], "sysfs": [...]}}.
   */
  private static Map<String, DeviceSet> platforms(JsonInput in, String document)
      throws BadInputException {
    in.startObject("platforms", "an object of device sets");
    Map<String, DeviceSet> result = new LinkedHashMap<>();
    for (String name = in.nextField(); name != null; name = in.nextField()) {
      String key = "platforms." + name;
      if (!in.atObject()) {
        result.put(name, DeviceSet.of(paths(in.stringList(key), key, document)));
        continue;
      }
      List<Path> devices = List.of();
      List<Path> sysfs = List.of();
      for (String field = in.nextField(); field != null; field = in.nextField()) {
        switch (field) {
          case "devices" -> devices = paths(in.stringList(key + ".devices"), key, document);
          case "sysfs" -> sysfs = paths(in.stringList(key + ".sysfs"), key, document);
          default -> throw in.unknownField(key + "." + field);
        }
      }
      result.put(name, new DeviceSet(devices, sysfs));
    }
    return result;
  }

  private static List<Path> paths(List<String> values, String key, String document)
      throws BadInputException {
    List<Path> paths = new ArrayList<>();
    for (String value : values) {
      paths.add(path(value, key, document));
    }
    return paths;
  }

  /**
   * {@code files}: an array whose entries are a path, or an object {@code {"path": P, "source": S,
   * "optional": B}} where only {@code path} is required.
   */
  private static List<ConfiguredFile> files(JsonInput in, String document)
      throws BadInputException {
    List<ConfiguredFile> files = new ArrayList<>();
    in.startArray("files", "an array of paths or {\"path\": ...} objects");
    while (in.nextElement()) {
      String key = "files[" + files.size() + "]";
      if (!in.atObject()) {
        Path path = path(in.string(key), key, document);
        files.add(new ConfiguredFile(path, path, false));
        continue;
      }
      String path = null;
      String source = null;
      boolean optional = false;
      for (String field = in.nextField(); field != null; field = in.nextField()) {
        switch (field) {
          case "path" -> path = in.string(key + ".path");
          case "source" -> source = in.string(key + ".source");
          case "optional" -> optional = in.bool(key + ".optional");
          default -> throw in.unknownField(key + "." + field);
        }
      }
      if (path == null) {
        throw new BadInputException(document + ": field \"" + key + "\" needs a \"path\"");
      }
      files.add(
          new ConfiguredFile(
              path(path, key, document),
              path(source == null ? path : source, key, document),
              optional));
    }
    return files;
  }

  private static Path path(String value, String key, String document) throws BadInputException {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new BadInputException(
          document + ": \"" + key + "\": not a path: " + Printable.quote(value));
    }
  }
}
