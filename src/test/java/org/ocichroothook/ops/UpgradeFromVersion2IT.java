package org.ocichroothook.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ocichroothook.Command;
import org.ocichroothook.InProcess;
import org.ocichroothook.TestStateDir;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * A chroot as the build before the sealed root made it (a plain directory root, a read-write
 * procfs, the executable and /dev/kvm bound, a version-2 journal) is listed, torn down by this
 * poststop, and rebuilt sealed by this prestart. {@link UpgradeIT} does the same for 0.1.0's
 * version-1 chroots, built by 0.1.0 itself.
 */
class UpgradeFromVersion2IT {
  private static final String BUNDLE = "/srv/b";

  @RegisterExtension final TestStateDir dir = TestStateDir.perTest();
  private final InProcess hook = InProcess.real();
  private final Syscalls sys = SyscallsFactory.create();

  /** Exactly what the version-2 build left for a kvm container: its mounts and its journal. */
  private void previousBuildsChroot(String id) throws Exception {
    Path container = Files.createDirectory(dir.containerDir(id));
    Files.setPosixFilePermissions(container, PosixFilePermissions.fromString("rwx--x--x"));
    Path root = Files.createDirectory(dir.root(id));
    Path proc = Files.createDirectory(root.resolve("proc"));
    Path runsc = Files.createFile(root.resolve("runsc"));
    Path kvm = Files.createFile(Files.createDirectory(root.resolve("dev")).resolve("kvm"));
    sys.mount("proc", proc.toString(), "proc", 0xe, null);
    sys.mount(dir.executable().toString(), runsc.toString(), null, MountFlags.MS_BIND, null);
    sys.mount(null, runsc.toString(), null, 0x1027, null);
    sys.mount("/dev/kvm", kvm.toString(), null, MountFlags.MS_BIND, null);
    sys.mount(null, kvm.toString(), null, 0x102a, null);
    Files.writeString(
        container.resolve("journal.json"),
        "{\"version\":2,\"id\":\""
            + id
            + "\",\"bundle\":\""
            + BUNDLE
            + "\",\"platform\":\"kvm\",\"complete\":true,"
            + "\"mounts\":[\"proc:proc\",\"executable:runsc\",\"device:dev/kvm\"],"
            + "\"created\":\"2026-11-30T12:00:00.000Z\",\"hookVersion\":\"0.1.0\"}\n");
  }

  @Test
  void aVersion2ChrootIsListedAndTornDown() throws Exception {
    String before = TestStateDir.mountinfo();
    previousBuildsChroot("c1");
    assertEquals(3, MountTable.read().atOrBelow(dir.containerDir("c1")).size());

    Command.Result list = hook.run("", "--config", dir.config().toString(), "list", "--json");
    assertEquals(0, list.code(), list.stderr());
    JsonNode c1 = new ObjectMapper().readTree(list.stdout()).get(0);
    assertEquals(2, c1.get("journalVersion").asInt());
    assertEquals(3, c1.get("mounted").asInt());

    Command.Result r =
        hook.run(
            TestStateDir.state("c1", "stopped", BUNDLE, "kvm"),
            "--config",
            dir.config().toString(),
            "poststop");
    assertEquals(0, r.code(), r.stderr());
    assertEquals(before, TestStateDir.mountinfo());
    assertFalse(Files.exists(dir.containerDir("c1")));
  }

  @Test
  void aPrestartOnAVersion2ChrootBuildsItAgainSealed() throws Exception {
    String before = TestStateDir.mountinfo();
    previousBuildsChroot("c1");
    Command.Result r =
        hook.run(
            TestStateDir.state("c1", "creating", BUNDLE, "kvm"),
            "--config",
            dir.config().toString(),
            "prestart");
    assertEquals(0, r.code(), r.stderr());
    List<MountEntry> mounts = MountTable.read().atOrBelow(dir.containerDir("c1"));
    assertEquals(
        List.of(
            dir.root("c1"),
            dir.root("c1").resolve("proc"),
            dir.root("c1").resolve("runsc"),
            dir.root("c1").resolve("dev/kvm")),
        mounts.stream().map(MountEntry::mountPoint).toList());
    assertTrue(mounts.get(0).optionList().contains("ro"), mounts.get(0).options());
    assertTrue(
        Files.readString(dir.containerDir("c1").resolve("journal.json"))
            .startsWith("{\"version\":3,"));
    assertEquals(
        0,
        hook.run(
                TestStateDir.state("c1", "stopped", BUNDLE, "kvm"),
                "--config",
                dir.config().toString(),
                "poststop")
            .code());
    assertEquals(before, TestStateDir.mountinfo());
  }
}
