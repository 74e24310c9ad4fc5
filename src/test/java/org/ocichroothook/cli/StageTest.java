package org.ocichroothook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StageTest {

  @Test
  void bothPrestartNamesSetUp() throws Exception {
    assertTrue(Stage.parse("prestart").setup());
    assertTrue(Stage.parse("createRuntime").setup());
    assertEquals(Stage.POSTSTOP, Stage.parse("poststop"));
  }

  @Test
  void stagesInsideTheContainerAreRefusedWithAReason() {
    for (String inside : new String[] {"createContainer", "startContainer"}) {
      UsageException e = assertThrows(UsageException.class, () -> Stage.parse(inside));
      assertTrue(e.getMessage().contains("inside the container's namespaces"), e.getMessage());
    }
    assertThrows(UsageException.class, () -> Stage.parse("poststart"));
    assertThrows(UsageException.class, () -> Stage.parse("PRESTART"));
  }

  @Test
  void statusImpliesTheStage() throws Exception {
    assertEquals(Stage.PRESTART, Stage.fromStatus("creating"));
    assertEquals(Stage.PRESTART, Stage.fromStatus("created"));
    assertEquals(Stage.POSTSTOP, Stage.fromStatus("stopped"));
    for (String other : new String[] {"running", "paused", "", null}) {
      assertThrows(UsageException.class, () -> Stage.fromStatus(other), String.valueOf(other));
    }
  }

  @Test
  void commandLine() throws Exception {
    CommandLine none = CommandLine.parse();
    assertEquals(CommandLine.Command.HOOK, none.command());
    assertEquals(null, none.stage());
    assertEquals(Path.of("/etc/oci-chroot-hook/config.json"), none.config());
    CommandLine c = CommandLine.parse("--config", "/etc/x.json", "poststop");
    assertEquals(Stage.POSTSTOP, c.stage());
    assertEquals(Path.of("/etc/x.json"), c.config());
    assertTrue(c.configExplicit());
    assertEquals(Path.of("/y.json"), CommandLine.parse("--config=/y.json").config());
    CommandLine inject = CommandLine.parse("inject", "--remove", "/srv/b");
    assertEquals(CommandLine.Command.INJECT, inject.command());
    assertTrue(inject.remove());
    assertEquals(Path.of("/srv/b"), inject.bundle());
    assertThrows(UsageException.class, () -> CommandLine.parse("--config"));
    assertThrows(UsageException.class, () -> CommandLine.parse("--bogus"));
    assertThrows(UsageException.class, () -> CommandLine.parse("prestart", "poststop"));
    assertThrows(UsageException.class, () -> CommandLine.parse("inject"));
    assertThrows(UsageException.class, () -> CommandLine.parse("--remove", "prestart"));
  }
}
