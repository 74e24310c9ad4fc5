package org.ocichroothook.cli;

import java.util.Map;
import org.ocichroothook.text.Printable;

/**
 * A command line's words, one at a time, read the same way by every command (the hook's stages,
 * inject, list, gc, doctor, nri): an option that takes a value gets it from {@code --name=VALUE} or
 * from the next word, and never an empty one; every other word comes back as it is, for the command
 * to judge.
 */
public final class Arguments {
  /**
   * Every option that takes a value, of any command, with what its value is (for the message when
   * it is missing): so that any command can tell an option's value from its own command word.
   */
  public static final Map<String, String> VALUES =
      Map.of(
          "--config", "FILE",
          "--socket", "PATH",
          "--status", "FILE",
          "--min-age", "DURATION (90s, 10m, 2h)");

  private final String[] words;
  private int next;
  private String value;

  public Arguments(String... words) {
    this.words = words;
  }

  public boolean hasNext() {
    return next < words.length;
  }

  /**
   * The next word. For an option that takes a value that is its name ({@code --config} also for
   * {@code --config=FILE}), with the value in {@link #value()}.
   */
  public String next() throws UsageException {
    String word = words[next++];
    value = null;
    int equals = word.indexOf('=');
    if (word.startsWith("--") && equals > 0 && VALUES.containsKey(word.substring(0, equals))) {
      String name = word.substring(0, equals);
      value = nonEmpty(name, word.substring(equals + 1));
      return name;
    }
    if (VALUES.containsKey(word)) {
      if (next >= words.length) {
        throw needs(word);
      }
      value = nonEmpty(word, words[next++]);
    }
    return word;
  }

  /** The value of the option {@link #next()} returned last. */
  public String value() {
    return value;
  }

  /**
   * The command word: the first word that is neither an option nor an option's value; null when
   * there is none, or when {@code --help}, {@code -h} or {@code --version} comes first.
   */
  public static String command(String... words) {
    for (int i = 0; i < words.length; i++) {
      String word = words[i];
      if (word.equals("--help") || word.equals("-h") || word.equals("--version")) {
        return null;
      }
      if (VALUES.containsKey(word)) {
        i++;
      } else if (!word.startsWith("-")) {
        return word;
      }
    }
    return null;
  }

  /** The message for an option the command does not take. */
  public static UsageException unknown(String option) {
    return new UsageException("unknown option " + Printable.bounded(option, Printable.MAX_VALUE));
  }

  /** The message for a word the command does not take. */
  public static UsageException unexpected(String word) {
    return new UsageException("unexpected argument " + Printable.quote(word));
  }

  private static String nonEmpty(String option, String value) throws UsageException {
    if (value.isEmpty()) {
      throw needs(option);
    }
    return value;
  }

  private static UsageException needs(String option) {
    return new UsageException(option + " needs a " + VALUES.get(option));
  }
}
