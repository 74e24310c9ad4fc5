package org.ocichroothook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One reading of the command line for every command. */
class ArgumentsTest {
  private static List<String> read(String... args) throws UsageException {
    Arguments words = new Arguments(args);
    List<String> seen = new ArrayList<>();
    while (words.hasNext()) {
      String word = words.next();
      seen.add(words.value() == null ? word : word + "=" + words.value());
    }
    return seen;
  }

  @Test
  void anOptionTakesItsValueFromTheNextWordOrAfterTheEqualsSign() throws Exception {
    assertEquals(
        List.of("--config=/c.json", "gc", "--min-age=1h", "--dry-run", "--socket=/s"),
        read("--config", "/c.json", "gc", "--min-age=1h", "--dry-run", "--socket", "/s"));
    assertEquals(List.of("--config=--json"), read("--config", "--json"), "a value is a value");
  }

  @Test
  void aMissingOrEmptyValueIsAUsageErrorNamingWhatIsNeeded() {
    for (String[] args :
        new String[][] {
          {"--config"}, {"--config="}, {"list", "--config", ""}, {"--config=", "x"}
        }) {
      UsageException e = assertThrows(UsageException.class, () -> read(args));
      assertEquals("--config needs a FILE", e.getMessage());
    }
    assertEquals(
        "--min-age needs a DURATION (90s, 10m, 2h)",
        assertThrows(UsageException.class, () -> read("gc", "--min-age")).getMessage());
    assertEquals(
        "--socket needs a PATH",
        assertThrows(UsageException.class, () -> read("nri", "--socket=")).getMessage());
  }

  @Test
  void theCommandIsTheFirstWordThatIsNeitherAnOptionNorItsValue() {
    assertEquals("gc", Arguments.command("--min-age", "1h", "gc"));
    assertEquals("nri", Arguments.command("--config", "/c.json", "--socket", "/s", "nri"));
    assertEquals("list", Arguments.command("--config=/c.json", "--json", "list"));
    assertNull(Arguments.command("--config", "nri"), "nri is the configuration file here");
    assertNull(Arguments.command("--help", "list"));
    assertNull(Arguments.command());
  }

  @Test
  void otherWordsComeBackAsTheyAre() throws Exception {
    assertEquals(List.of("--bogus=1", "-x", "prestart"), read("--bogus=1", "-x", "prestart"));
    assertFalse(new Arguments().hasNext());
  }
}
