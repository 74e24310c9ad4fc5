package org.ocichroothook.ops;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.cli.Arguments;
import org.ocichroothook.cli.UsageException;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.log.LogFile;
import org.ocichroothook.sys.Capabilities;
import org.ocichroothook.sys.Syscalls;

/**
 * The operator's commands, {@code list}, {@code gc} and {@code doctor}: their command line and
 * their exit codes (0 ok, 1 the work failed or the installation is unhealthy, 2 bad usage or
 * input), apart from the hook's own stages.
 */
public final class Operations {
  static final String NAME = "oci-chroot-hook";
  static final Duration DEFAULT_MIN_AGE = Duration.ofMinutes(10);
  private static final Set<String> COMMANDS = Set.of("list", "gc", "doctor");

  private final Supplier<Syscalls> syscalls;

  /**
   * @param syscalls the native backend, created on first use
   */
  public Operations(Supplier<Syscalls> syscalls) {
    this.syscalls = syscalls;
  }

  /** Whether the command line names one of these commands (its first word that is no option). */
  public static boolean handles(String... args) {
    String command = Arguments.command(args);
    return command != null && COMMANDS.contains(command);
  }

  private record Args(
      String command,
      Path config,
      boolean explicit,
      boolean json,
      boolean dryRun,
      Duration minAge) {}

  public int run(PrintStream out, PrintStream err, String... args) {
    Args a;
    try {
      a = parse(args);
    } catch (UsageException | IllegalArgumentException e) {
      err.println(NAME + ": " + e.getMessage() + " (see " + NAME + " --help)");
      return 2;
    }
    try {
      if (a.command.equals("doctor")) {
        return doctor(a, out);
      }
      Config config = ConfigReader.read(syscalls.get(), a.config, a.explicit);
      if (a.command.equals("list")) {
        return ListCommand.run(config.stateDir(), a.json, out, err);
      }
      if (!a.dryRun && !Capabilities.effective(Capabilities.CAP_SYS_ADMIN)) {
        err.println(
            NAME + ": gc needs CAP_SYS_ADMIN to unmount; run it as root (or use --dry-run)");
        return 1;
      }
      // gc's removals belong in the hook's log, beside the stages' own lines.
      if (!a.dryRun) {
        LogFile.open(syscalls.get(), config.logFile(), config.logLevel());
      }
      try {
        return GcCommand.run(config.stateDir(), a.dryRun, a.minAge, syscalls.get(), out, err);
      } finally {
        LogFile.close();
      }
    } catch (BadInputException e) {
      err.println(NAME + ": " + e.getMessage());
      return 2;
    } catch (ChrootException | IOException e) {
      err.println(NAME + ": " + a.command + ": " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println(NAME + ": " + a.command + ": internal error: " + e);
      return 1;
    }
  }

  private static Args parse(String... args) throws UsageException {
    String command = null;
    Path config = Config.DEFAULT_FILE;
    boolean explicit = false;
    boolean json = false;
    boolean dryRun = false;
    Duration minAge = null;
    Arguments words = new Arguments(args);
    while (words.hasNext()) {
      String arg = words.next();
      switch (arg) {
        case "--config" -> {
          config = Path.of(words.value());
          explicit = true;
        }
        case "--json" -> json = true;
        case "--dry-run" -> dryRun = true;
        case "--min-age" -> minAge = Ages.parse(words.value());
        default -> {
          if (arg.startsWith("-")) {
            throw Arguments.unknown(arg);
          } else if (command == null) {
            command = arg;
          } else {
            throw Arguments.unexpected(arg);
          }
        }
      }
    }
    boolean gc = "gc".equals(command);
    if (json && gc) {
      throw new IllegalArgumentException("--json goes with list or doctor");
    }
    if ((dryRun || minAge != null) && !gc) {
      throw new IllegalArgumentException("--dry-run and --min-age go with gc");
    }
    return new Args(
        command, config, explicit, json, dryRun, minAge == null ? DEFAULT_MIN_AGE : minAge);
  }

  private int doctor(Args a, PrintStream out) throws IOException {
    Doctor doctor =
        new Doctor(
            syscalls.get(),
            Installation.current(),
            a.config,
            a.explicit,
            System.getenv("CONTAINERS_CONF"),
            Path.of("/"));
    List<Check> checks = doctor.run();
    boolean healthy = Doctor.healthy(checks);
    if (a.json) {
      try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeBooleanField("healthy", healthy);
        g.writeArrayFieldStart("checks");
        for (Check c : checks) {
          g.writeStartObject();
          g.writeStringField("check", c.name());
          g.writeStringField("result", c.level().name().toLowerCase(java.util.Locale.ROOT));
          g.writeStringField("message", c.message());
          g.writeStringField("fix", c.fix());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      out.println();
    } else {
      // UTF-8 whatever the locale: the marks are not ASCII, and a hook often runs with none.
      for (Check c : checks) {
        out.write((c.line() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.write(
          (healthy ? "healthy\n" : "not healthy: fix the ✘ lines above\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    return healthy ? 0 : 1;
  }
}
