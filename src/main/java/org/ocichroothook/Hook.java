package org.ocichroothook;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.ocichroothook.chroot.ChrootBuilder;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.chroot.ChrootRemover;
import org.ocichroothook.chroot.Layout;
import org.ocichroothook.chroot.StateDirectory;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.inject.BundleInjector;
import org.ocichroothook.json.BadInputException;
import org.ocichroothook.ops.Operations;
import org.ocichroothook.ops.PrestartOrigin;
import org.ocichroothook.ops.ProcessStart;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.PlanException;
import org.ocichroothook.plan.Planner;
import org.ocichroothook.state.ContainerState;
import org.ocichroothook.state.StateReader;
import org.ocichroothook.sys.Capabilities;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;
import org.slf4j.LoggerFactory;

/**
 * The hook's real entry point: parses the command line, reads the configuration and the state, and
 * runs one stage. It returns an exit code and writes at most one line to {@code stderr}, because
 * runc quotes a failing hook's stderr in its own error message and that is all the operator sees.
 */
public final class Hook {
  static final String NAME = "oci-chroot-hook";

  private final Supplier<Syscalls> syscalls;

  Hook(Supplier<Syscalls> syscalls) {
    this.syscalls = syscalls;
  }

  /** Runs the hook with the native backend, created only once a stage needs it. */
  public static int run(InputStream stdin, PrintStream stdout, PrintStream stderr, String... args) {
    return new Hook(SyscallsFactory::create).execute(stdin, stdout, stderr, args);
  }

  int execute(InputStream stdin, PrintStream stdout, PrintStream stderr, String... args) {
    if (Operations.handles(args)) {
      return new Operations(syscalls, LogSink::open).run(stdout, stderr, args);
    }
    LogSink log = null;
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
        case INJECT -> {
          BundleInjector.forLauncher(line.configExplicit() ? line.config() : null)
              .apply(line.bundle(), line.remove());
          stdout.println(
              (line.remove() ? "removed the hook from " : "added the hook to ")
                  + line.bundle().resolve("config.json"));
          return ExitCode.OK;
        }
        case HOOK -> {
          Config config = ConfigReader.read(line.config(), line.configExplicit());
          ContainerState state = StateReader.read(stdin);
          Stage stage = line.stage() != null ? line.stage() : Stage.fromStatus(state.status());
          log = LogSink.open(config);
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
      return fail(stderr, log, ExitCode.USAGE, e.getMessage() + " (see " + NAME + " --help)");
    } catch (BadInputException e) {
      return fail(stderr, log, ExitCode.USAGE, e.getMessage());
    } catch (PlanException | ChrootException e) {
      return fail(stderr, log, ExitCode.FAILED, e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      return fail(stderr, log, ExitCode.FAILED, "internal error: " + e);
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }

  private void setup(Config config, ContainerState state) throws PlanException, ChrootException {
    MountPlan plan = Planner.plan(state, config);
    requireSysAdmin("prestart");
    Syscalls sys = syscalls.get();
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
    try (StateDirectory dir = StateDirectory.openExisting(config.stateDir())) {
      if (dir == null) {
        LoggerFactory.getLogger(Hook.class)
            .info(
                "[{}] poststop: no state directory {}, nothing to do",
                state.id(),
                config.stateDir());
        return;
      }
      requireSysAdmin("poststop");
      new ChrootRemover(syscalls.get()).remove(new Layout(dir.path(), state.id()), state.bundle());
    }
  }

  private static void requireSysAdmin(String stage) throws ChrootException {
    if (!Capabilities.effective(Capabilities.CAP_SYS_ADMIN)) {
      throw new ChrootException(
          stage + " needs CAP_SYS_ADMIN to mount; run the hook as root from the runtime");
    }
  }

  private static int fail(PrintStream stderr, LogSink log, int code, String message) {
    String line = message.replace('\n', ' ');
    if (log != null) {
      LoggerFactory.getLogger(Hook.class).error(line);
    }
    stderr.println(NAME + ": " + line);
    return code;
  }

  static String version() {
    String version = Hook.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }
}
