package org.ocichroothook.nri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.config.Config;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * {@code oci-chroot-hook nri} through the checkout's launcher, as systemd starts it: it registers
 * with a fake containerd, adds the launcher as the hook, and SIGTERM (systemd's stop) ends it
 * cleanly with its last line in the log.
 */
@Timeout(120)
class NriLauncherIT {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("hook.launcher", "hook")).toAbsolutePath();

  @TempDir Path dir;

  @Test
  void registersAnswersAndEndsOnSigterm() throws Exception {
    // Failsafe runs it after `package` and names the launcher; surefire (-Dtest=Nri*) runs before
    // there is a jar for the launcher to start.
    assertNotNull(System.getProperty("hook.launcher"), "an integration test: run by failsafe");
    Path log = dir.resolve("hook.log");
    Path config = dir.resolve("config.json");
    Files.writeString(
        config, "{\"stateDir\":\"" + dir.resolve("state") + "\",\"logFile\":\"" + log + "\"}");
    Path socket = dir.resolve("nri.sock");
    try (NriPluginTest.FakeContainerd containerd = NriPluginTest.FakeContainerd.listen(socket)) {
      Process plugin =
          new ProcessBuilder(
                  LAUNCHER.toString(),
                  "nri",
                  "--config",
                  config.toString(),
                  "--socket",
                  socket.toString(),
                  "--status",
                  dir.resolve("status").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("output").toFile())
              .start();
      try {
        NriPluginTest.FakeContainerd.Conn conn = containerd.accept(60_000);
        if (conn == null) {
          fail("the plugin did not connect: " + Files.readString(dir.resolve("output")));
        }
        conn.expectRegistration();
        Ttrpc.Response configured =
            conn.call(
                1,
                "Configure",
                Files.readAllBytes(NriCodecTest.dir().resolve("configure-request.bin")));
        assertEquals(0, configured.code(), configured.message());
        PluginStatus status = PluginStatus.read(SyscallsFactory.create(), dir.resolve("status"));
        assertTrue(status != null, "no status: " + Files.readString(log));
        assertEquals(plugin.pid(), status.pid());
        assertTrue(status.connected());
        ProtoWriter pod = new ProtoWriter().string(1, "p").string(2, "pod").string(4, "ns");
        ProtoWriter container =
            new ProtoWriter()
                .string(1, "c1")
                .string(3, "app")
                .map(6, Map.of(Config.GVISOR_ANNOTATION, "kvm"));
        Ttrpc.Response created =
            conn.call(
                3,
                "CreateContainer",
                new ProtoWriter().message(1, pod).message(2, container).toByteArray());
        assertEquals(0, created.code(), created.message());
        HookSpec expected =
            new HookSpec(
                LAUNCHER.toString(),
                List.of("oci-chroot-hook", "--config", config.toString()),
                List.of(NriCommand.PATH_ENV),
                NriCommand.TIMEOUT_SECONDS);
        NriPluginTest.Adjustment a = NriPluginTest.Adjustment.decode(created.payload());
        assertEquals(List.of(expected), a.prestart());
        assertEquals(List.of(expected), a.poststop());
      } finally {
        plugin.destroy(); // SIGTERM
        assertTrue(plugin.waitFor(30, TimeUnit.SECONDS), "ends on SIGTERM");
      }
      int code = plugin.exitValue();
      assertTrue(
          code == 0 || code == 143,
          "exit " + code + ": " + Files.readString(dir.resolve("output")));
      assertEquals("", Files.readString(dir.resolve("output")), "nothing on stdout or stderr");
      String text = Files.readString(log);
      assertTrue(
          text.contains("INFO Session - [c1] CreateContainer \"app\" in pod ns/pod: platform kvm"),
          text);
      assertTrue(text.contains("INFO NriPlugin - NRI plugin stopped"), text);
      assertFalse(Files.exists(dir.resolve("status")), "a stopped plugin leaves no status");
    }
  }
}
