package org.ocichroothook;

/** The hook's exit codes, as documented in the README and in {@code hook --help}. */
final class ExitCode {
  static final int OK = 0;

  /** The work failed: a mount, a teardown, an unknown platform, a missing capability. */
  static final int FAILED = 1;

  /** Bad usage or bad input: arguments, state JSON, configuration, config.json to inject. */
  static final int USAGE = 2;

  private ExitCode() {}
}
