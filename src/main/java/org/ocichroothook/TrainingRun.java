package org.ocichroothook;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * One prestart and one poststop in a single JVM, so the JVM can record the classes both stages use
 * into a start-up archive (an AOT cache on JDK 25+, an AppCDS archive before). A JDK 25 AOT cache
 * loads every class it holds at each start, so this run touches nothing the hot path does not: its
 * files (configuration and the two states) are written by {@code build-archive}, each stage reads
 * its state from {@code System.in} (set to the state's file) as {@link Main} does, and it ends as
 * {@link Main} does. It runs as root in a private mount namespace, on a state directory of its own,
 * with a class path without inject's jars. Exits non-zero if either stage fails, and then no
 * archive is kept.
 */
public final class TrainingRun {
  private TrainingRun() {}

  /** Arguments: CONFIG PRESTART_STATE POSTSTOP_STATE (files). */
  public static void main(String... args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: TrainingRun CONFIG PRESTART_STATE POSTSTOP_STATE");
      Main.exit(ExitCode.USAGE);
    }
    int code = stage(args[0], args[1]);
    if (code == ExitCode.OK) {
      code = stage(args[0], args[2]);
    }
    Main.exit(code);
  }

  /**
   * One stage, with its state as {@code System.in}, as {@link Main} passes it: the checks made on
   * the process's real stdin (StateReader's closed-stdin test) run here too, so their classes are
   * in the archive and a hook process opens no jar at all.
   */
  private static int stage(String config, String stateFile) throws IOException {
    InputStream stdin = System.in;
    try (InputStream in = new FileInputStream(stateFile)) {
      System.setIn(in);
      return Hook.run(System.in, System.out, System.err, "--config", config);
    } finally {
      System.setIn(stdin);
    }
  }
}
