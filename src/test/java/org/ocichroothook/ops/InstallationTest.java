package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** launcher.conf's JAVA as bash reads it when the launcher sources the file. */
class InstallationTest {
  @Test
  void readsTheWordsInstallWritesAndQuotedOnes() {
    assertEquals("/usr/lib/jvm/j/bin/java", Installation.shellWord("/usr/lib/jvm/j/bin/java"));
    // printf %q, as ./install writes a prefix with a space
    assertEquals("/opt/my dir/bin/java", Installation.shellWord("/opt/my\\ dir/bin/java"));
    assertEquals("/opt/my dir/bin/java", Installation.shellWord("'/opt/my dir/bin/java'"));
    assertEquals("/opt/a\"b/java", Installation.shellWord("\"/opt/a\\\"b/java\""));
  }

  @Test
  void refusesWhatItCannotReadRatherThanGuess() {
    assertNull(Installation.shellWord("$'/opt/a\\nb/java'"));
    assertNull(Installation.shellWord("'/opt/unterminated"));
    assertNull(Installation.shellWord("/opt/two words"));
    assertNull(Installation.shellWord("$(evil)"));
  }
}
