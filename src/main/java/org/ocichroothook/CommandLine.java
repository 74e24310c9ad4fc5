package org.ocichroothook;

import java.nio.file.Path;
import org.ocichroothook.config.Config;
import org.ocichroothook.text.Printable;

/**
 * The parsed command line.
 *
 * @param stage null when the stage is to be taken from the state's status
 * @param configExplicit whether {@code --config} named the file (then it must exist)
 */
record CommandLine(
    Command command,
    Stage stage,
    Path config,
    boolean configExplicit,
    boolean remove,
    Path bundle) {

  enum Command {
    HOOK,
    INJECT,
    HELP,
    VERSION
  }

  static final String USAGE =
      """
      Usage: hook [--config FILE] [STAGE] < state.json
             hook inject [--remove] [--config FILE] BUNDLE
             hook --help | --version

      An OCI runtime hook. At prestart it builds a minimal chroot for the container's sandbox
      (procfs at /proc, the sandbox executable bound read-only, the platform's device files) under
      the state directory; at poststop it unmounts everything it mounted and removes the directory.

        STAGE          prestart, createRuntime (the same work) or poststop. Without it, the stage
                       comes from the state's status: creating/created -> prestart, stopped -> poststop.
        inject BUNDLE  add the hook's prestart and poststop entries to BUNDLE/config.json;
                       with --remove, take them out again.
        --config FILE  configuration file (default /etc/oci-chroot-hook/config.json)

      Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.
      """;

  static CommandLine parse(String... args) throws UsageException {
    Path config = Config.DEFAULT_FILE;
    boolean explicit = false;
    boolean remove = false;
    boolean inject = false;
    String positional = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> {
          return new CommandLine(Command.HELP, null, config, false, false, null);
        }
        case "--version" -> {
          return new CommandLine(Command.VERSION, null, config, false, false, null);
        }
        case "--config" -> {
          if (i + 1 >= args.length || args[i + 1].isEmpty()) {
            throw new UsageException("--config needs a FILE");
          }
          config = Path.of(args[++i]);
          explicit = true;
        }
        case "--remove" -> remove = true;
        default -> {
          if (arg.startsWith("--config=")) {
            config = Path.of(arg.substring("--config=".length()));
            explicit = true;
          } else if (arg.startsWith("-")) {
            throw new UsageException(
                "unknown option " + Printable.bounded(arg, Printable.MAX_VALUE));
          } else if (!inject && positional == null && arg.equals("inject")) {
            inject = true;
          } else if (positional == null) {
            positional = arg;
          } else {
            throw new UsageException("unexpected argument " + Printable.quote(arg));
          }
        }
      }
    }
    if (inject) {
      if (positional == null) {
        throw new UsageException("inject needs a BUNDLE directory");
      }
      return new CommandLine(Command.INJECT, null, config, explicit, remove, Path.of(positional));
    }
    if (remove) {
      throw new UsageException("--remove goes with inject");
    }
    Stage stage = positional == null ? null : Stage.parse(positional);
    return new CommandLine(Command.HOOK, stage, config, explicit, false, null);
  }
}
