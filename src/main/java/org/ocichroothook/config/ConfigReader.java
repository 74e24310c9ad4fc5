package org.ocichroothook.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocichroothook.json.BadInputException;
import org.ocichroothook.json.JsonInput;

/**
 * Reads the configuration file: every key optional, unknown keys and bad values refused with the
 * key named. A missing file at the default location means the defaults; a missing file that was
 * named with {@code --config} is an error.
 */
public final class ConfigReader {
  private static final int MAX_BYTES = 1 << 20;

  private ConfigReader() {}

  public static Config read(Path file, boolean explicit) throws BadInputException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException("config " + file + ": larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      if (explicit) {
        throw new BadInputException("config " + file + ": no such file");
      }
      return Config.defaults();
    } catch (IOException e) {
      throw new BadInputException("config " + file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(bytes, "config " + file);
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
    platforms.forEach(
        (name, devices) -> {
          List<Path> paths = new ArrayList<>();
          devices.forEach(device -> paths.add(Path.of(device)));
          result.put(name, paths);
        });
    return result;
  }
}
