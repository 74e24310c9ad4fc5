package org.ocichroothook.inject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Fixtures;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.sys.SyscallsFactory;

class BundleInjectorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LAUNCHER = Path.of("/usr/local/bin/oci-chroot-hook");

  @TempDir Path bundle;
  private Path config;
  private final BundleInjector injector =
      new BundleInjector(SyscallsFactory.create(), LAUNCHER, null);

  @BeforeEach
  void copyRuncSpec() throws Exception {
    config = bundle.resolve("config.json");
    Files.copy(Fixtures.dir().resolve("bundle/runc-spec.config.json"), config);
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
  }

  @Test
  void addsPrestartAndPoststopAndKeepsEverythingElse() throws Exception {
    JsonNode before = JSON.readTree(config.toFile());
    injector.apply(bundle, false);
    ObjectNode after = (ObjectNode) JSON.readTree(config.toFile());
    JsonNode hooks = after.remove("hooks");
    assertEquals(before, after, "only \"hooks\" changed");
    for (String stage : new String[] {"prestart", "poststop"}) {
      JsonNode entries = hooks.get(stage);
      assertEquals(1, entries.size());
      JsonNode e = entries.get(0);
      assertEquals(LAUNCHER.toString(), e.get("path").asText());
      assertEquals("[\"oci-chroot-hook\",\"" + stage + "\"]", e.get("args").toString());
      assertEquals("[\"" + BundleInjector.PATH_ENV + "\"]", e.get("env").toString());
      assertEquals(30, e.get("timeout").asInt());
    }
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
  }

  @Test
  void isIdempotentAndKeepsOtherHooks() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(config.toFile());
    root.putObject("hooks").putArray("prestart").addObject().put("path", "/usr/bin/other-hook");
    Files.write(config, JSON.writeValueAsBytes(root));
    injector.apply(bundle, false);
    byte[] once = Files.readAllBytes(config);
    injector.apply(bundle, false);
    assertArrayEquals(once, Files.readAllBytes(config), "a second inject changes nothing");
    JsonNode prestart = JSON.readTree(config.toFile()).get("hooks").get("prestart");
    assertEquals(2, prestart.size());
    assertEquals("/usr/bin/other-hook", prestart.get(0).get("path").asText());

    injector.apply(bundle, true);
    JsonNode removed = JSON.readTree(config.toFile());
    assertEquals(root, removed, "--remove restores the file's content");
    injector.apply(bundle, true);
    assertEquals(root, JSON.readTree(config.toFile()), "--remove twice is harmless");
  }

  @Test
  void removeTakesOutTheHooksObjectItAdded() throws Exception {
    JsonNode before = JSON.readTree(config.toFile());
    injector.apply(bundle, false);
    injector.apply(bundle, true);
    assertEquals(before, JSON.readTree(config.toFile()));
  }

  @Test
  void passesAnExplicitConfig() throws Exception {
    new BundleInjector(SyscallsFactory.create(), LAUNCHER, Path.of("/etc/och/alt.json"))
        .apply(bundle, false);
    JsonNode args = JSON.readTree(config.toFile()).get("hooks").get("poststop").get(0).get("args");
    assertEquals(
        "[\"oci-chroot-hook\",\"--config\",\"/etc/och/alt.json\",\"poststop\"]", args.toString());
  }

  @Test
  void badOrMissingConfigIsRefusedAndTheFileIsUntouched() throws Exception {
    for (String bad :
        new String[] {"{\"hooks\":", "[1,2]", "{\"hooks\":[]}", "{\"hooks\":{\"prestart\":{}}}"}) {
      Files.writeString(config, bad);
      assertThrows(BadInputException.class, () -> injector.apply(bundle, false), bad);
      assertEquals(bad, Files.readString(config));
      try (var files = Files.list(bundle)) {
        assertEquals(1, files.count(), "no temp file left for " + bad);
      }
    }
    Files.delete(config);
    BadInputException e =
        assertThrows(BadInputException.class, () -> injector.apply(bundle, false));
    assertTrue(e.getMessage().endsWith("config.json: no such file"), e.getMessage());
    assertFalse(Files.exists(config));
  }
}
