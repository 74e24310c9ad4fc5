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
 * @param executable the sandbox executable bound read-only into each chroot; null for none (gVisor
 *     itself no longer needs it there: it re-executes /proc/self/exe)
 * @param executableTarget its name inside the chroot: one plain path component
 * @param platformAnnotations annotation keys that name the platform, first match wins
 * @param platforms platform name to what its chroot needs: device files under /dev, directories
 *     under /sys
 * @param defaultPlatform the platform of a container without any of the annotations
 * @param logFile the file the hook appends its log to
 * @param logLevel the log's level: trace, debug, info, warn, error or off
 * @param files host files copied into every chroot, at most {@value #MAX_FILES}
 */
public record Config(
    Path stateDir,
    Path executable,
    String executableTarget,
    List<String> platformAnnotations,
    Map<String, DeviceSet> platforms,
    String defaultPlatform,
    Path logFile,
    String logLevel,
    List<ConfiguredFile> files) {

  public static final Path DEFAULT_FILE = Path.of("/etc/oci-chroot-hook/config.json");

  /** The project's own platform annotation, consulted after gVisor's. */
  public static final String PROJECT_ANNOTATION = "org.ocichroothook.platform";

  public static final String GVISOR_ANNOTATION = "dev.gvisor.flag.platform";

  private static final List<String> LEVELS =
      List.of("trace", "debug", "info", "warn", "error", "off");

  /** Names the chroot itself uses; the executable must not shadow them. */
  private static final List<String> RESERVED_TARGETS = List.of("proc", "dev", "sys");

  static final Path DEV = Path.of("/dev");
  static final Path SYS = Path.of("/sys");
  private static final Path PROC = Path.of("/proc");

  /** The most entries {@code files} may have: each is up to 1 MiB on the chroot's tmpfs. */
  public static final int MAX_FILES = 64;

  public Config {
    stateDir = absolute("stateDir", stateDir);
    if (stateDir.getNameCount() == 0) {
      throw new IllegalArgumentException("\"stateDir\" must not be /");
    }
    if (executable != null) {
      executable = absolute("executable", executable);
    }
    Objects.requireNonNull(executableTarget, "executableTarget");
    if (!targetName(executableTarget) || RESERVED_TARGETS.contains(executableTarget)) {
      throw new IllegalArgumentException(
          "\"executableTarget\" must be one file name (not proc, dev or sys), got "
              + Printable.quote(executableTarget));
    }
    platformAnnotations = List.copyOf(platformAnnotations);
    for (String key : platformAnnotations) {
      if (key.isBlank()) {
        throw new IllegalArgumentException("\"platformAnnotations\" must not hold an empty key");
      }
    }
    for (Map.Entry<String, DeviceSet> platform : platforms.entrySet()) {
      if (!platformName(platform.getKey())) {
        throw new IllegalArgumentException(
            "\"platforms\": invalid platform name " + Printable.quote(platform.getKey()));
      }
      deviceSet("platforms." + platform.getKey(), platform.getValue());
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
    files = files(List.copyOf(files), executableTarget);
    if (!LEVELS.contains(logLevel)) {
      throw new IllegalArgumentException(
          "\"logLevel\" must be one of " + LEVELS + ", got " + Printable.quote(logLevel));
    }
  }

  /** The configuration used when no file exists: gVisor's platforms and paths. */
  public static Config defaults() {
    Map<String, DeviceSet> platforms = new LinkedHashMap<>();
    platforms.put("kvm", new DeviceSet(List.of(Path.of("/dev/kvm")), List.of()));
    platforms.put("ptrace", DeviceSet.EMPTY);
    platforms.put("systrap", DeviceSet.EMPTY);
    return new Config(
        Path.of("/run/oci-chroot-hook"),
        Path.of("/usr/bin/runsc"),
        "runsc",
        List.of(GVISOR_ANNOTATION, PROJECT_ANNOTATION),
        platforms,
        "ptrace",
        Path.of("/var/log/oci-chroot-hook.log"),
        "info",
        List.of());
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

  /**
   * Each entry becomes one mount target: a repeated one would fail every prestart of the platform
   * with "mount target already exists", so it is refused here, once.
   */
  private static void deviceSet(String key, DeviceSet set) {
    Set<Path> seen = new HashSet<>();
    for (Path device : set.devices()) {
      under(key, device, DEV, "device");
      if (!seen.add(device)) {
        throw twice(key, "device", device);
      }
    }
    for (Path dir : set.sysfs()) {
      under(key, dir, SYS, "directory");
      if (!seen.add(dir)) {
        throw twice(key, "directory", dir);
      }
    }
    // A directory inside another is bound onto the other's bind, read-only: its mount target
    // cannot be made, so every prestart of the platform would fail.
    for (Path outer : set.sysfs()) {
      for (Path inner : set.sysfs()) {
        if (!inner.equals(outer) && inner.startsWith(outer)) {
          throw new IllegalArgumentException(
              "\""
                  + key
                  + "\": directory "
                  + Printable.quote(inner.toString())
                  + " is inside "
                  + Printable.quote(outer.toString())
                  + ", also listed");
        }
      }
    }
  }

  private static IllegalArgumentException twice(String key, String what, Path path) {
    return new IllegalArgumentException(
        "\"" + key + "\": " + what + " " + Printable.quote(path.toString()) + " is listed twice");
  }

  private static void under(String key, Path path, Path prefix, String what) {
    absolute(key, path);
    if (path.getNameCount() < 2 || !(path.startsWith(DEV) || path.startsWith(SYS))) {
      throw new IllegalArgumentException(
          "\""
              + key
              + "\": "
              + Printable.quote(path.toString())
              + " is neither a device under /dev nor a directory under /sys");
    }
    if (!path.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "\""
              + key
              + "\": "
              + Printable.quote(path.toString())
              + " is listed as a "
              + what
              + " but is not under "
              + prefix);
    }
  }

  /**
   * A file lands at its own path on the chroot's tmpfs: never where the chroot's mounts are (proc,
   * dev, sys, the executable), never twice, and never where another file needs a directory.
   */
  private static List<ConfiguredFile> files(List<ConfiguredFile> files, String executableTarget) {
    if (files.size() > MAX_FILES) {
      throw new IllegalArgumentException(
          "\"files\" holds " + files.size() + " entries, more than " + MAX_FILES);
    }
    Set<Path> seen = new HashSet<>();
    for (ConfiguredFile file : files) {
      Path path = absolute("files", file.path());
      absolute("files", file.source());
      String quoted = Printable.quote(path.toString());
      if (path.getNameCount() == 0
          || path.startsWith(PROC)
          || path.startsWith(DEV)
          || path.startsWith(SYS)
          || path.getName(0).toString().equals(executableTarget)) {
        throw new IllegalArgumentException(
            "\"files\": "
                + quoted
                + " is where the chroot mounts something (/, /proc, /dev, /sys or /"
                + executableTarget
                + ")");
      }
      if (!seen.add(path)) {
        throw new IllegalArgumentException("\"files\": " + quoted + " is listed twice");
      }
    }
    for (ConfiguredFile a : files) {
      for (ConfiguredFile b : files) {
        if (!a.path().equals(b.path()) && b.path().startsWith(a.path())) {
          throw new IllegalArgumentException(
              "\"files\": "
                  + Printable.quote(a.path().toString())
                  + " would be the directory of "
                  + Printable.quote(b.path().toString()));
        }
      }
    }
    return files;
  }

  private static Map<String, DeviceSet> copyOrdered(Map<String, DeviceSet> platforms) {
    Map<String, DeviceSet> copy = new LinkedHashMap<>(platforms);
    return Collections.unmodifiableMap(copy);
  }
}
