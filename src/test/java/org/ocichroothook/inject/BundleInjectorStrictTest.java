package org.ocichroothook.inject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Fixtures;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * Issue 8 items 7, 8, 9 and 12 for {@code inject}: the config.json is read bounded and strictly,
 * and its replacement is made without a fixed temporary name.
 */
class BundleInjectorStrictTest {
  private static final Path LAUNCHER = Path.of("/usr/local/bin/oci-chroot-hook");

  @TempDir Path bundle;
  private Path config;
  private final BundleInjector injector =
      new BundleInjector(SyscallsFactory.create(), LAUNCHER, null);

  @BeforeEach
  void copyRuncSpec() throws Exception {
    config = bundle.resolve("config.json");
    Files.copy(Fixtures.dir().resolve("bundle/runc-spec.config.json"), config);
  }

  @Test
  void repeatedKeysAreRefusedAndTheFileIsUntouched() throws Exception {
    String spec = Files.readString(config);
    for (String json :
        new String[] {
          spec.replaceFirst("\\{", "{\"ociVersion\":\"0.0.1\","),
          "{\"ociVersion\":\"1.0.2\",\"ociVersio\\u006e\":\"1.0.0\"}",
        }) {
      Files.writeString(config, json);
      BadInputException e =
          assertThrows(BadInputException.class, () -> injector.apply(bundle, false));
      assertTrue(e.getMessage().contains(": duplicate key \""), e.getMessage());
      assertEquals(json, Files.readString(config));
    }
  }

  @Test
  void invalidUtf8IsRefused() throws Exception {
    byte[] bytes = "{\"ociVersion\":\"1.0.\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(config, bytes);
    BadInputException e =
        assertThrows(BadInputException.class, () -> injector.apply(bundle, false));
    assertTrue(e.getMessage().contains("invalid UTF-8"), e.getMessage());
    assertArrayEquals(bytes, Files.readAllBytes(config));
  }

  /** 15 MiB of small objects was an OutOfMemoryError with the launcher's 64 MiB heap. */
  @Test
  void aHugeFileIsRefusedUnread() throws Exception {
    writeSmallObjects(config, 15 << 20);
    BadInputException e =
        assertThrows(BadInputException.class, () -> injector.apply(bundle, false));
    assertTrue(e.getMessage().endsWith("config.json: larger than 1048576 bytes"), e.getMessage());
  }

  /** Under the byte limit, the token limit keeps the tree small. */
  @Test
  void tooManyTokensAreRefused() throws Exception {
    writeSmallObjects(config, (1 << 20) - 100);
    BadInputException e =
        assertThrows(BadInputException.class, () -> injector.apply(bundle, false));
    assertTrue(e.getMessage().contains("Token count"), e.getMessage());
  }

  @Test
  void aFileAtTheOldFixedTemporaryNameIsNeitherRemovedNorUsed() throws Exception {
    Path planted = bundle.resolve(".config.json.oci-chroot-hook.tmp");
    Path victim = Files.writeString(bundle.resolve("victim"), "precious");
    Files.createSymbolicLink(planted, victim);
    injector.apply(bundle, false);
    assertTrue(Files.isSymbolicLink(planted), "the planted link is still there");
    assertEquals("precious", Files.readString(victim));
    try (Stream<Path> files = Files.list(bundle)) {
      assertEquals(
          List.of(".config.json.oci-chroot-hook.tmp", "config.json", "victim"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary file left");
    }
  }

  static void writeSmallObjects(Path file, int size) throws Exception {
    StringBuilder json = new StringBuilder(size).append("{\"ociVersion\":\"1.0.2\",\"x\":[{}");
    while (json.length() < size - 3) {
      json.append(",{}");
    }
    Files.writeString(file, json.append("]}"));
  }
}
