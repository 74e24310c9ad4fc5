package org.ocichroothook.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void escapesEveryControlCharacterAndKeepsTheRest() {
    for (char c = 0; c < 0x20; c++) {
      String shown = Printable.line("a" + c + "b");
      assertTrue(shown.startsWith("a\\") && shown.endsWith("b"), (int) c + ": " + shown);
    }
    assertEquals(
        "\\n\\r\\t\\x1b[2J\\x7f\\x9b\\u2028", Printable.line("\n\r\t\u001b[2J\u007f\u009b\u2028"));
    assertEquals("/srv/bündel \\ \"x\" 容器", Printable.line("/srv/bündel \\ \"x\" 容器"));
    assertEquals("null", Printable.quote(null));
    assertEquals("\"a\\nb\"", Printable.quote("a\nb"));
  }

  @Test
  void boundsValuesAndLines() {
    String value = Printable.quote("x".repeat(10_000));
    assertEquals(
        "\""
            + "x".repeat(Printable.MAX_VALUE)
            + "...("
            + (10_000 - Printable.MAX_VALUE)
            + " more characters)\"",
        value);
    assertTrue(Printable.line("y".repeat(1_000_000)).length() < Printable.MAX_LINE + 40);
    assertEquals("abc", Printable.bounded("abc", 3));
  }

  @Test
  void neverCutsASurrogatePairInHalf() {
    String shown = Printable.bounded("ab\uD83D\uDE00", 3);
    assertFalse(Character.isHighSurrogate(shown.charAt(1 + 1)), shown);
    assertTrue(shown.startsWith("ab..."), shown);
  }
}
