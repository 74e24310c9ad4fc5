package org.ocichroothook.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.ocichroothook.config.Config;
import org.ocichroothook.text.Printable;

/**
 * Checks that a runtime will run this installation's hook: a hooks.d file in a directory it reads,
 * whose {@code hook.path} is this installation's command, whose annotation condition matches the
 * configured platform annotations, with both stages and a timeout.
 */
final class HooksFileCheck {
  private static final int MAX_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private HooksFileCheck() {}

  /**
   * @param launcher this installation's launcher (its real path); null when unknown
   */
  static List<Check> check(String runtime, HooksDirs dirs, Path launcher, Config config) {
    String name = runtime + " hooks.d";
    List<Check> checks = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (Path dir : dirs.dirs()) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
        for (Path f : s) {
          if (f.getFileName().toString().equals("oci-chroot-hook.json") || runsUs(f, launcher)) {
            files.add(f);
          }
        }
      } catch (NoSuchFileException e) {
        // an absent directory holds no file
      } catch (IOException e) {
        checks.add(
            Check.warning(
                name, "cannot read " + Printable.quote(String.valueOf(dir)) + ": " + e, null));
      }
    }
    String where =
        dirs.dirs().stream().map(Path::toString).toList()
            + " (from "
            + (dirs.source().equals("default") ? runtime + "'s default" : dirs.source())
            + ")";
    if (files.isEmpty()) {
      checks.add(
          Check.error(
              name,
              "no hooks.d file for oci-chroot-hook in the directories "
                  + runtime
                  + " reads: "
                  + where,
              "install packaging/hooks.d/oci-chroot-hook.json into one of them (./install"
                  + " --hooks-dir DIR), or add its directory to hooks_dir"));
      return checks;
    }
    files.sort(null);
    for (Path file : files) {
      checks.addAll(checkFile(name, file, launcher, config));
    }
    return checks;
  }

  private static boolean runsUs(Path file, Path launcher) {
    try {
      JsonNode path = read(file).path("hook").path("path");
      return launcher != null && path.isTextual() && sameFile(Path.of(path.asText()), launcher);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<Check> checkFile(String name, Path file, Path launcher, Config config) {
    List<Check> checks = new ArrayList<>();
    String f = Printable.quote(String.valueOf(file));
    JsonNode root;
    try {
      root = read(file);
    } catch (IOException | RuntimeException e) {
      checks.add(
          Check.error(
              name,
              "hooks.d file "
                  + f
                  + " is not valid JSON: "
                  + Printable.bounded(String.valueOf(e.getMessage()), Printable.MAX_VALUE),
              "replace it with packaging/hooks.d/oci-chroot-hook.json"));
      return checks;
    }
    checks.add(Check.ok(name, "hooks.d file " + f + " is present"));
    JsonNode path = root.path("hook").path("path");
    if (!path.isTextual()) {
      checks.add(Check.error(name, f + " has no hook.path", "set hook.path to the command"));
    } else if (launcher == null) {
      checks.add(
          Check.error(
              name,
              f
                  + ": cannot tell whether hook.path runs this installation (doctor was not started"
                  + " by the launcher)",
              "run doctor as oci-chroot-hook doctor"));
    } else if (!sameFile(Path.of(path.asText()), launcher)) {
      checks.add(
          Check.error(
              name,
              f
                  + ": hook.path "
                  + Printable.quote(String.valueOf(path.asText()))
                  + " does not run this installation ("
                  + launcher
                  + ")",
              "set hook.path to this installation's command (re-run ./install)"));
    } else {
      checks.add(Check.ok(name, f + ": hook.path " + path.asText() + " runs this installation"));
    }
    checks.add(whenCheck(name, f, root.path("when"), config));
    List<String> stages = new ArrayList<>();
    root.path("stages").forEach(s -> stages.add(s.asText()));
    boolean prestart = stages.contains("prestart") || stages.contains("createRuntime");
    JsonNode timeout = root.path("hook").path("timeout");
    if (!prestart || !stages.contains("poststop")) {
      checks.add(
          Check.error(
              name,
              f + ": stages " + stages + " lack prestart or poststop",
              "list both: \"stages\": [\"prestart\", \"poststop\"]"));
    } else if (!timeout.canConvertToInt() || timeout.asInt() <= 0) {
      checks.add(
          Check.error(
              name,
              f + ": no hook.timeout",
              "set \"timeout\" (seconds) so a stuck hook cannot hang the runtime"));
    } else {
      checks.add(Check.ok(name, f + ": stages " + stages + ", timeout " + timeout.asInt() + " s"));
    }
    return checks;
  }

  /**
   * The runtime runs the hook when every {@code when.annotations} pair matches some annotation
   * (unanchored regexes, as Go's MatchString); each configured platform annotation, with each
   * configured platform as its value, must satisfy it. {@code always: true} runs it for all.
   */
  private static Check whenCheck(String name, String f, JsonNode when, Config config) {
    if (when.path("always").asBoolean(false)) {
      return Check.ok(name, f + ": runs for every container (when.always)");
    }
    JsonNode annotations = when.path("annotations");
    if (!annotations.isObject() || annotations.isEmpty()) {
      return Check.error(
          name,
          f + ": no when.annotations condition, so it never runs",
          "copy \"when\" from packaging/hooks.d/oci-chroot-hook.json");
    }
    List<String> misses = new ArrayList<>();
    try {
      for (String key : config.platformAnnotations()) {
        for (String platform : config.platforms().keySet()) {
          if (!matchesAll(annotations, key, platform)) {
            misses.add(key + "=" + platform);
          }
        }
      }
    } catch (PatternSyntaxException e) {
      return Check.error(
          name,
          f
              + ": bad regex in when.annotations: "
              + Printable.bounded(String.valueOf(e.getMessage()), Printable.MAX_VALUE),
          null);
    }
    if (!misses.isEmpty()) {
      return Check.error(
          name,
          f + ": when.annotations does not match " + misses,
          "make its key pattern match every key of platformAnnotations, e.g. ^(a|b)$");
    }
    return Check.ok(
        name,
        f + ": when.annotations matches " + config.platformAnnotations() + " for every platform");
  }

  private static boolean matchesAll(JsonNode annotations, String key, String value) {
    Iterator<Map.Entry<String, JsonNode>> it = annotations.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> pair = it.next();
      if (!Pattern.compile(pair.getKey()).matcher(key).find()
          || !Pattern.compile(pair.getValue().asText()).matcher(value).find()) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("not a regular file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return JSON.readTree(in.readNBytes(MAX_BYTES));
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return a.toRealPath().equals(b.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }
}
