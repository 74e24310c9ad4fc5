package org.ocichroothook;

/** The process edge: everything else happens in {@link Hook#run}, which tests call in-process. */
public final class Main {
  private Main() {}

  public static void main(String... args) {
    System.exit(Hook.run(System.in, System.out, System.err, args));
  }
}
