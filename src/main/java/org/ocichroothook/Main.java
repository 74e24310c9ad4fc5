package org.ocichroothook;

import org.ocichroothook.log.LogFile;

/** The process edge: everything else happens in {@link Hook#run}, which tests call in-process. */
public final class Main {
  private Main() {}

  public static void main(String... args) {
    exit(Hook.run(System.in, System.out, System.err, args));
  }

  /**
   * Flushes what the process wrote, then ends it with {@link Runtime#halt}: System.exit's shutdown
   * sequence loads ~68 classes that no start-up archive holds (~8 ms per invocation, measured in
   * issue 7's study). The hook registers no shutdown hooks and keeps nothing open but its output
   * and the log, which {@link Hook} closes before it returns; closing it again here is a no-op that
   * covers a path that ends before Hook's own close.
   */
  static void exit(int code) {
    System.out.flush();
    System.err.flush();
    LogFile.flush();
    LogFile.close();
    Runtime.getRuntime().halt(code);
  }
}
