package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.ModeBits;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.log.LogFile;
import org.ocichroothook.plan.CopiedFile;
import org.ocichroothook.plan.DeviceBind;
import org.ocichroothook.plan.MountFlags;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.plan.ReadOnlyBind;
import org.ocichroothook.plan.Seal;
import org.ocichroothook.plan.Step;
import org.ocichroothook.plan.SysfsBind;
import org.ocichroothook.plan.TmpfsRoot;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallsFactory;

/** prestart's failure paths and rollback over {@link FakeKernel}, rootless. */
class ChrootBuilderTest {
  private static final Path BUNDLE = Path.of("/srv/bundles/demo");

  /** What prestart records for gc; Hook always passes one. */
  private static final Journal.Origin ORIGIN =
      new Journal.Origin(null, null, Instant.EPOCH, "test");

  @TempDir Path tmp;
  private Path base;
  private Layout layout;
  private Path executable;
  private final FakeKernel kernel = new FakeKernel();

  @BeforeEach
  void setUp() throws Exception {
    base = tmp.toRealPath();
    Files.createDirectories(base.resolve("state"));
    layout = new Layout(base.resolve("state"), new ContainerId("c1"));
    executable = Files.writeString(base.resolve("sandbox"), "#!/bin/sh\n");
  }

  private MountPlan plan(Step... extra) {
    List<Step> steps = new java.util.ArrayList<>();
    steps.add(new TmpfsRoot(1 << 20, 64));
    steps.add(new ProcMount());
    steps.add(new ReadOnlyBind(executable, Path.of("runsc")));
    steps.addAll(List.of(extra));
    steps.add(Seal.DEFAULT);
    return new MountPlan(layout.id(), "ptrace", steps);
  }

  private ChrootBuilder builder() {
    return new ChrootBuilder(kernel, kernel);
  }

  @AfterEach
  void closeLog() {
    LogFile.close();
  }

  /** Opens the hook's log file at info, as Hook does once the configuration is read. */
  private Path openLog() {
    Path log = base.resolve("hook.log");
    assertTrue(LogFile.open(SyscallsFactory.create(), log, "info"));
    return log;
  }

