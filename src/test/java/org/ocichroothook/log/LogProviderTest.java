package org.ocichroothook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.sys.SyscallsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The project's slf4j binding, found through META-INF/services as a plain class path finds it. */
class LogProviderTest {
  @TempDir Path dir;

  @AfterEach
  void closeLog() {
    LogFile.close();
  }

  @Test
  void slf4jBindsToTheProjectsProvider() {
    assertInstanceOf(LogProvider.class, LoggerFactory.getILoggerFactory());
  }

  @Test
  void appendsOneLinePerCallInTheLogFormatAtTheConfiguredLevel() throws Exception {
    Path file = dir.resolve("hook.log");
    Files.writeString(file, "earlier line\n");
    Logger log = LoggerFactory.getLogger("org.ocichroothook.chroot.ChrootBuilder");
    log.info("before the log is open: {}", "dropped");
    assertTrue(LogFile.open(SyscallsFactory.create(), file, "info"));
    log.debug("below the level");
    log.info("[{}] prestart: {}", "c1", "line\nbreak");
    log.warn("with a cause", new IllegalStateException("boom"));
    LogFile.flush();
    LogFile.close();
    log.error("after close: dropped");
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertEquals("earlier line", lines.get(0), "appended, never truncated");
    assertTrue(
        lines
            .get(1)
            .matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO ChrootBuilder - "
                    + "\\[c1\\] prestart: line\\\\nbreak"),
        lines.get(1));
    assertTrue(
        lines
            .get(2)
            .endsWith(" WARN ChrootBuilder - with a cause (java.lang.IllegalStateException: boom)"),
        lines.get(2));
  }

  @Test
  void offOpensNothing() {
    assertFalse(LogFile.open(SyscallsFactory.create(), dir.resolve("hook.log"), "off"));
    assertFalse(Files.exists(dir.resolve("hook.log")));
  }
}
