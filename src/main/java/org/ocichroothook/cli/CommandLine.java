package org.ocichroothook.cli;

import java.nio.file.Path;
import org.ocichroothook.config.Config;

/**
 * The parsed command line.
 *
 * @param stage null when the stage is to be taken from the state's status
 * @param configExplicit whether {@code --config} named the file (then it must exist)
 */
public record CommandLine(
    Command command,
    Stage stage,
    Path config,
    boolean configExplicit,
    boolean remove,
    Path bundle) {

  public enum Command {
    HOOK,
    INJECT,
    /** The NRI plugin, which parses its own options (org.ocichroothook.nri.NriCommand). */
    NRI,
    HELP,
    VERSION
  }

  public static final String USAGE =
      """
      Usage: oci-chroot-hook [--config FILE] [STAGE] < state.json
             oci-chroot-hook inject [--remove] [--config FILE] BUNDLE
             oci-chroot-hook list [--json] [--config FILE]
             oci-chroot-hook gc [--dry-run] [--min-age DURATION] [--config FILE]
             oci-chroot-hook doctor [--json] [--config FILE]
             oci-chroot-hook nri [--config FILE] [--socket PATH]
             oci-chroot-hook --help | --version

      An OCI runtime hook. At prestart it builds a minimal chroot for the container's sandbox
      (procfs at /proc, the sandbox executable bound read-only, the platform's device files) under
      the state directory; at poststop it unmounts everything it mounted and removes the directory.

        STAGE          prestart, createRuntime (the same work) or poststop. Without it, the stage
                       comes from the state's status: creating/created -> prestart, stopped -> poststop.
        inject BUNDLE  add the hook's prestart and poststop entries to BUNDLE/config.json;
                       with --remove, take them out again.
        list           one line per chroot: id, platform, age, status (ready, incomplete, orphaned,
                       unknown), pid and whether it is alive, mounts still mounted, bundle, reason.
                       Changes nothing; as a non-root user it shows what it can read.
        gc             remove orphaned chroots (their process is gone or reused, or without a pid
                       their bundle is gone) older than --min-age (default 10m; 90s, 10m, 2h, 1d),
                       with poststop's teardown, under the hooks' lock; --dry-run only says what
                       it would do. Exit 1 when something it decided to remove is still there.
        doctor         check the installation (configuration, executable, devices and /sys
                       directories, configured files, state directory, hooks.d files podman and CRI-O read, JVM and start-up archive,
                       log file, orphans, the NRI plugin where its unit is enabled); one line
                       per check. Exit 1 when any check fails.
        nri            run as a containerd NRI plugin (foreground, until SIGTERM): add the hook
                       to containers whose own or whose pod's annotations name a platform;
                       refuse an unknown platform. --socket: default /var/run/nri/nri.sock.
        --json         list and doctor: print JSON for scripts.
        --config FILE  configuration file (default /etc/oci-chroot-hook/config.json)

      Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.
      """;

  public static CommandLine parse(String... args) throws UsageException {
    if (namesNri(args)) {
      return new CommandLine(Command.NRI, null, Config.DEFAULT_FILE, false, false, null);
    }
    Path config = Config.DEFAULT_FILE;
    boolean explicit = false;
    boolean remove = false;
    boolean inject = false;
    String positional = null;
    String asked = helpOrVersion(args);
    if (asked != null) {
      Command command = asked.equals("--version") ? Command.VERSION : Command.HELP;
      return new CommandLine(command, null, config, false, false, null);
    }
    Arguments words = new Arguments(args);
    while (words.hasNext()) {
      String arg = words.next();
      switch (arg) {
        case "--config" -> {
          config = Path.of(words.value());
          explicit = true;
        }
        case "--remove" -> remove = true;
        default -> {
          if (arg.startsWith("-")) {
            throw Arguments.unknown(arg);
          } else if (!inject && positional == null && arg.equals("inject")) {
            inject = true;
          } else if (positional == null) {
            positional = arg;
          } else {
            throw Arguments.unexpected(arg);
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

  /**
   * Whether the first word that is neither an option nor an option's value is {@code nri} (and no
   * --help or --version is asked for).
   */
  private static boolean namesNri(String... args) {
    return helpOrVersion(args) == null && "nri".equals(Arguments.command(args));
  }

  /** The first of --help, -h or --version anywhere on the line; null when none is there. */
  private static String helpOrVersion(String... args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h") || arg.equals("--version")) {
        return arg;
      }
    }
    return null;
  }
}
