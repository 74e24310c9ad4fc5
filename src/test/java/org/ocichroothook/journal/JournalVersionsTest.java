package org.ocichroothook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ocichroothook.Fixtures;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.state.ContainerId;

/** Journal version 2 (prestart's, with the origin) and version 1 (0.1.0's), read and written. */
class JournalVersionsTest {
  /** Byte for byte what 0.1.0 (commit 90c65e5) wrote for a finished kvm chroot (UpgradeIT). */
  static final String V1 =
      new String(
          Fixtures.read(Fixtures.dir().resolve("journal/v1-0.1.0-kvm.json")),
          StandardCharsets.UTF_8);

  private static final List<Journal.Entry> MOUNTS =
      List.of(
          new Journal.Entry(MountKind.TMPFS, Path.of("")),
          new Journal.Entry(MountKind.PROC, Path.of("proc")),
          new Journal.Entry(MountKind.EXECUTABLE, Path.of("runsc")),
          new Journal.Entry(MountKind.DEVICE, Path.of("dev/kvm")),
          new Journal.Entry(MountKind.SYSFS, Path.of("sys/kernel/iommu_groups/0")));

  private static final Journal.Origin ORIGIN =
      new Journal.Origin(4242, 98765432109L, Instant.parse("2026-11-30T12:00:00.5Z"), "0.2.0");

  @Test
  void version3RecordsTheMountsAsAnOrderedArrayAndTheOrigin() throws Exception {
    Journal j = new Journal(new ContainerId("c1"), Path.of("/srv/b"), "kvm", MOUNTS, true, ORIGIN);
    String bytes = new String(JournalFile.encode(j), StandardCharsets.UTF_8);
    assertEquals(
        "{\"version\":3,\"id\":\"c1\",\"bundle\":\"/srv/b\",\"platform\":\"kvm\",\"complete\":true,"
            + "\"mounts\":[\"tmpfs:\",\"proc:proc\",\"executable:runsc\",\"device:dev/kvm\","
            + "\"sysfs:sys/kernel/iommu_groups/0\"],"
            + "\"pid\":4242,\"pidStartTime\":\"98765432109\","
            + "\"created\":\"2026-11-30T12:00:00.500Z\",\"hookVersion\":\"0.2.0\"}\n",
        bytes);
    Journal back = JournalFile.decode(bytes.getBytes(StandardCharsets.UTF_8), "j");
    assertEquals(j, back);
    assertEquals(3, back.version());
  }

  @Test
  void version2AsThePreviousBuildWroteItIsRead() throws Exception {
    String v2 =
        "{\"version\":2,\"id\":\"c1\",\"bundle\":\"/srv/b\",\"platform\":\"kvm\",\"complete\":true,"
            + "\"mounts\":[\"proc:proc\",\"executable:runsc\",\"device:dev/kvm\"],"
            + "\"pid\":4242,\"pidStartTime\":\"98765432109\","
            + "\"created\":\"2026-11-30T12:00:00.500Z\",\"hookVersion\":\"0.2.0\"}\n";
    Journal back = JournalFile.decode(v2.getBytes(StandardCharsets.UTF_8), "j");
    assertEquals(
        List.of(
            new Journal.Entry(MountKind.PROC, Path.of("proc")),
            new Journal.Entry(MountKind.EXECUTABLE, Path.of("runsc")),
            new Journal.Entry(MountKind.DEVICE, Path.of("dev/kvm"))),
        back.mounts());
    assertEquals(ORIGIN, back.origin());
    assertEquals(2, back.version(), "list reports the version read");
    assertEquals(v2, new String(JournalFile.encode(back), StandardCharsets.UTF_8));
  }

  @Test
  void onlyTheTmpfsRecordsTheRootItselfAndNoTargetLeavesTheChroot() {
    for (String mounts :
        List.of(
            "[\"tmpfs:proc\"]",
            "[\"proc:\"]",
            "[\"sysfs:/sys/x\"]",
            "[\"device:../x\"]",
            "[\"device:dev/../../x\"]")) {
      String json =
          "{\"version\":3,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"mounts\":"
              + mounts
              + ",\"created\":\"2026-11-30T12:00:00Z\",\"hookVersion\":\"x\"}";
      BadInputException e =
          assertThrows(
              BadInputException.class,
              () -> JournalFile.decode(json.getBytes(StandardCharsets.UTF_8), "j"),
              mounts);
      assertTrue(e.getMessage().startsWith("j: mount target escapes the chroot: "), e.getMessage());
    }
  }

  @Test
  void version2KeepsAnOrderThatNoObjectKeyOrderWouldGive() throws Exception {
    List<Journal.Entry> reversed = List.of(MOUNTS.get(2), MOUNTS.get(0), MOUNTS.get(1));
    Journal j = new Journal(new ContainerId("c1"), Path.of("/b"), "kvm", reversed, false, ORIGIN);
    assertEquals(reversed, JournalFile.decode(JournalFile.encode(j), "j").mounts());
  }

  @Test
  void version2WithoutAPid() throws Exception {
    Journal.Origin none = new Journal.Origin(null, null, Instant.EPOCH, "0.2.0");
    Journal j = new Journal(new ContainerId("c1"), Path.of("/b"), "ptrace", List.of(), true, none);
    String bytes = new String(JournalFile.encode(j), StandardCharsets.UTF_8);
    assertTrue(!bytes.contains("pid"), bytes);
    assertEquals(j, JournalFile.decode(JournalFile.encode(j), "j"));
  }

  @Test
  void version1AsZeroOneZeroWroteItIsReadAndWrittenBackUnchanged() throws Exception {
    Journal j = JournalFile.decode(V1.getBytes(StandardCharsets.UTF_8), "j");
    assertEquals(1, j.version());
    assertNull(j.origin());
    assertEquals(MOUNTS.subList(1, 4), j.mounts());
    assertTrue(j.complete());
    assertEquals(V1, new String(JournalFile.encode(j), StandardCharsets.UTF_8));
  }

  @Test
  void refusesWhatNeitherVersionWrites() {
    String head = "{\"version\":2,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",";
    String tail = "\"created\":\"2026-11-30T12:00:00Z\",\"hookVersion\":\"x\"}";
    for (String bad :
        List.of(
            head + "\"mounts\":{\"proc\":\"proc\"}," + tail,
            head + "\"mounts\":[\"proc\"]," + tail,
            head + "\"mounts\":[\"proc:/etc\"]," + tail,
            head + "\"mounts\":[\"proc:\"]," + tail,
            head + "\"mounts\":[\"bind:x\"]," + tail,
            head + "\"pid\":5," + tail,
            head + "\"pid\":0,\"pidStartTime\":\"1\"," + tail,
            head + "\"pid\":5,\"pidStartTime\":\"x\"," + tail,
            head + "\"created\":\"yesterday\",\"hookVersion\":\"x\"}",
            head + "\"hookVersion\":\"x\"}",
            "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"pid\":5}",
            "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"mounts\":[]}",
            "{\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"mounts\":[]}",
            "{\"version\":3,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\"}",
            "{\"version\":4,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"mounts\":[],"
                + tail)) {
      assertThrows(
          BadInputException.class,
          () -> JournalFile.decode(bad.getBytes(StandardCharsets.UTF_8), "j"),
          bad);
    }
  }
}
