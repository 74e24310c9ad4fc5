package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.Fixtures;

/**
 * doctor's reading of {@code hooks_dir}: each {@code spec-fixtures/runtime-config/*.conf} against
 * its golden {@code .hooks_dir} file (one directory a line, "unset" when the file sets none), then
 * how podman and CRI-O merge their files.
 */
class HooksDirsTest {
  @Test
  void everyConfigFileReadsAsItsGoldenFile() throws Exception {
    Path dir = Fixtures.dir().resolve("runtime-config");
    List<Path> confs;
    try (Stream<Path> s = Files.list(dir)) {
      confs = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertEquals(6, confs.size(), confs.toString());
    for (Path conf : confs) {
      String table = conf.getFileName().toString().startsWith("crio") ? "crio.runtime" : "engine";
      List<String> got =
          TomlStrings.array(Files.readString(conf, StandardCharsets.UTF_8), table, "hooks_dir");
      String golden = Files.readString(Path.of(conf + ".hooks_dir"));
      String shown = got == null ? "unset\n" : String.join("\n", got) + "\n";
      assertEquals(golden, shown, conf.toString());
    }
  }

  @Test
  void podmanReadsUsrShareThenEtcThenDropInsAndTheLastSettingWins(@TempDir Path root)
      throws Exception {
    assertEquals(
        new HooksDirs(List.of(HooksDirs.DEFAULT), "default"), HooksDirs.podman(null, root));
    Path usr = Files.createDirectories(root.resolve("usr/share/containers"));
    Files.copy(conf("containers-debian.conf"), usr.resolve("containers.conf"));
    assertEquals("default", HooksDirs.podman(null, root).source(), "all commented out");
    Path etc = Files.createDirectories(root.resolve("etc/containers/containers.conf.d"));
    Files.copy(conf("containers-multiline.conf"), etc.getParent().resolve("containers.conf"));
    Files.copy(conf("containers-elsewhere.conf"), etc.resolve("50-hooks.conf"));
    Files.writeString(etc.resolve("10-other.conf"), "[engine]\nhooks_dir = [\"/first\"]\n");
    Files.writeString(etc.resolve("99-unrelated.conf"), "[engine]\nevents_logger = \"file\"\n");
    assertEquals(
        new HooksDirs(List.of(Path.of("/opt/hooks.d")), etc.resolve("50-hooks.conf").toString()),
        HooksDirs.podman(null, root));
    Path env = root.resolve("only.conf");
    Files.writeString(env, "[engine]\nhooks_dir = [\"/from/env\"]\n");
    assertEquals(
        List.of(Path.of("/from/env")),
        HooksDirs.podman(env.toString(), root).dirs(),
        "CONTAINERS_CONF replaces the system files");
    Files.writeString(env, "[engine]\n");
    assertEquals(List.of(HooksDirs.DEFAULT), HooksDirs.podman(env.toString(), root).dirs());
  }

  @Test
  void crioReadsItsFileThenItsDropIns(@TempDir Path root) throws Exception {
    assertEquals(List.of(HooksDirs.DEFAULT), HooksDirs.crio(root).dirs());
    Path d = Files.createDirectories(root.resolve("etc/crio/crio.conf.d"));
    Files.copy(conf("crio.conf"), d.getParent().resolve("crio.conf"));
    assertEquals(List.of(HooksDirs.DEFAULT), HooksDirs.crio(root).dirs());
    Files.copy(conf("crio-dropin.conf"), d.resolve("50-oci-chroot-hook.conf"));
    List<Path> expected = new ArrayList<>();
    expected.add(Path.of("/etc/containers/oci/hooks.d"));
    expected.add(HooksDirs.DEFAULT);
    assertEquals(expected, HooksDirs.crio(root).dirs());
  }

  private static Path conf(String name) {
    return Fixtures.dir().resolve("runtime-config").resolve(name);
  }
}
