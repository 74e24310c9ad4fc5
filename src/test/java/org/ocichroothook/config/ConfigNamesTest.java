package org.ocichroothook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Config checks platform names and the executable's target name with loops (a regular expression
 * would bootstrap java.lang.invoke in every hook process on JDK 17); they accept exactly what the
 * documented expressions match.
 */
class ConfigNamesTest {
  private static final String ALPHABET = "azAZ09_+.-/ :\u00e9\n";

  @Test
  void platformNames() {
    agree(Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}"), true);
  }

  @Test
  void targetNames() {
    agree(Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9_+.-]{0,254}"), false);
  }

  private static void agree(Pattern expected, boolean platform) {
    Random random = new Random(platform ? 1 : 2);
    for (int i = 0; i < 50_000; i++) {
      int length = random.nextInt(i % 10 == 0 ? 260 : 6);
      StringBuilder name = new StringBuilder();
      for (int j = 0; j < length; j++) {
        name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String value = name.toString();
      boolean actual = platform ? Config.platformName(value) : Config.targetName(value);
      assertEquals(expected.matcher(value).matches(), actual, value);
    }
  }
}
