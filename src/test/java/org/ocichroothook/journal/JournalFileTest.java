package org.ocichroothook.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.plan.DeviceBind;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.MountStep;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.ReadOnlyBind;
import org.ocichroothook.state.ContainerId;

class JournalFileTest {
  private static final MountPlan PLAN =
      new MountPlan(
          new ContainerId("c1"),
          "kvm",
          List.of(
              new ProcMount(),
              new ReadOnlyBind(Path.of("/usr/bin/runsc"), Path.of("runsc")),
              new DeviceBind(Path.of("/dev/kvm"), Path.of("dev/kvm"))));

  @Test
  void roundTripsAndRecordsIntentsInOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("journal.json");
    Journal j = Journal.start(PLAN, Path.of("/srv/b"), null);
    for (MountStep m : PLAN.mounts()) {
      j = j.withIntent(m);
      JournalFile.write(file, j);
      assertEquals(j, JournalFile.read(file));
      assertFalse(JournalFile.read(file).realizes(PLAN), "not complete yet");
    }
    JournalFile.write(file, j.completed());
    Journal done = JournalFile.read(file);
    assertTrue(done.realizes(PLAN));
    assertEquals(
        "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/srv/b\",\"platform\":\"kvm\",\"complete\":true,"
            + "\"mounts\":{\"proc\":\"proc\",\"runsc\":\"executable\",\"dev/kvm\":\"device\"}}\n",
        Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(Files.exists(dir.resolve("journal.json.tmp")), "no temp file left");
  }

  @Test
  void aJournalOfAnotherPlanDoesNotRealizeThisOne() {
    Journal j =
        new Journal(
            new ContainerId("c1"),
            Path.of("/b"),
            "ptrace",
            List.of(new Journal.Entry(MountKind.PROC, Path.of("proc"))),
            true);
    assertFalse(j.realizes(PLAN));
  }

  @Test
  void absentJournalReadsAsNone(@TempDir Path dir) throws Exception {
    assertNull(JournalFile.read(dir.resolve("journal.json")));
  }

  @Test
  void refusesJournalsThatPointOutsideTheChroot() {
    for (String target : List.of("/etc", "../x", "a/../../x")) {
      String json =
          "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\",\"complete\":true,"
              + "\"mounts\":{\""
              + target
              + "\":\"proc\"}}";
      BadInputException e =
          assertThrows(
              BadInputException.class,
              () -> JournalFile.decode(json.getBytes(StandardCharsets.UTF_8), "j"));
      assertTrue(e.getMessage().contains("escapes the chroot"), e.getMessage());
    }
    assertThrows(
        BadInputException.class,
        () ->
            JournalFile.decode(
                "{\"version\":2,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\"}"
                    .getBytes(StandardCharsets.UTF_8),
                "j"));
    assertThrows(
        BadInputException.class,
        () ->
            JournalFile.decode(
                ("{\"version\":1,\"id\":\"c1\",\"bundle\":\"/b\",\"platform\":\"kvm\","
                        + "\"mounts\":{\"x\":\"tmpfs\"}}")
                    .getBytes(StandardCharsets.UTF_8),
                "j"));
  }

  @Test
  void encodingIsStable() throws Exception {
    Journal j = Journal.start(PLAN, Path.of("/b"), null).withIntent(PLAN.mounts().get(0));
    assertArrayEquals(
        JournalFile.encode(j), JournalFile.encode(JournalFile.decode(JournalFile.encode(j), "j")));
  }
}
