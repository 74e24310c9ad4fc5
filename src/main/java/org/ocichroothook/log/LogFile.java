package org.ocichroothook.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.ocichroothook.file.FileMode;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.text.Printable;
import org.slf4j.event.Level;

/**
 * The configured log file, where every {@link FileLogger} writes. Runtimes discard a hook's output
 * (crun sends it to /dev/null), so the file is where an operator finds what the hook did.
 *
 * <p>It is opened as soon as the configuration is read, with {@code O_NOFOLLOW|O_APPEND} and only
 * as a regular file ({@link RegularFile}): a symlink, a FIFO or a device is never written to or
 * blocked on. Each line is one {@code write(2)} to an {@code O_APPEND} descriptor, so lines of
 * concurrent hooks never interleave, and nothing is buffered: {@link #flush} has nothing left to do
 * and a process may end with {@code Runtime.halt} right after {@link #close}. Each line is {@code
 * 2026-11-30T17:01:49.061Z INFO Hook - message}, with every control character in the message
 * escaped ({@link Printable}), so that no logged value can forge a line.
 *
 * <p>A log that cannot be opened does not fail a container: the one stderr line still tells.
 */
public final class LogFile {
  private static final Set<PosixFilePermission> MODE = FileMode.permissions(0640);

  private static final Object LOCK = new Object();
  private static OutputStream out;
  private static volatile int threshold = Integer.MAX_VALUE;

  private LogFile() {}

  /**
   * Opens {@code file} for appending at {@code level} ({@code trace} ... {@code error}, or {@code
   * off}), closing any log this process had open. Returns whether the log is open.
   */
  public static boolean open(Syscalls sys, Path file, String level) {
    close();
    int wanted = threshold(level);
    if (wanted == Integer.MAX_VALUE) {
      return false;
    }
    try (RegularFile log = RegularFile.openOrCreate(sys, file, MODE)) {
      OutputStream stream = log.appender();
      synchronized (LOCK) {
        out = stream;
        threshold = wanted;
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Writes nothing further, for code that must not log (the log is off until opened). */
  static boolean enabled(Level level) {
    return level.toInt() >= threshold;
  }

  /** Appends one line, if the log is open at {@code level}. */
  static void write(Level level, String logger, String message) {
    if (!enabled(level)) {
      return;
    }
    String line =
        UtcTimestamp.format(System.currentTimeMillis())
            + " "
            + level
            + " "
            + logger
            + " - "
            + Printable.line(message)
            + "\n";
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    synchronized (LOCK) {
      if (out == null) {
        return;
      }
      try {
        out.write(bytes);
      } catch (IOException e) {
        // A full disk must not fail a container; the stderr line still tells.
      }
    }
  }

  /** Everything logged so far is in the file (each line is written at once: nothing to do). */
  public static void flush() {
    synchronized (LOCK) {
      if (out != null) {
        try {
          out.flush();
        } catch (IOException e) {
          // As in write.
        }
      }
    }
  }

  /** Closes the log; later log calls write nothing until it is opened again. Idempotent. */
  public static void close() {
    synchronized (LOCK) {
      threshold = Integer.MAX_VALUE;
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          // Every line was already written.
        }
        out = null;
      }
    }
  }

  private static int threshold(String level) {
    return switch (level) {
      case "trace" -> Level.TRACE.toInt();
      case "debug" -> Level.DEBUG.toInt();
      case "info" -> Level.INFO.toInt();
      case "warn" -> Level.WARN.toInt();
      case "error" -> Level.ERROR.toInt();
      default -> Integer.MAX_VALUE;
    };
  }
}
