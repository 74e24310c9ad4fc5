package org.ocichroothook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/** Runs the hook in-process through its real entry point and captures what it prints. */
public final class InProcess {
  private final Hook hook;

  public InProcess(java.util.function.Supplier<Syscalls> syscalls) {
    this.hook = new Hook(syscalls);
  }

  /** With the real native backend. */
  public static InProcess real() {
    return new InProcess(SyscallsFactory::create);
  }

  /** Runs the hook as a runtime would run the launcher: the result is that of a command. */
  public Command.Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        hook.execute(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    return new Command.Result(
        command(args),
        code,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code stage} (prestart or poststop) with {@code dir}'s configuration on a state of that
   * stage's status ("creating" or "stopped"), as the integration tests' runtime would.
   */
  public Command.Result stage(
      TestStateDir dir, String stage, String id, String bundle, String platform) {
    String status = stage.equals("poststop") ? "stopped" : "creating";
    return run(
        TestStateDir.state(id, status, bundle, platform),
        "--config",
        dir.config().toString(),
        stage);
  }

  /** How a result of an in-process run names what ran. */
  static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add("oci-chroot-hook (in-process)");
    command.addAll(List.of(args));
    return command;
  }
}
