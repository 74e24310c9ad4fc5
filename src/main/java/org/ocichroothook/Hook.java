package org.ocichroothook;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.ocichroothook.chroot.ChrootBuilder;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.chroot.ChrootRemover;
import org.ocichroothook.chroot.Layout;
import org.ocichroothook.chroot.StateDirectory;
import org.ocichroothook.cli.CommandLine;
import org.ocichroothook.cli.Stage;
import org.ocichroothook.cli.UsageException;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.inject.BundleInjector;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.log.LogFile;
import org.ocichroothook.nri.NriCommand;
import org.ocichroothook.ops.Operations;
import org.ocichroothook.ops.PrestartOrigin;
import org.ocichroothook.ops.ProcessStart;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.PlanException;
import org.ocichroothook.plan.Planner;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;
import org.ocichroothook.sys.Capabilities;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;
import org.ocichroothook.text.Printable;
import org.slf4j.LoggerFactory;

/**
 * The hook's real entry point: parses the command line, reads the configuration and the state, and
 * runs one stage. It returns an exit code and writes at most one line to {@code stderr}, because
 * runc quotes a failing hook's stderr in its own error message and that is all the operator sees.
 * That line, and every log line, has its control characters escaped and its length bounded ({@link
 * Printable}): the values in it are the container's.
 *
 * <p>The log is opened as soon as the configuration is read, so every failure after that (a bad
 * state included) is logged, with the container's {@code [id]} once it is known; it is closed when
 * the run ends, and {@link LogFile#close} may be called again by the process edge before it halts.
 */
public final class Hook {
  static final String NAME = "oci-chroot-hook";

  /**
   * The native backend. A class rather than a method reference: on JDK 17 the first lambda or
   * method reference of a process bootstraps java.lang.invoke and spins classes no archive holds
   * (~10 ms), so prestart and poststop use none (see the README's start-up section).
   */
  private static final Supplier<Syscalls> NATIVE =
      new Supplier<>() {
        @Override
        public Syscalls get() {
          return SyscallsFactory.create();
        }
      };

  private final Supplier<Syscalls> syscalls;
  private Syscalls sys;

  Hook(Supplier<Syscalls> syscalls) {
    this.syscalls = syscalls;
  }

  /** The syscall backend, created on first use: --help and --version never load it. */
  private Syscalls sys() {
    if (sys == null) {
      sys = syscalls.get();
    }
    return sys;
  }

  /** Runs the hook with the native backend, created on first use (opening the configuration). */
  public static int run(InputStream stdin, PrintStream stdout, PrintStream stderr, String... args) {
    return new Hook(NATIVE).execute(stdin, stdout, stderr, args);
  }

  int execute(InputStream stdin, PrintStream stdout, PrintStream stderr, String... args) {
    if (Operations.handles(args)) {
      return new Operations(this::sys).run(stdout, stderr, args);
    }
    ContainerId id = null;
    try {
      CommandLine line = CommandLine.parse(args);
      switch (line.command()) {
        case HELP -> {
          stdout.print(CommandLine.USAGE);
          return ExitCode.OK;
        }
        case VERSION -> {
          stdout.println(NAME + " " + version());
          return ExitCode.OK;
        }
        case NRI -> {
          // Loaded here only: the plugin's classes stay off prestart's path and out of its archive.
          return NriCommand.run(this::sys, stderr, args);
        }
        case INJECT -> {
          BundleInjector.forLauncher(sys(), line.configExplicit() ? line.config() : null)
              .apply(line.bundle(), line.remove());
          stdout.println(
              (line.remove() ? "removed the hook from " : "added the hook to ")
                  + line.bundle().resolve("config.json"));
          return ExitCode.OK;
        }
        case HOOK -> {
          sys();
          Config config = ConfigReader.read(sys(), line.config(), line.configExplicit());
          LogFile.open(sys(), config.logFile(), config.logLevel());
          ContainerState state = StateReader.read(stdin);
          id = state.id();
          Stage stage = line.stage() != null ? line.stage() : Stage.fromStatus(state.status());
          LoggerFactory.getLogger(Hook.class)
              .info("[{}] {}: bundle {}", state.id(), stage.specName(), state.bundle());
          if (stage.setup()) {
            setup(config, state);
          } else {
            teardown(config, state);
          }
          return ExitCode.OK;
        }
        default -> throw new IllegalStateException(line.command().name());
      }
    } catch (UsageException e) {
      return fail(stderr, id, ExitCode.USAGE, e.getMessage() + " (see " + NAME + " --help)");
    } catch (BadInputException e) {
      return fail(stderr, id, ExitCode.USAGE, e.getMessage());
    } catch (ChrootException e) {
      return fail(stderr, id, e.badInput() ? ExitCode.USAGE : ExitCode.FAILED, e.getMessage());
    } catch (PlanException e) {
      return fail(stderr, id, ExitCode.FAILED, e.getMessage());
    } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError e) {
      // Every input is bounded so that the last two cannot happen; if one does, it is one line too.
      return fail(stderr, id, ExitCode.FAILED, "internal error: " + e);
    } finally {
      LogFile.close();
    }
  }

  private void setup(Config config, ContainerState state) throws PlanException, ChrootException {
    MountPlan plan = Planner.plan(state, config);
    requireSysAdmin("prestart");
    Syscalls sys = sys();
    try (StateDirectory dir = StateDirectory.prepare(config.stateDir(), sys)) {
      new ChrootBuilder(sys)
          .build(
              new Layout(dir.path(), state.id()),
              plan,
              state.bundle(),
              PrestartOrigin.of(state.pid(), version(), ProcessStart.host()));
    }
  }

  private void teardown(Config config, ContainerState state) throws ChrootException {
    try (StateDirectory dir = StateDirectory.openExisting(config.stateDir(), sys())) {
      if (dir == null) {
        LoggerFactory.getLogger(Hook.class)
            .info(
                "[{}] poststop: no state directory {}, nothing to do",
                state.id(),
                config.stateDir());
        return;
      }
      requireSysAdmin("poststop");
      new ChrootRemover(sys(), "poststop")
          .remove(new Layout(dir.path(), state.id()), state.bundle());
    }
  }

  private static void requireSysAdmin(String stage) throws ChrootException {
    if (!Capabilities.effective(Capabilities.CAP_SYS_ADMIN)) {
      throw new ChrootException(
          stage + " needs CAP_SYS_ADMIN to mount; run the hook as root from the runtime");
    }
  }

  private static int fail(PrintStream stderr, ContainerId id, int code, String message) {
    String line = Printable.line(String.valueOf(message));
    if (id == null) {
      LoggerFactory.getLogger(Hook.class).error("{}", line);
    } else {
      LoggerFactory.getLogger(Hook.class).error("[{}] {}", id, line);
    }
    stderr.println(NAME + ": " + line);
    return code;
  }

  static String version() {
    String version = Hook.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }
}
