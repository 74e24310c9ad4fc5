package org.ocichroothook.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.ocichroothook.text.Printable;

/**
 * A process's start time, field 22 of {@code /proc/PID/stat} (clock ticks after boot): with the pid
 * it names one process for the life of the system, so a pid the kernel reused for another process
 * is told apart from the container's.
 */
public final class ProcessStart {
  /** A stat line is a few hundred bytes; the command name in it is at most 16. */
  private static final int MAX_BYTES = 4096;

  private final Path proc;

  public ProcessStart(Path proc) {
    this.proc = proc;
  }

  public static ProcessStart host() {
    return new ProcessStart(Path.of("/proc"));
  }

  /** The start time of process {@code pid}, or null when there is no such process. */
  public Long of(int pid) throws IOException {
    byte[] bytes;
    try (InputStream in =
        Files.newInputStream(proc.resolve(Integer.toString(pid)).resolve("stat"))) {
      bytes = in.readNBytes(MAX_BYTES);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // A process that exits between open and read makes the read fail with ESRCH.
      if (!Files.exists(proc.resolve(Integer.toString(pid)))) {
        return null;
      }
      throw e;
    }
    return parse(new String(bytes, StandardCharsets.US_ASCII));
  }

  /**
   * Field 22 of a stat line. The command name (field 2) is in parentheses and may itself hold
   * spaces and parentheses, so fields are counted from the last {@code ')'}.
   */
  static long parse(String stat) throws IOException {
    int close = stat.lastIndexOf(')');
    String[] fields = close < 0 ? new String[0] : stat.substring(close + 1).trim().split(" ");
    // fields[0] is field 3 (the state): field 22 is fields[19].
    if (fields.length < 20) {
      throw new IOException("malformed /proc stat line: " + Printable.quote(String.valueOf(stat)));
    }
    try {
      return Long.parseLong(fields[19]);
    } catch (NumberFormatException e) {
      throw new IOException(
          "malformed start time in /proc stat line: " + Printable.quote(String.valueOf(stat)), e);
    }
  }
}
