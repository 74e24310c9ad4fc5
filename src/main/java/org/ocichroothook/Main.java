package org.ocichroothook;

/** The process edge: everything else happens in {@link Hook#run}, which tests call in-process. */
public final class Main {
  private Main() {}

  public static void main(String... args) {
    exit(Hook.run(System.in, System.out, System.err, args));
  }

  /**
   * Flushes what the process wrote, then ends it with {@link Runtime#halt}: System.exit's shutdown
   * sequence loads ~68 classes that no start-up archive holds (~8 ms per invocation, measured in
   * issue 7's study). The hook registers no shutdown hooks and keeps nothing open but its output,
   * and the log is closed by {@link Hook} before it returns.
   */
  static void exit(int code) {
    System.out.flush();
    System.err.flush();
    // The log binding's static flush goes here, the one call site (issue 7: the project's own
    // SLF4JServiceProvider replaces slf4j-simple; until then LogSink closes the log in Hook).
    Runtime.getRuntime().halt(code);
  }
}
