package org.ocichroothook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ocichroothook.Fixtures;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

class ConfigReaderTest {
  private static final Syscalls SYS = SyscallsFactory.create();

  @Test
  void defaultsAreGvisorsLayout() {
    Config d = Config.defaults();
    assertEquals(Path.of("/run/oci-chroot-hook"), d.stateDir());
    assertEquals(Path.of("/usr/bin/runsc"), d.executable());
    assertEquals("runsc", d.executableTarget());
    assertEquals(
        List.of("dev.gvisor.flag.platform", "org.ocichroothook.platform"), d.platformAnnotations());
    assertEquals(List.of("kvm", "ptrace", "systrap"), List.copyOf(d.platforms().keySet()));
    assertEquals(new DeviceSet(List.of(Path.of("/dev/kvm")), List.of()), d.platforms().get("kvm"));
    assertEquals(DeviceSet.EMPTY, d.platforms().get("ptrace"));
    assertEquals(List.of(), d.files());
    assertEquals("ptrace", d.defaultPlatform());
  }

  @Test
  void missingDefaultFileMeansDefaultsButANamedOneMustExist(@TempDir Path dir) throws Exception {
    assertEquals(Config.defaults(), ConfigReader.read(SYS, dir.resolve("absent.json"), false));
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> ConfigReader.read(SYS, dir.resolve("absent.json"), true));
    assertTrue(e.getMessage().endsWith("absent.json: no such file"), e.getMessage());
  }

  @Test
  void theShippedExampleConfigIsValidAndEqualsTheDefaults() throws Exception {
    Path example = Fixtures.dir().resolve("config/default.json");
    assertEquals(Config.defaults(), ConfigReader.read(SYS, example, true));
  }

  @Test
  void readsEveryKey() throws Exception {
    Config c =
        parse(
            """
            {"stateDir":"/run/x","executable":"/opt/runsc","executableTarget":"sandbox",
             "platformAnnotations":["k1"],"platforms":{"a":["/dev/a","/dev/b/c"],"b":[]},
             "defaultPlatform":"b","logFile":"/var/log/x.log","logLevel":"debug"}
            """);
    assertEquals(Path.of("/run/x"), c.stateDir());
    assertEquals(Path.of("/opt/runsc"), c.executable());
    assertEquals("sandbox", c.executableTarget());
    assertEquals(List.of("k1"), c.platformAnnotations());
    assertEquals(
        new DeviceSet(List.of(Path.of("/dev/a"), Path.of("/dev/b/c")), List.of()),
        c.platforms().get("a"));
    assertEquals("b", c.defaultPlatform());
    assertEquals(Path.of("/var/log/x.log"), c.logFile());
    assertEquals("debug", c.logLevel());
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("{\"statedir\":\"/x\"}", "unknown field \"statedir\""),
        Arguments.of("{\"stateDir\":\"run/x\"}", "\"stateDir\" must be an absolute path"),
        Arguments.of("{\"stateDir\":\"/run/../x\"}", "\"stateDir\" must be a normalized path"),
        Arguments.of("{\"stateDir\":\"/\"}", "\"stateDir\" must not be /"),
        Arguments.of("{\"stateDir\":7}", "field \"stateDir\" must be a string"),
        Arguments.of("{\"executable\":\"runsc\"}", "\"executable\" must be an absolute path"),
        Arguments.of(
            "{\"executableTarget\":\"a/b\"}", "\"executableTarget\" must be one file name"),
        Arguments.of("{\"executableTarget\":\"..\"}", "\"executableTarget\" must be one file name"),
        Arguments.of(
            "{\"executableTarget\":\"proc\"}", "\"executableTarget\" must be one file name"),
        Arguments.of(
            "{\"platformAnnotations\":\"k\"}", "field \"platformAnnotations\" must be an array"),
        Arguments.of("{\"platformAnnotations\":[\"\"]}", "must not hold an empty key"),
        Arguments.of(
            "{\"platforms\":{\"KVM!\":[]},\"defaultPlatform\":\"KVM!\"}",
            "invalid platform name \"KVM!\""),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/etc/passwd\"]}}",
            "\"platforms.x\": \"/etc/passwd\" is neither a device under /dev nor a directory under"
                + " /sys"),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/dev\"]}}",
            "\"platforms.x\": \"/dev\" is neither a device under /dev nor a directory under /sys"),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/sys\"]}}",
            "\"platforms.x\": \"/sys\" is neither a device under /dev nor a directory under /sys"),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/sys/../etc\"]}}",
            "\"platforms.x\" must be a normalized path, got \"/sys/../etc\""),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/sys/kernel/iommu_groups/0\",\"/dev/kvm\","
                + "\"/sys/kernel/iommu_groups/0\"]}}",
            "\"platforms.x\": directory \"/sys/kernel/iommu_groups/0\" is listed twice"),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/dev/kvm\",\"/dev/kvm\"]}}",
            "\"platforms.x\": device \"/dev/kvm\" is listed twice"),
        Arguments.of(
            "{\"platforms\":{\"x\":{\"sysfs\":[\"/sys/kernel\",\"/sys/kernel/mm\"]}}}",
            "\"platforms.x\": directory \"/sys/kernel/mm\" is inside \"/sys/kernel\", also listed"),
        Arguments.of(
            "{\"executableTarget\":\"sys\"}", "\"executableTarget\" must be one file name"),
        Arguments.of("{\"executable\":7}", "field \"executable\" must be a string, got a number"),
        Arguments.of(
            "{\"platforms\":{\"x\":{\"devices\":[\"/dev/a\"],\"sysfs\":[\"/dev/b\"]}}}",
            "\"platforms.x\": \"/dev/b\" is listed as a directory but is not under /sys"),
        Arguments.of(
            "{\"platforms\":{\"x\":{\"devices\":[\"/sys/a\"]}}}",
            "\"platforms.x\": \"/sys/a\" is listed as a device but is not under /dev"),
        Arguments.of(
            "{\"platforms\":{\"x\":{\"devices\":[],\"dirs\":[]}}}",
            "unknown field \"platforms.x.dirs\""),
        Arguments.of(
            "{\"platforms\":{\"x\":{\"sysfs\":[1]}}}",
            "field \"platforms.x.sysfs[0]\" must be a string"),
        Arguments.of("{\"platforms\":[]}", "field \"platforms\" must be an object of device sets"),
        Arguments.of("{\"platforms\":{\"x\":[\"/dev/a\\u0000\"]}}", "\"platforms.x\": not a path"),
        Arguments.of("{\"files\":\"/etc/x\"}", "field \"files\" must be an array of paths or"),
        Arguments.of("{\"files\":[7]}", "field \"files[0]\" must be a string, got a number"),
        Arguments.of("{\"files\":[\"etc/x\"]}", "\"files\" must be an absolute path"),
        Arguments.of("{\"files\":[\"/etc/../x\"]}", "\"files\" must be a normalized path"),
        Arguments.of("{\"files\":[\"/\"]}", "\"files\": \"/\" is where the chroot mounts"),
        Arguments.of(
            "{\"files\":[\"/proc/x\"]}", "\"files\": \"/proc/x\" is where the chroot mounts"),
        Arguments.of(
            "{\"files\":[\"/dev/x\"]}", "\"files\": \"/dev/x\" is where the chroot mounts"),
        Arguments.of(
            "{\"files\":[\"/sys/x\"]}", "\"files\": \"/sys/x\" is where the chroot mounts"),
        Arguments.of(
            "{\"files\":[\"/runsc/x\"]}",
            "\"files\": \"/runsc/x\" is where the chroot mounts something (/, /proc, /dev, /sys"
                + " or /runsc)"),
        Arguments.of(
            "{\"files\":[\"/etc/a\",{\"path\":\"/etc/a\"}]}",
            "\"files\": \"/etc/a\" is listed twice"),
        Arguments.of(
            "{\"files\":[\"/etc/a/b\",\"/etc/a\"]}",
            "\"files\": \"/etc/a\" would be the directory of \"/etc/a/b\""),
        Arguments.of("{\"files\":[{\"optional\":true}]}", "field \"files[0]\" needs a \"path\""),
        Arguments.of(
            "{\"files\":[{\"path\":\"/etc/a\",\"mode\":1}]}", "unknown field \"files[0].mode\""),
        Arguments.of(
            "{\"files\":[{\"path\":\"/etc/a\",\"optional\":\"yes\"}]}",
            "field \"files[0].optional\" must be a boolean"),
        Arguments.of(
            "{\"files\":[{\"path\":\"/etc/a\",\"source\":\"b\"}]}",
            "\"files\" must be an absolute path, got \"b\""),
        Arguments.of("{\"files\":[\"/etc/a\\u0000\"]}", "\"files[0]\": not a path"),
        Arguments.of(
            "{\"files\":["
                + String.join(",", java.util.Collections.nCopies(65, "\"/etc/x\""))
                + "]}",
            "\"files\" holds 65 entries, more than 64"),
        Arguments.of(
            "{\"platforms\":{\"x\":[\"/dev/../etc/shadow\"]}}", "must be a normalized path"),
        Arguments.of("{\"platforms\":{\"x\":[3]}}", "field \"platforms.x[0]\" must be a string"),
        Arguments.of(
            "{\"platforms\":{\"x\":[]}}",
            "\"defaultPlatform\" \"ptrace\" is not one of \"platforms\" [x]"),
        Arguments.of("{\"defaultPlatform\":\"gpu\"}", "\"defaultPlatform\" \"gpu\" is not one of"),
        Arguments.of("{\"logLevel\":\"verbose\"}", "\"logLevel\" must be one of"),
        Arguments.of("{\"logFile\":\"x.log\"}", "\"logFile\" must be an absolute path"),
        Arguments.of("{", "malformed JSON"),
        Arguments.of("[]", "expected a JSON object"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void refusesBadConfigNamingTheKey(String json, String expected) {
    BadInputException e = assertThrows(BadInputException.class, () -> parse(json));
    assertTrue(e.getMessage().startsWith("config test.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void readsTheNewKeysAndTheBothShapesOfAFile() throws Exception {
    Config c =
        parse(
            """
            {"executable": null,
             "platforms": {"tpu": ["/dev/vfio/0", "/sys/kernel/iommu_groups/0"],
                           "rdma": {"devices": ["/dev/infiniband/uverbs0"],
                                    "sysfs": ["/sys/class/infiniband/mlx5_0/ports"]},
                           "none": {}},
             "defaultPlatform": "tpu",
             "files": ["/etc/hosts",
                       {"path": "/etc/localtime", "source": "/usr/share/zoneinfo/UTC",
                        "optional": true},
                       {"path": "/etc/resolv.conf"}]}
            """);
    assertEquals(null, c.executable());
    assertEquals(
        new DeviceSet(
            List.of(Path.of("/dev/vfio/0")), List.of(Path.of("/sys/kernel/iommu_groups/0"))),
        c.platforms().get("tpu"));
    assertEquals(
        new DeviceSet(
            List.of(Path.of("/dev/infiniband/uverbs0")),
            List.of(Path.of("/sys/class/infiniband/mlx5_0/ports"))),
        c.platforms().get("rdma"));
    assertEquals(DeviceSet.EMPTY, c.platforms().get("none"));
    assertEquals(
        List.of(
            new ConfiguredFile(Path.of("/etc/hosts"), Path.of("/etc/hosts"), false),
            new ConfiguredFile(Path.of("/etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"), true),
            new ConfiguredFile(Path.of("/etc/resolv.conf"), Path.of("/etc/resolv.conf"), false)),
        c.files());
  }

  @Test
  void aDeviceSetKeepsDevicesUnderDevAndDirectoriesUnderSys() {
    Config d = Config.defaults();
    for (var c :
        List.of(
            List.of(new DeviceSet(List.of(Path.of("/sys/x")), List.of()), "device"),
            List.of(new DeviceSet(List.of(), List.of(Path.of("/dev/x"))), "directory"))) {
      DeviceSet set = (DeviceSet) c.get(0);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new Config(
                      d.stateDir(),
                      d.executable(),
                      d.executableTarget(),
                      d.platformAnnotations(),
                      java.util.Map.of("ptrace", set),
                      "ptrace",
                      d.logFile(),
                      d.logLevel(),
                      d.files()));
      String path = set.devices().isEmpty() ? "/dev/x" : "/sys/x";
      String prefix = set.devices().isEmpty() ? "/sys" : "/dev";
      assertEquals(
          "\"platforms.ptrace\": \""
              + path
              + "\" is listed as a "
              + c.get(1)
              + " but is not under "
              + prefix,
          e.getMessage());
    }
  }

  @Test
  void theGvisorLikeExampleLoads() throws Exception {
    Config c = ConfigReader.read(SYS, Fixtures.dir().resolve("config/gvisor-like.json"), true);
    assertEquals(null, c.executable());
    assertEquals("systrap", c.defaultPlatform());
    assertEquals(Path.of("/etc/localtime"), c.files().get(0).path());
    assertTrue(c.files().get(0).optional());
  }

  @Test
  void readsAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.json");
    Files.writeString(file, "{\"logLevel\":\"warn\"}");
    assertEquals("warn", ConfigReader.read(SYS, file, true).logLevel());
  }

  private static Config parse(String json) throws BadInputException {
    return ConfigReader.parse(json.getBytes(StandardCharsets.UTF_8), "config test.json");
  }
}
