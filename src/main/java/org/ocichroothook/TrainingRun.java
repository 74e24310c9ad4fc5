package org.ocichroothook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One prestart and one poststop in a single JVM, so the JVM can record every class both stages use
 * into a start-up archive (an AOT cache on JDK 25+, an AppCDS archive before). {@code
 * build-archive} runs it as root in a private mount namespace, with a state directory of its own;
 * it binds the program's own jar as the "executable" and /dev/null as the platform's device, so
 * every kind of mount is exercised. Exits non-zero if either stage fails, and then no archive is
 * kept.
 */
public final class TrainingRun {
  private TrainingRun() {}

  public static void main(String... args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: TrainingRun WORKDIR EXECUTABLE");
      System.exit(2);
    }
    Path work = Path.of(args[0]);
    Path config = work.resolve("config.json");
    Files.writeString(
        config,
        """
        {"stateDir": "%s", "executable": "%s", "logFile": "%s",
         "platforms": {"kvm": ["/dev/null"], "ptrace": []}}
        """
            .formatted(work.resolve("state"), args[1], work.resolve("hook.log")));
    // The hook refuses a configuration others can write, whatever umask this run inherited.
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    String state =
        "{\"ociVersion\":\"1.0.2\",\"id\":\"training\",\"status\":\"%s\",\"pid\":1,"
            + "\"bundle\":\"/nonexistent/training\",\"annotations\":{\"dev.gvisor.flag.platform\":\"kvm\"}}";
    int code = stage(config, state.formatted("creating"));
    if (code == 0) {
      code = stage(config, state.formatted("stopped"));
    }
    System.exit(code);
  }

  private static int stage(Path config, String state) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Hook.run(
            new ByteArrayInputStream(state.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(java.io.OutputStream.nullOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            "--config",
            config.toString());
    System.err.print(err.toString(StandardCharsets.UTF_8));
    return code;
  }
}