  /** The messages of the log's WARN lines, without their timestamps. */
  private static List<String> warnings(Path log) throws java.io.IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains(" WARN ChrootBuilder - "))
        .map(l -> l.substring(l.indexOf(" - ") + 3))
        .toList();
  }

  /** The uid that owns what this test makes: root's, or that of the user who runs it. */
  private int self() throws Exception {
    return (Integer) Files.getAttribute(base, "unix:uid");
  }

  @Test
  void buildsAndRemoves() throws Exception {
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        List.of(layout.root(), layout.root().resolve("proc"), layout.root().resolve("runsc")),
        kernel.mountPoints());
    List<String> mounts = kernel.calls().stream().filter(c -> c.startsWith("mount(")).toList();
    assertEquals(
        List.of(
            "mount(\"tmpfs\", \"/proc/self/fd/3\", \"tmpfs\", 0xe)",
            "mount(\"proc\", \"/proc/self/fd/3\", \"proc\", 0xf)",
            "mount(\"" + executable + "\", \"/proc/self/fd/3\", NULL, 0x1000)",
            "mount(NULL, \"/proc/self/fd/3\", NULL, 0x1027)",
            "mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f)"),
        mounts,
        "the root first, the seal last");
    assertTrue(kernel.mounts().get(0).readOnly(), "sealed");
    assertTrue(
        kernel.openDescriptors().isEmpty() && !kernel.mounts().get(1).readOnly(),
        "proc is read-only by its own flags, not by a remount");

    assertEquals(
        ChrootRemover.Outcome.REMOVED,
        new ChrootRemover(kernel, kernel, "poststop").remove(layout, BUNDLE));
    List<String> unmounted =
        kernel.calls().stream()
            .filter(c -> c.startsWith("umount2("))
            .map(c -> c.replaceFirst("umount2\\(\"/proc/self/fd/\\d+/([^\"]*)\".*", "$1"))
            .distinct()
            .toList();
    assertEquals(List.of("runsc", "proc", "root"), unmounted, "the root last");
    assertEquals(List.of(), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void everyIntentIsJournaledOnceBeforeTheFirstMount() throws Exception {
    Journal[] seen = new Journal[1];
    whileProcIsMounted(
        () -> {
          try {
            seen[0] = JournalFile.read(layout.journal());
          } catch (org.ocichroothook.input.BadInputException e) {
            throw new java.io.IOException(e);
          }
        });
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    Journal intended = Journal.intending(plan(), BUNDLE, ORIGIN);
    assertEquals(
        intended.mounts(),
        seen[0].mounts(),
        "while only the root is mounted, the journal already names every mount");
    assertFalse(seen[0].complete());
    Journal done = JournalFile.read(layout.journal());
    assertEquals(intended.completed().mounts(), done.mounts());
    assertTrue(done.complete());
  }

  @Test
  void aSecondPrestartOnACompleteSealedChrootChangesNothing() throws Exception {
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    List<String> before = kernel.calls();
    assertEquals(
        ChrootBuilder.Outcome.ALREADY_PRESENT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        List.of(),
        kernel.calls().subList(before.size(), kernel.calls().size()).stream()
            .filter(c -> c.startsWith("mount(") || c.startsWith("umount2("))
            .toList(),
        "a second prestart on a complete chroot mounts and unmounts nothing");
    assertTrue(kernel.mounts().get(0).readOnly());
  }

  @Test
  void aRootThatIsNoLongerReadOnlyIsBuiltAgain() throws Exception {
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    // Someone remounted the root read-write (only root can): the chroot is not what was vouched
    // for.
    kernel.mount(null, layout.root().toString(), null, MountFlags.MS_REMOUNT, null);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        List.of("[c1] prestart: " + layout.root() + " is not sealed read-only; building it again"),
        warnings(log));
    assertTrue(kernel.mounts().get(0).readOnly());
    assertEquals(3, kernel.mounts().size());
  }

  @Test
  void aSealThatStaysBusyIsRetriedThenRolledBack() throws Exception {
    kernel.fail("mount", args -> (Long) args.get(3) == Seal.FLAGS, Errnos.EBUSY);
    long start = System.nanoTime();
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(
        e.getMessage()
            .matches(
                "sealing "
                    + layout.root()
                    + " read-only failed 5 times: mount\\(NULL, \"/proc/self/fd/\\d+\", NULL,"
                    + " 0x102f\\): EBUSY \\(Device or resource busy\\) \\[target "
                    + layout.root()
                    + "\\]"),
        e.getMessage());
    assertEquals(
        5, kernel.calls().stream().filter(c -> c.endsWith("NULL, 0x102f)")).count(), "attempts");
    assertTrue(millis >= 10 + 20 + 40 + 80, "waited between attempts: " + millis + " ms");
    assertEquals(List.of(), kernel.mountPoints(), "rolled back");
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aSealThatIsBusyForAMomentSucceeds() throws Exception {
    int[] left = {2};
    kernel.fail("mount", args -> (Long) args.get(3) == Seal.FLAGS && left[0]-- > 0, Errnos.EBUSY);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    String busy =
        "[c1] prestart: mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f): EBUSY (Device or resource"
            + " busy) [target "
            + layout.root()
            + "]; retrying in ";
    assertEquals(List.of(busy + "10 ms", busy + "20 ms"), warnings(log));
    assertEquals(3, kernel.calls().stream().filter(c -> c.endsWith("NULL, 0x102f)")).count());
    assertTrue(kernel.mounts().get(0).readOnly());
  }

  @Test
  void aSealRefusedForAnotherReasonIsNotRetried() throws Exception {
    kernel.fail("mount", args -> (Long) args.get(3) == Seal.FLAGS, Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage().startsWith("sealing " + layout.root() + " read-only failed: mount(NULL"),
        e.getMessage());
    assertEquals(1, kernel.calls().stream().filter(c -> c.endsWith("NULL, 0x102f)")).count());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aRefusedProcfsFallsBackToAReadOnlyRecursiveBindOfProc() throws Exception {
    kernel.fail("mount", args -> "proc".equals(args.get(2)), Errnos.EPERM);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        List.of(
            "[c1] prestart: mount(\"proc\", \"/proc/self/fd/3\", \"proc\", 0xf): EPERM (Operation"
                + " not permitted) [target "
                + layout.root().resolve("proc")
                + "]; binding /proc instead"),
        warnings(log));
    List<String> mounts = kernel.calls().stream().filter(c -> c.startsWith("mount(")).toList();
    assertEquals(
        List.of(
            "mount(\"proc\", \"/proc/self/fd/3\", \"proc\", 0xf)",
            "mount(\"/proc\", \"/proc/self/fd/3\", NULL, 0x5000)",
            "mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f)"),
        mounts.subList(1, 4));
    assertTrue(kernel.mounts().get(1).readOnly());
    assertEquals("/proc", kernel.mounts().get(1).what());
    new ChrootRemover(kernel, kernel, "poststop").remove(layout, BUNDLE);
    assertEquals(List.of(), kernel.mountPoints());
  }

  @Test
  void aProcfsRefusedForAnotherReasonFails() throws Exception {
    kernel.fail("mount", args -> "proc".equals(args.get(2)), 19 /* ENODEV */);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage().startsWith("mount(\"proc\", \"/proc/self/fd/3\", \"proc\", 0xf): ENODEV"),
        e.getMessage());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aFallbackBindThatFailsTooIsNamed() throws Exception {
    kernel.fail("mount", args -> "proc".equals(args.get(2)), Errnos.EPERM);
    kernel.fail("mount", args -> "/proc".equals(args.get(0)), Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage().startsWith("mount(\"/proc\", \"/proc/self/fd/3\", NULL, 0x5000): EPERM"),
        e.getMessage());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aPlanWithoutTheExecutableBindsNone() throws Exception {
    MountPlan plan =
        new MountPlan(
            layout.id(),
            "ptrace",
            List.of(new TmpfsRoot(1 << 20, 64), new ProcMount(), Seal.DEFAULT));
    builder().build(layout, plan, BUNDLE, ORIGIN);
    assertEquals(List.of(layout.root(), layout.root().resolve("proc")), kernel.mountPoints());
    assertFalse(Files.exists(layout.root().resolve("runsc")));
  }

  @Test
  void aSysfsDirectoryIsBoundReadOnlyAtItsPath() throws Exception {
    Path sysDir = Files.createDirectories(base.resolve("sys/kernel/iommu_groups/0"));
    builder()
        .build(
            layout,
            plan(new SysfsBind(sysDir, Path.of("sys/kernel/iommu_groups/0"))),
            BUNDLE,
            ORIGIN);
    Path target = layout.root().resolve("sys/kernel/iommu_groups/0");
    assertEquals(target, kernel.mountPoints().get(3));
    assertTrue(kernel.mounts().get(3).readOnly());
    assertTrue(kernel.calls().contains("mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f)"));
    assertTrue(Files.isDirectory(layout.root().resolve("sys/kernel/iommu_groups")));
  }

  @Test
  void aSysfsSourceThatIsNoDirectoryOrMissingIsNamed() throws Exception {
    Path file = Files.writeString(base.resolve("not-a-dir"), "");
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(layout, plan(new SysfsBind(file, Path.of("sys/x"))), BUNDLE, ORIGIN));
    assertEquals("directory " + file + " for platform ptrace: not a directory", e.getMessage());
    Path missing = base.resolve("missing");
    e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(layout, plan(new SysfsBind(missing, Path.of("sys/x"))), BUNDLE, ORIGIN));
    assertEquals("directory " + missing + " for platform ptrace: no such file", e.getMessage());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aConfiguredFileIsCopiedReadOnlyBeforeTheSeal() throws Exception {
    Path source = Files.writeString(base.resolve("localtime"), "TZif2 UTC\n");
    kernel.realFile(source);
    builder()
        .build(
            layout, plan(new CopiedFile(source, Path.of("etc/localtime"), false)), BUNDLE, ORIGIN);
    Path copy = layout.root().resolve("etc/localtime");
    assertEquals("TZif2 UTC\n", Files.readString(copy));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
    assertEquals(
        "rwxr-xr-x",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.getParent())));
    List<String> calls = kernel.calls();
    int opened =
        calls.indexOf(calls.stream().filter(c -> c.contains(source.toString())).findFirst().get());
    int sealed = calls.indexOf("mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f)");
    assertTrue(opened >= 0 && opened < sealed, "copied before the seal: " + calls);
    assertEquals(Map.of(), kernel.openDescriptors());
  }

  @Test
  void aCopyKeepsOnlyTheSourcesReadPermissions() throws Exception {
    Path source = Files.writeString(base.resolve("secret"), "s\n");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r-----"));
    kernel.realFile(source);
    builder()
        .build(layout, plan(new CopiedFile(source, Path.of("etc/secret"), false)), BUNDLE, ORIGIN);
    Path copy = layout.root().resolve("etc/secret");
    assertEquals(
        "r--r-----",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)),
        "a file only its owner and group may read does not become readable by all");
  }

  @Test
  void aSourceOthersCouldWriteOrReplaceIsRefusedAndNothingIsLeft() throws Exception {
    Path writable = Files.writeString(base.resolve("writable"), "x");
    Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path open = Files.createDirectory(base.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path inOpen = Files.writeString(open.resolve("resolv.conf"), "nameserver 192.0.2.1\n");
    kernel.realFile(writable).realFile(inOpen);
    int uid = (Integer) Files.getAttribute(base, "unix:uid");
    Map<Path, String> refusals =
        Map.of(
            writable,
            "must be owned by root and writable by no one else (owner uid " + uid + ", mode 0666)",
            inOpen,
            "refusing " + inOpen + ": a file owned by ");
    for (Map.Entry<Path, String> c : refusals.entrySet()) {
      ChrootException e =
          assertThrows(
              ChrootException.class,
              () ->
                  builder()
                      .build(
                          layout,
                          plan(new CopiedFile(c.getKey(), Path.of("etc/x"), true)),
                          BUNDLE,
                          ORIGIN));
      assertTrue(
          e.getMessage().startsWith("file " + c.getKey() + " (in \"files\"): " + c.getValue()),
          e.getMessage());
      assertFalse(Files.exists(layout.containerDir()));
      assertEquals(List.of(), kernel.mountPoints());
    }
  }

  @Test
  void aSourceThatNamesNoFileIsRefused() {
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new CopiedFile(Path.of("/"), Path.of("etc/x"), true)),
                        BUNDLE,
                        ORIGIN));
    assertEquals("file / (in \"files\"): not a file's absolute path", e.getMessage());
  }

  @Test
  void anOptionalFileThatIsMissingIsSkipped() throws Exception {
    Path missing = base.resolve("no-localtime");
    builder()
        .build(
            layout, plan(new CopiedFile(missing, Path.of("etc/localtime"), true)), BUNDLE, ORIGIN);
    assertFalse(Files.exists(layout.root().resolve("etc")));
    assertTrue(kernel.mounts().get(0).readOnly());
  }

  @Test
  void aRequiredFileThatIsMissingFailsAndLeavesNothing() throws Exception {
    Path missing = base.resolve("no-localtime");
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new CopiedFile(missing, Path.of("etc/localtime"), false)),
                        BUNDLE,
                        ORIGIN));
    assertEquals("file " + missing + " (in \"files\"): no such file", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aFileSourceThatIsASymlinkOrTooLargeOrADirectoryIsRefused() throws Exception {
    Path real = Files.writeString(base.resolve("real"), "x");
    Path link = Files.createSymbolicLink(base.resolve("link"), real);
    Path large = Files.write(base.resolve("large"), new byte[CopiedFile.MAX_BYTES + 1]);
    Path dir = Files.createDirectory(base.resolve("dir"));
    kernel.realFile(link).realFile(large).realFile(dir);
    for (Map.Entry<Path, String> c :
        Map.of(
                link, "not a regular file (a symlink)",
                large, "larger than 1048576 bytes",
                dir, "not a regular file (a directory)")
            .entrySet()) {
      ChrootException e =
          assertThrows(
              ChrootException.class,
              () ->
                  builder()
                      .build(
                          layout,
                          plan(new CopiedFile(c.getKey(), Path.of("etc/x"), true)),
                          BUNDLE,
                          ORIGIN));
      assertEquals("file " + c.getKey() + " (in \"files\"): " + c.getValue(), e.getMessage());
      assertFalse(Files.exists(layout.containerDir()));
      assertEquals(List.of(), kernel.mountPoints());
    }
    assertEquals("x", Files.readString(real), "the link's target is untouched");
  }

  @Test
  void aFileSourceThatCannotBeOpenedIsNamed() throws Exception {
    Path source = Files.writeString(base.resolve("localtime"), "x");
    kernel.fail("openat", args -> source.toString().equals(args.get(1)), 13 /* EACCES */);
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new CopiedFile(source, Path.of("etc/localtime"), false)),
                        BUNDLE,
                        ORIGIN));
    assertTrue(e.getMessage().startsWith("read " + source + ": openat(AT_FDCWD, "), e.getMessage());
    assertTrue(e.getMessage().endsWith("EACCES (Permission denied)"), e.getMessage());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aFileTargetThatAppearedMeanwhileIsRefused() throws Exception {
    Path source = Files.writeString(base.resolve("localtime"), "x");
    kernel.realFile(source);
    Path target = layout.root().resolve("etc/localtime");
    whileProcIsMounted(
        () -> {
          Files.createDirectories(target.getParent());
          Files.writeString(target, "planted");
        });
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new CopiedFile(source, Path.of("etc/localtime"), false)),
                        BUNDLE,
                        ORIGIN));
    assertEquals("copy target " + target + " already exists", e.getMessage());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aFileTargetThatCannotBeWrittenIsNamed() throws Exception {
    Path source = Files.writeString(base.resolve("localtime"), "x");
    kernel.realFile(source);
    Path target = layout.root().resolve("x".repeat(256));
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new CopiedFile(source, Path.of("x".repeat(256)), false)),
                        BUNDLE,
                        ORIGIN));
    assertTrue(e.getMessage().startsWith("write " + target + ": "), e.getMessage());
    assertTrue(e.getMessage().endsWith("File name too long"), e.getMessage());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aFailedMountIsRolledBack() throws Exception {
    Path log = openLog();
    kernel.fail("mount", args -> executable.toString().equals(args.get(0)), Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage()
            .matches(
                "mount\\(\""
                    + executable
                    + "\", \"/proc/self/fd/\\d+\", NULL, 0x1000\\): EPERM"
                    + " \\(Operation not permitted\\) \\[target "
                    + layout.root().resolve("runsc")
                    + "\\]"),
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
    LogFile.close();
    String text = Files.readString(log);
    String id = layout.id().value();
    assertTrue(
        text.contains("[" + id + "] prestart: unmounted " + layout.root().resolve("proc")), text);
    assertTrue(text.contains("[" + id + "] prestart: removed " + layout.containerDir()), text);
    assertFalse(text.contains("poststop"), "the rollback is prestart's own: " + text);
  }

  @Test
  void aRollbackThatFailsTooIsReportedWithTheFailure() throws Exception {
    kernel.fail("mount", args -> executable.toString().equals(args.get(0)), Errnos.EPERM);
    kernel.fail("umount2", Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    Path proc = layout.root().resolve("proc");
    assertTrue(
        e.getMessage()
            .endsWith(
                "; rollback failed too: teardown of "
                    + layout.containerDir()
                    + " stopped before removing anything: umount2(\"/proc/self/fd/4/runsc\", 0x8):"
                    + " EPERM (Operation not permitted) [target "
                    + layout.root().resolve("runsc")
                    + "]; umount2(\"/proc/self/fd/4/proc\", 0x8): EPERM (Operation not permitted)"
                    + " [target "
                    + proc
                    + "]; umount2(\"/proc/self/fd/5/root\", 0x8): EPERM (Operation not permitted)"
                    + " [target "
                    + layout.root()
                    + "]; still mounted: "
                    + layout.root()
                    + "; still mounted: "
                    + proc),
        e.getMessage());
    assertTrue(e.getMessage().startsWith("mount(\"" + executable + "\""), e.getMessage());
    assertTrue(Files.exists(layout.journal()), "the journal stays for poststop");
  }

  @Test
  void aSymlinkSwappedInOnTheWayToATargetIsRefused() throws Exception {
    Path elsewhere = base.resolve("elsewhere");
    kernel.moved(layout.root().resolve("proc"), elsewhere);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        "mount target "
            + layout.root().resolve("proc")
            + " resolves to "
            + elsewhere
            + ": refusing to mount through a symlink",
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
  }

  @Test
  void theSourcesAreChecked() throws Exception {
    Path notDevice = Files.writeString(base.resolve("not-a-device"), "");
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new DeviceBind(notDevice, Path.of("dev/kvm"))),
                        BUNDLE,
                        ORIGIN));
    assertEquals("device " + notDevice + " for platform ptrace: not a device file", e.getMessage());

    Path missing = base.resolve("missing");
    e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout, plan(new DeviceBind(missing, Path.of("dev/kvm"))), BUNDLE, ORIGIN));
    assertEquals("device " + missing + " for platform ptrace: no such file", e.getMessage());

    executable = Files.createDirectory(base.resolve("a-directory"));
    e = assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals("executable " + executable + ": not a regular file", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void aMountTargetThatAlreadyExistsIsRefused() throws Exception {
    // Something other than this prestart makes root/runsc while proc is being mounted: the fake's
    // rule for openat is consulted on each call, and fails none.
    Path runsc = layout.root().resolve("runsc");
    kernel.fail(
        "openat",
        args -> {
          try {
            if (layout.root().resolve("proc").toString().equals(args.get(1))
                && !Files.exists(runsc)) {
              Files.createFile(runsc);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return false;
        },
        0);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals("mount target " + runsc + " already exists", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void anotherBundlesChrootIsNotTouched() throws Exception {
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    List<Path> before = kernel.mountPoints();
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () -> builder().build(layout, plan(), Path.of("/srv/bundles/other"), ORIGIN));
    assertEquals(
        layout.containerDir()
            + " belongs to bundle "
            + BUNDLE
            + ", not /srv/bundles/other: refusing to touch it",
        e.getMessage());
    assertEquals(before, kernel.mountPoints());
  }

  @Test
  void aFailedRemountOfABindIsNamedAndRolledBack() throws Exception {
    kernel.fail(
        "mount",
        args -> args.get(0) == null && (Long) args.get(3) == ReadOnlyBind.REMOUNT_FLAGS,
        Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        "mount(NULL, \"/proc/self/fd/3\", NULL, 0x1027): EPERM (Operation not permitted) [target "
            + layout.root().resolve("runsc")
            + "]",
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aFailedRemountOfTheFallbackProcIsNamedAndRolledBack() throws Exception {
    kernel.fail("mount", args -> "proc".equals(args.get(2)), Errnos.EPERM);
    kernel.fail(
        "mount",
        args -> args.get(0) == null && (Long) args.get(3) == ProcMount.FALLBACK_REMOUNT_FLAGS,
        Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        "mount(NULL, \"/proc/self/fd/3\", NULL, 0x102f): EPERM (Operation not permitted) [target "
            + layout.root().resolve("proc")
            + "]",
        e.getMessage(),
        "the remount of proc, not the seal");
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aChrootDirectoryOpenedUpSinceIsBuiltAgainAndTheLogSaysWhy() throws Exception {
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    Files.setAttribute(layout.root(), "unix:mode", 0777);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        List.of(
            "[c1] prestart: "
                + layout.root()
                + " is a directory owned by uid "
                + self()
                + " with mode 0777, not a directory owned by root with mode 0755: building the"
                + " chroot again"),
        warnings(log));
    assertEquals(0755, (Integer) Files.getAttribute(layout.root(), "unix:mode") & 07777);
    assertEquals(3, kernel.mounts().size());
    assertTrue(kernel.mounts().get(0).readOnly());
  }

  @Test
  void aFileInPlaceOfADirectoryOnTheWayIsBuiltAgainAndTheLogSaysWhy() throws Exception {
    MountPlan plan = plan(new DeviceBind(Path.of("/dev/null"), Path.of("dev/kvm")));
    builder().build(layout, plan, BUNDLE, ORIGIN);
    Path dev = layout.root().resolve("dev");
    // Root took /dev/kvm off and put a file where the directory leading to it was.
    kernel.umount2(dev.resolve("kvm").toString(), 0);
    Files.delete(dev.resolve("kvm"));
    Files.delete(dev);
    Files.writeString(dev, "");
    Files.setAttribute(dev, "unix:mode", 0644);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan, BUNDLE, ORIGIN));
    assertEquals(
        List.of(
            "[c1] prestart: "
                + dev
                + " is not a directory owned by uid "
                + self()
                + " with mode 0644, not a directory owned by root with mode 0755: building the"
                + " chroot again"),
        warnings(log));
    assertTrue(Files.isDirectory(dev, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals(4, kernel.mounts().size());
  }

  @Test
  void aDirectoryOnTheWayThatIsGoneIsBuiltAgainAndTheLogSaysWhy() throws Exception {
    MountPlan plan = plan(new DeviceBind(Path.of("/dev/null"), Path.of("dev/kvm")));
    builder().build(layout, plan, BUNDLE, ORIGIN);
    Path dev = layout.root().resolve("dev");
    kernel.umount2(dev.resolve("kvm").toString(), 0);
    Files.delete(dev.resolve("kvm"));
    Files.delete(dev);
    Path log = openLog();
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan, BUNDLE, ORIGIN));
    assertEquals(
        List.of(
            "[c1] prestart: cannot stat "
                + dev
                + " (java.nio.file.NoSuchFileException: "
                + dev
                + "); building the chroot again"),
        warnings(log));
    assertTrue(Files.isDirectory(dev));
    assertEquals(4, kernel.mounts().size());
  }

  /** Runs {@code action} once, when the proc target is opened to be mounted on: a race, staged. */
  private void whileProcIsMounted(IoAction action) {
    Path proc = layout.root().resolve("proc");
    boolean[] done = {false};
    kernel.fail(
        "openat",
        args -> {
          if (!done[0] && proc.toString().equals(args.get(1))) {
            done[0] = true;
            try {
              action.run();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
          return false;
        },
        0);
  }

  private interface IoAction {
    void run() throws java.io.IOException;
  }

  @Test
  @Tag(ModeBits.TAG)
  void aJournalThatCannotBeReadIsNamed() throws Exception {
    ModeBits.assumeTheyBind();
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    List<String> before = kernel.calls();
    Files.setPosixFilePermissions(layout.journal(), PosixFilePermissions.fromString("---------"));
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals("cannot read " + layout.journal() + ": " + layout.journal(), e.getMessage());
    assertFalse(e.badInput(), "failed work, not bad input");
    assertEquals(before, kernel.calls(), "nothing touched");
  }

  @Test
  void aCorruptJournalIsBadInputAndNothingIsTouched() throws Exception {
    Files.createDirectories(layout.containerDir());
    Files.writeString(layout.journal(), "{\"version\": ");
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage().startsWith("cannot read " + layout.journal() + ": journal "),
        e.getMessage());
    assertTrue(e.badInput(), "a malformed journal is bad input: exit 2");
    assertEquals(List.of(), kernel.calls());
    assertTrue(Files.exists(layout.journal()));
  }

  @Test
  void mountinfoThatCannotBeReadIsNamed() throws Exception {
    builder().build(layout, plan(), BUNDLE, ORIGIN);
    kernel.failProc("mountinfo");
    // As root the check of an existing chroot reads mountinfo; as another user the directories
    // are not root's, the chroot is rebuilt, and teardown reads it: the same message either way.
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        "read /proc/self/mountinfo: java.io.IOException: /proc/self/mountinfo: Input/output error",
        e.getMessage());
    assertTrue(Files.exists(layout.journal()), "nothing removed unproven");
  }

  @Test
  void aMissingExecutableIsNamed() throws Exception {
    executable = base.resolve("no-runsc");
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals("executable " + executable + ": no such file", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aSourceThatCannotBeStattedIsNamed() throws Exception {
    Path loop = base.resolve("loop");
    Files.createSymbolicLink(loop, loop.getFileName());
    executable = loop;
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(e.getMessage().startsWith("stat " + loop + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("Too many levels of symbolic links"), e.getMessage());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aTargetThatCannotBeCreatedIsNamed() throws Exception {
    Path target = Path.of("x".repeat(256));
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new DeviceBind(Path.of("/dev/null"), target)),
                        BUNDLE,
                        ORIGIN));
    assertTrue(
        e.getMessage().startsWith("create " + layout.root().resolve(target) + ": "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("File name too long"), e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aFileWhereADirectoryOnTheWayMustBeIsRefused() throws Exception {
    Path dev = layout.root().resolve("dev");
    whileProcIsMounted(() -> Files.writeString(dev, ""));
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(new DeviceBind(Path.of("/dev/null"), Path.of("dev/kvm"))),
                        BUNDLE,
                        ORIGIN));
    assertEquals(dev + " already exists", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aStateDirectoryThatIsGoneIsNamed() throws Exception {
    Files.delete(layout.stateDir());
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertEquals(
        "mkdir "
            + layout.containerDir()
            + ": java.nio.file.NoSuchFileException: "
            + layout.containerDir(),
        e.getMessage());
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  void aJournalThatCannotBeWrittenIsNamedAndRolledBack() throws Exception {
    // The journal's temporary file cannot be replaced (a non-empty directory there), as a write
    // can fail on a full disk: the next journal write fails, and what was mounted comes off.
    Path tmpJournal = JournalFile.temporary(layout.journal());
    whileProcIsMounted(() -> Files.createDirectories(tmpJournal.resolve("x")));
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(e.getMessage().startsWith("write " + layout.journal() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("DirectoryNotEmptyException"), e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aTargetThatCannotBeOpenedIsNamed() throws Exception {
    Path proc = layout.root().resolve("proc");
    kernel.fail("openat", args -> proc.toString().equals(args.get(1)), 13 /* EACCES */);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    assertTrue(
        e.getMessage().startsWith("mount target " + proc + ": openat(AT_FDCWD, \"" + proc + "\", "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("EACCES (Permission denied)"), e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aTargetWhoseWhereaboutsCannotBeReadIsNotMountedOn() throws Exception {
    kernel.failProc("whereIs");
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE, ORIGIN));
    // Teardown cannot read it either, so the rollback fails too; nothing was mounted.
    assertTrue(
        e.getMessage()
            .startsWith(
                "mount target "
                    + layout.root()
                    + ": readlink: /proc/self/fd/3: Input/output error; rollback failed too: "),
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
  }
}
