package org.ocichroothook;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command with a bounded time, feeding its stdin and capturing its output. */
public final class Command {
  private Command() {}

  /**
   * What a run of the hook, or of any command, gave: one type whether it ran in this JVM ({@link
   * InProcess}) or as a process.
   */
  public record Result(List<String> command, int code, String stdout, String stderr) {
    /** Exactly one line on stderr, as runtimes quote it. */
    public boolean oneStderrLine() {
      return stderr.endsWith("\n") && stderr.indexOf('\n') == stderr.length() - 1;
    }

    public Result ok() {
      if (code != 0) {
        throw new AssertionError(this.toString());
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command)
          + " -> exit "
          + code
          + "\nstdout: "
          + stdout
          + "\nstderr: "
          + stderr;
    }
  }

  /** With this process's environment plus {@code env}, stdin empty; output trimmed. */
  public static Result run(List<String> command, Map<String, String> env, Path dir) {
    Result r = exec(command, env, false, dir, null);
    return new Result(command, r.code(), r.stdout().trim(), r.stderr().trim());
  }

  /**
   * As a runtime starts a hook: an empty environment and {@code stdin}; output exactly as written.
   */
  public static Result inEmptyEnvironment(List<String> command, Path dir, String stdin) {
    return exec(command, Map.of(), true, dir, stdin);
  }

  private static Result exec(
      List<String> command, Map<String, String> env, boolean clear, Path dir, String stdin) {
    try {
      Path out = Files.createTempFile("command-out", ".txt");
      Path err = Files.createTempFile("command-err", ".txt");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) {
          pb.redirectInput(new File("/dev/null"));
        }
        if (dir != null) {
          pb.directory(dir.toFile());
        }
        if (clear) {
          pb.environment().clear();
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
          try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("timed out after 180 s: " + String.join(" ", command));
        }
        return new Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
