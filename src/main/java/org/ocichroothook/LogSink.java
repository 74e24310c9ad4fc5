package org.ocichroothook;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.ocichroothook.config.Config;

/**
 * Points slf4j-simple at the configured log file, appending. Runtimes discard a hook's output (crun
 * sends it to /dev/null), so the file is where an operator finds what the hook did.
 *
 * <p>slf4j-simple's own {@code logFile} setting truncates the file each time a process starts,
 * which would keep only the last invocation. Instead it is told to write to {@code System.err},
 * looked up on every call, and {@code System.err} is pointed at an appending stream for the length
 * of one run; the caller's stderr, which the runtime shows, keeps only the one-line error. Each
 * line gets a UTC timestamp here rather than from slf4j-simple, whose date formatting is slow to
 * start.
 */
final class LogSink implements AutoCloseable {
  private final PrintStream saved;
  private final PrintStream file;

  private LogSink(PrintStream saved, PrintStream file) {
    this.saved = saved;
    this.file = file;
  }

  static LogSink open(Config config) {
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", config.logLevel());
    setDefault("org.slf4j.simpleLogger.showDateTime", "false");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    PrintStream file;
    try {
      file = new TimestampedStream(new FileOutputStream(config.logFile().toFile(), true));
    } catch (IOException e) {
      // A log that cannot be opened must not fail a container; the stderr line still tells.
      file = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    }
    PrintStream saved = System.err;
    System.setErr(file);
    return new LogSink(saved, file);
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** slf4j-simple writes each log line with one println(String): prefix it with the time. */
  private static final class TimestampedStream extends PrintStream {
    TimestampedStream(OutputStream out) {
      super(out, true, StandardCharsets.UTF_8);
    }

    @Override
    public void println(String line) {
      super.println(UtcTimestamp.format(System.currentTimeMillis()) + " " + line);
    }
  }

  @Override
  public void close() {
    System.setErr(saved);
    file.close();
  }
}
