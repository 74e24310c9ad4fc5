package org.ocichroothook.ops;

import java.util.Objects;

/**
 * One line of doctor's report.
 *
 * @param fix what to do, in words; null when nothing is to be done
 */
record Check(String name, Level level, String message, String fix) {
  enum Level {
    OK("✔"),
    /** Worth knowing, but the installation works: does not make doctor exit 1. */
    WARNING("⚠"),
    ERROR("✘");

    final String mark;

    Level(String mark) {
      this.mark = mark;
    }
  }

  Check {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
  }

  static Check ok(String name, String message) {
    return new Check(name, Level.OK, message, null);
  }

  static Check warning(String name, String message, String fix) {
    return new Check(name, Level.WARNING, message, fix);
  }

  static Check error(String name, String message, String fix) {
    return new Check(name, Level.ERROR, message, fix);
  }

  String line() {
    return level.mark + " " + message + (fix == null ? "" : " — " + fix);
  }
}
