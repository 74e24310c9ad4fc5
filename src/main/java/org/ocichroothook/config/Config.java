package org.ocichroothook.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.ocichroothook.text.Printable;

/**
 * The administrator's configuration, validated. Annotations only ever choose a key of {@link
 * #platforms}; every host path the hook touches comes from here.
 *
 * @param stateDir where each container's directory is made; absolute and normalized
 * @param executable the sandbox executable bound read-only into each chroot
 * @param executableTarget its name inside the chroot: one plain path component
 * @param platformAnnotations annotation keys that name the platform, first match wins
 * @param platforms platform name to the device files its chroot needs (absolute paths under /dev)
 * @param defaultPlatform the platform of a container without any of the annotations
 * @param logFile the file the hook appends its log to
 * @param logLevel the log's level: trace, debug, info, warn, error or off
 */
public record Config(
    Path stateDir,
    Path executable,
    String executableTarget,
    List<String> platformAnnotations,
    Map<String, List<Path>> platforms,
    String defaultPlatform,
    Path logFile,
    String logLevel) {

  public static final Path DEFAULT_FILE = Path.of("/etc/oci-chroot-hook/config.json");

  /** The project's own platform annotation, consulted after gVisor's. */
  public static final String PROJECT_ANNOTATION = "org.ocichroothook.platform";

  public static final String GVISOR_ANNOTATION = "dev.gvisor.flag.platform";

  private static final List<String> LEVELS =
      List.of("trace", "debug", "info", "warn", "error", "off");

  /** Names the chroot itself uses; the executable must not shadow them. */
  private static final List<String> RESERVED_TARGETS = List.of("proc", "dev");

  public Config {
    stateDir = absolute("stateDir", stateDir);
    if (stateDir.getNameCount() == 0) {
      throw new IllegalArgumentException("\"stateDir\" must not be /");
    }
    executable = absolute("executable", executable);
    Objects.requireNonNull(executableTarget, "executableTarget");
    if (!targetName(executableTarget) || RESERVED_TARGETS.contains(executableTarget)) {
      throw new IllegalArgumentException(
          "\"executableTarget\" must be one file name (not proc or dev), got "
              + Printable.quote(executableTarget));
    }
    platformAnnotations = List.copyOf(platformAnnotations);
    for (String key : platformAnnotations) {
      if (key.isBlank()) {
        throw new IllegalArgumentException("\"platformAnnotations\" must not hold an empty key");
      }
    }
    for (Map.Entry<String, List<Path>> platform : platforms.entrySet()) {
      if (!platformName(platform.getKey())) {
        throw new IllegalArgumentException(
            "\"platforms\": invalid platform name " + Printable.quote(platform.getKey()));
      }
      // Each device becomes one mount target: a repeated one would fail every prestart of the
      // platform with "mount target already exists", so it is refused here, once.
      Set<Path> seen = new HashSet<>();
      for (Path device : platform.getValue()) {
        device(platform.getKey(), device);
        if (!seen.add(device)) {
          throw new IllegalArgumentException(
              "\"platforms."
                  + platform.getKey()
                  + "\": device "
                  + Printable.quote(device.toString())
                  + " is listed twice");
        }
      }
    }
    platforms = copyOrdered(platforms);
    if (!platforms.containsKey(defaultPlatform)) {
      throw new IllegalArgumentException(
          "\"defaultPlatform\" "
              + Printable.quote(defaultPlatform)
              + " is not one of \"platforms\" "
              + platforms.keySet());
    }
    logFile = absolute("logFile", logFile);
    if (!LEVELS.contains(logLevel)) {
      throw new IllegalArgumentException(
          "\"logLevel\" must be one of " + LEVELS + ", got " + Printable.quote(logLevel));
    }
  }

  /** The configuration used when no file exists: gVisor's platforms and paths. */
  public static Config defaults() {
    Map<String, List<Path>> platforms = new LinkedHashMap<>();
    platforms.put("kvm", List.of(Path.of("/dev/kvm")));
    platforms.put("ptrace", List.of());
    platforms.put("systrap", List.of());
    return new Config(
        Path.of("/run/oci-chroot-hook"),
        Path.of("/usr/bin/runsc"),
        "runsc",
        List.of(GVISOR_ANNOTATION, PROJECT_ANNOTATION),
        platforms,
        "ptrace",
        Path.of("/var/log/oci-chroot-hook.log"),
        "info");
  }

  /**
   * {@code [a-z0-9][a-z0-9_-]{0,63}}. This and {@link #targetName} are loops rather than
   * java.util.regex: on JDK 17 compiling a pattern bootstraps java.lang.invoke (its character
   * classes are lambdas), ~10 ms of every prestart and poststop that no archive holds.
   */
  static boolean platformName(String name) {
    if (name.isEmpty() || name.length() > 64 || !lowerOrDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!lowerOrDigit(c) && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /** {@code [A-Za-z0-9_+][A-Za-z0-9_+.-]{0,254}}: one file name, never . or .. or hidden. */
  static boolean targetName(String name) {
    if (name.isEmpty() || name.length() > 255 || name.charAt(0) == '.' || name.charAt(0) == '-') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!lowerOrDigit(c)
          && !(c >= 'A' && c <= 'Z')
          && c != '_'
          && c != '+'
          && c != '.'
          && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean lowerOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static Path absolute(String key, Path path) {
    Objects.requireNonNull(path, key);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException(
          "\"" + key + "\" must be an absolute path, got " + Printable.quote(path.toString()));
    }
    if (!path.normalize().equals(path)) {
      throw new IllegalArgumentException(
          "\"" + key + "\" must be a normalized path, got " + Printable.quote(path.toString()));
    }
    return path;
  }

  private static void device(String platform, Path device) {
    absolute("platforms." + platform, device);
    if (device.getNameCount() < 2 || !device.startsWith("/dev")) {
      throw new IllegalArgumentException(
          "\"platforms."
              + platform
              + "\": device "
              + Printable.quote(device.toString())
              + " must be a path under /dev");
    }
  }

  private static Map<String, List<Path>> copyOrdered(Map<String, List<Path>> platforms) {
    Map<String, List<Path>> copy = new LinkedHashMap<>();
    for (Map.Entry<String, List<Path>> platform : platforms.entrySet()) {
      copy.put(platform.getKey(), List.copyOf(platform.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }
}
