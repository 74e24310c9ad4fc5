package org.ocichroothook.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command with a bounded time, capturing its output. */
final class Command {
  private Command() {}

  record Result(List<String> command, int code, String stdout, String stderr) {
    Result ok() {
      if (code != 0) {
        throw new AssertionError(this.toString());
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + code + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  static Result run(List<String> command, Map<String, String> env, Path dir) {
    try {
      Path out = Files.createTempFile("e2e-out", ".txt");
      Path err = Files.createTempFile("e2e-err", ".txt");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(new File("/dev/null"));
        if (dir != null) {
          pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("timed out after 180 s: " + String.join(" ", command));
        }
        return new Result(command, p.exitValue(), Files.readString(out).trim(), Files.readString(err).trim());
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
