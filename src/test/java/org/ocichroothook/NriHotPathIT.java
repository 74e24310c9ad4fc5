package org.ocichroothook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NRI plugin stays off the hook's hot path: an installed poststop (the stage a training run
 * also exercises for the start-up archive) loads no class of {@code org.ocichroothook.nri}, and the
 * launcher runs {@code nri} with the operator's class path, without the archive.
 */
class NriHotPathIT {
  @TempDir Path base;

  @Test
  void poststopLoadsNoneOfThePluginsClasses() throws Exception {
    // Failsafe runs it after `package`; surefire (-Dtest=Nri*) runs before there is a jar to
    // install.
    assertNotNull(System.getProperty("hook.launcher"), "an integration test: run by failsafe");
    Installation installation = Installation.create(base.resolve("prefix"));
    Path log = base.resolve("class-load.log");
    installation.writeLauncherConf("-Xlog:class+load=info:file=" + log);
    Path config = base.resolve("config.json");
    TestJson.write(
        config,
        TestJson.object()
            .put("stateDir", base.resolve("state").toString())
            .put("logFile", base.resolve("hook.log").toString()));
    String state = TestJson.text(TestJson.state("n1", "stopped", "/nonexistent"));
    Command.Result r =
        Command.inEmptyEnvironment(
            List.of(installation.launcher().toString(), "--config", config.toString()),
            null,
            state);
    assertEquals(0, r.code(), r.toString());
    String loaded = Files.readString(log);
    assertTrue(loaded.contains("org.ocichroothook.Hook "), "the log lists the hook's classes");
    assertFalse(loaded.contains("org.ocichroothook.nri."), loaded);
  }

  @Test
  void theLauncherGivesNriTheOperatorsClassPath() throws Exception {
    String launcher = Files.readString(HookLauncherIT.CHECKOUT_LAUNCHER);
    assertTrue(
        launcher.contains(
            "    inject | list | gc | doctor | nri) cp=(\"${INJECT_CLASS_PATH[@]}\") ARCHIVE=; break ;;"),
        launcher);
  }
}
