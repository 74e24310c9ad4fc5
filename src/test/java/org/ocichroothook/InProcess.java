package org.ocichroothook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

  public record Result(int code, String stdout, String stderr) {
    /** Exactly one line on stderr, as runtimes quote it. */
    public boolean oneStderrLine() {
      return stderr.endsWith("\n") && stderr.indexOf('\n') == stderr.length() - 1;
    }
  }

  public Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        hook.execute(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
