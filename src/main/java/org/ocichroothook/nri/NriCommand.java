package org.ocichroothook.nri;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.ocichroothook.cli.Arguments;
import org.ocichroothook.cli.UsageException;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.log.LogFile;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.text.Printable;

/**
 * {@code oci-chroot-hook nri [--config FILE] [--socket PATH]}: the NRI plugin's command line. It
 * runs in the foreground until SIGTERM (systemd's stop), logging to the hook's own log file. {@code
 * --status FILE} moves the connection state doctor reads ({@link PluginStatus#FILE}), for tests.
 * Exit codes: 0 after SIGTERM, 2 bad usage or configuration.
 */
public final class NriCommand {
  static final String NAME = "oci-chroot-hook";
  static final Path DEFAULT_SOCKET = Path.of("/var/run/nri/nri.sock");

  /** Where plugins run in order of their index; the hook has no reason to go early or late. */
  static final String INDEX = "50";

  /** The hooks.d entry's environment and timeout (packaging/hooks.d/oci-chroot-hook.json). */
  static final String PATH_ENV =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  static final int TIMEOUT_SECONDS = 30;

  /** Set by the launcher to its own path. */
  static final String LAUNCHER_PROPERTY = "oci-chroot-hook.launcher";

  private NriCommand() {}

  record Args(Path config, boolean explicit, Path socket, Path status) {}

  /** Runs the plugin until SIGTERM. */
  public static int run(Supplier<Syscalls> syscalls, PrintStream err, String... args) {
    Args a;
    try {
      a = parse(args);
    } catch (UsageException | IllegalArgumentException e) {
      err.println(NAME + ": " + e.getMessage() + " (see " + NAME + " --help)");
      return 2;
    }
    String launcher = System.getProperty(LAUNCHER_PROPERTY);
    if (launcher == null || !Path.of(launcher).isAbsolute()) {
      err.println(NAME + ": nri: cannot tell the launcher's path; run it through the launcher");
      return 2;
    }
    Config config;
    try {
      config = ConfigReader.read(syscalls.get(), a.config, a.explicit);
    } catch (BadInputException e) {
      err.println(NAME + ": " + e.getMessage());
      return 2;
    }
    LogFile.open(syscalls.get(), config.logFile(), config.logLevel());
    Policy policy = new Policy(config, hook(Path.of(launcher), a.explicit ? a.config : null));
    NriPlugin plugin =
        new NriPlugin(
            a.socket, policy, INDEX, Duration.ofMillis(500), Duration.ofSeconds(10), a.status);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    plugin.stop(Duration.ofSeconds(5));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  LogFile.close();
                },
                "nri-sigterm"));
    plugin.run();
    return 0;
  }

  /**
   * The entry the plugin adds, for prestart and poststop alike: the hooks.d file's ({@code
   * oci-chroot-hook} as argv[0], so the stage comes from the state's status; the same environment
   * and timeout), at the installed command's path, {@code PREFIX/bin/oci-chroot-hook}, when the
   * launcher is the installed one, as the hooks.d file names it. With an explicit {@code --config},
   * the hook is told the same file, so that it chooses the platform the plugin checked.
   */
  static HookSpec hook(Path launcher, Path config) {
    Path path = launcher;
    Path lib = launcher.getParent();
    if (lib != null
        && launcher.getFileName().toString().equals("hook")
        && lib.getFileName() != null
        && lib.getFileName().toString().equals(NAME)
        && lib.getParent() != null
        && lib.getParent().getFileName() != null
        && lib.getParent().getFileName().toString().equals("lib")
        && lib.getParent().getParent() != null) {
      Path command = lib.getParent().getParent().resolve("bin").resolve(NAME);
      try {
        if (Files.isSymbolicLink(command) && Files.isSameFile(command, launcher)) {
          path = command;
        }
      } catch (IOException e) {
        // The launcher's own path, then.
      }
    }
    List<String> args = new ArrayList<>(List.of(NAME));
    if (config != null) {
      args.add("--config");
      args.add(config.toAbsolutePath().toString());
    }
    return new HookSpec(path.toString(), args, List.of(PATH_ENV), TIMEOUT_SECONDS);
  }

  static Args parse(String... args) throws UsageException {
    Path config = Config.DEFAULT_FILE;
    boolean explicit = false;
    Path socket = DEFAULT_SOCKET;
    Path status = PluginStatus.FILE;
    boolean command = false;
    Arguments words = new Arguments(args);
    while (words.hasNext()) {
      String arg = words.next();
      switch (arg) {
        case "--config" -> {
          config = Path.of(words.value());
          explicit = true;
        }
        case "--socket" -> socket = Path.of(words.value());
        case "--status" -> status = Path.of(words.value());
        default -> {
          if (arg.startsWith("-")) {
            throw Arguments.unknown(arg);
          } else if (!command && arg.equals("nri")) {
            command = true;
          } else {
            throw Arguments.unexpected(arg);
          }
        }
      }
    }
    if (!socket.isAbsolute()) {
      throw new IllegalArgumentException(
          "--socket must be an absolute path, got " + Printable.quote(socket.toString()));
    }
    if (!status.isAbsolute()) {
      throw new IllegalArgumentException(
          "--status must be an absolute path, got " + Printable.quote(status.toString()));
    }
    return new Args(config, explicit, socket, status);
  }
}
