package org.ocichroothook.config;

import java.io.IOException;
import java.nio.file.Files;
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
      if ((owner != 0 && owner != ownUid()) || config.writableByOthers()) {
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
  private static int ownUid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  static Config parse(byte[] json, String document) throws BadInputException {
    Config d = Config.defaults();
    String stateDir = d.stateDir().toString();
    String executable = d.executable().toString();
    String executableTarget = d.executableTarget();
    List<String> annotations = d.platformAnnotations();
    Map<String, List<String>> platforms = null;
    String defaultPlatform = d.defaultPlatform();
    String logFile = d.logFile().toString();
    String logLevel = d.logLevel();
    try (JsonInput in = JsonInput.ofObject(json, document)) {
      for (String key = in.nextField(); key != null; key = in.nextField()) {
        switch (key) {
          case "stateDir" -> stateDir = in.string(key);
          case "executable" -> executable = in.string(key);
          case "executableTarget" -> executableTarget = in.string(key);
          case "platformAnnotations" -> annotations = in.stringList(key);
          case "platforms" -> platforms = in.stringListMap(key);
          case "defaultPlatform" -> defaultPlatform = in.string(key);
          case "logFile" -> logFile = in.string(key);
          case "logLevel" -> logLevel = in.string(key);
          default -> throw in.unknownField(key);
        }
      }
      in.expectEnd();
    }
    try {
      return new Config(
          Path.of(stateDir),
          Path.of(executable),
          executableTarget,
          annotations,
          platforms == null ? d.platforms() : toPaths(platforms),
          defaultPlatform,
          Path.of(logFile),
          logLevel);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(document + ": " + e.getMessage());
    }
  }

  private static Map<String, List<Path>> toPaths(Map<String, List<String>> platforms) {
    Map<String, List<Path>> result = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> platform : platforms.entrySet()) {
      List<Path> paths = new ArrayList<>();
      for (String device : platform.getValue()) {
        paths.add(Path.of(device));
      }
      result.put(platform.getKey(), paths);
    }
    return result;
  }
}
