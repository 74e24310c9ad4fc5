package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.ModeBits;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.PlannedMount;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Errnos;

/** prestart's failure paths and rollback over {@link FakeKernel}, rootless. */
class ChrootBuilderTest {
  private static final Path BUNDLE = Path.of("/srv/bundles/demo");

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

  private MountPlan plan(PlannedMount... extra) {
    List<PlannedMount> mounts = new java.util.ArrayList<>();
    mounts.add(new PlannedMount(MountKind.PROC, "proc", Path.of("proc")));
    mounts.add(new PlannedMount(MountKind.EXECUTABLE, executable.toString(), Path.of("runsc")));
    mounts.addAll(List.of(extra));
    return new MountPlan(layout.id(), "ptrace", mounts);
  }

  private ChrootBuilder builder() {
    return new ChrootBuilder(kernel, kernel);
  }

  @Test
  void buildsAndRemoves() throws Exception {
    assertEquals(ChrootBuilder.Outcome.BUILT, builder().build(layout, plan(), BUNDLE));
    assertEquals(
        List.of(layout.root().resolve("proc"), layout.root().resolve("runsc")),
        kernel.mountPoints());
    assertEquals(
        ChrootRemover.Outcome.REMOVED, new ChrootRemover(kernel, kernel).remove(layout, BUNDLE));
    assertEquals(List.of(), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
  }

  @Test
  void aFailedMountIsRolledBack() throws Exception {
    kernel.fail("mount", args -> executable.toString().equals(args.get(0)), Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
  }

  @Test
  void aRollbackThatFailsTooIsReportedWithTheFailure() throws Exception {
    kernel.fail("mount", args -> executable.toString().equals(args.get(0)), Errnos.EPERM);
    kernel.fail("umount2", Errnos.EPERM);
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
                    + "]; still mounted: "
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
                        plan(
                            new PlannedMount(
                                MountKind.DEVICE, notDevice.toString(), Path.of("dev/kvm"))),
                        BUNDLE));
    assertEquals("device " + notDevice + " for platform ptrace: not a device file", e.getMessage());

    Path missing = base.resolve("missing");
    e =
        assertThrows(
            ChrootException.class,
            () ->
                builder()
                    .build(
                        layout,
                        plan(
                            new PlannedMount(
                                MountKind.DEVICE, missing.toString(), Path.of("dev/kvm"))),
                        BUNDLE));
    assertEquals("device " + missing + " for platform ptrace: no such file", e.getMessage());

    executable = Files.createDirectory(base.resolve("a-directory"));
    e = assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
    assertEquals("mount target " + runsc + " already exists", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void anotherBundlesChrootIsNotTouched() throws Exception {
    builder().build(layout, plan(), BUNDLE);
    List<Path> before = kernel.mountPoints();
    ChrootException e =
        assertThrows(
            ChrootException.class,
            () -> builder().build(layout, plan(), Path.of("/srv/bundles/other")));
    assertEquals(
        layout.containerDir()
            + " belongs to bundle "
            + BUNDLE
            + ", not /srv/bundles/other: refusing to touch it",
        e.getMessage());
    assertEquals(before, kernel.mountPoints());
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
    builder().build(layout, plan(), BUNDLE);
    List<String> before = kernel.calls();
    Files.setPosixFilePermissions(layout.journal(), PosixFilePermissions.fromString("---------"));
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
    assertEquals("cannot read " + layout.journal() + ": " + layout.journal(), e.getMessage());
    assertFalse(e.badInput(), "failed work, not bad input");
    assertEquals(before, kernel.calls(), "nothing touched");
  }

  @Test
  void aCorruptJournalIsBadInputAndNothingIsTouched() throws Exception {
    Files.createDirectories(layout.containerDir());
    Files.writeString(layout.journal(), "{\"version\": ");
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
    assertTrue(
        e.getMessage().startsWith("cannot read " + layout.journal() + ": journal "),
        e.getMessage());
    assertTrue(e.badInput(), "a malformed journal is bad input: exit 2");
    assertEquals(List.of(), kernel.calls());
    assertTrue(Files.exists(layout.journal()));
  }

  @Test
  void mountinfoThatCannotBeReadIsNamed() throws Exception {
    builder().build(layout, plan(), BUNDLE);
    kernel.failProc("mountinfo");
    // As root the check of an existing chroot reads mountinfo; as another user the directories
    // are not root's, the chroot is rebuilt, and teardown reads it: the same message either way.
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
    assertEquals(
        "read /proc/self/mountinfo: java.io.IOException: /proc/self/mountinfo: Input/output error",
        e.getMessage());
    assertTrue(Files.exists(layout.journal()), "nothing removed unproven");
  }

  @Test
  void aMissingExecutableIsNamed() throws Exception {
    executable = base.resolve("no-runsc");
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
                        plan(new PlannedMount(MountKind.DEVICE, "/dev/null", target)),
                        BUNDLE));
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
                        plan(new PlannedMount(MountKind.DEVICE, "/dev/null", Path.of("dev/kvm"))),
                        BUNDLE));
    assertEquals(dev + " already exists", e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertFalse(Files.exists(layout.containerDir()), "rolled back");
  }

  @Test
  void aStateDirectoryThatIsGoneIsNamed() throws Exception {
    Files.delete(layout.stateDir());
    ChrootException e =
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
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
        assertThrows(ChrootException.class, () -> builder().build(layout, plan(), BUNDLE));
    // Teardown cannot read it either, so the rollback fails too; nothing was mounted.
    assertTrue(
        e.getMessage()
            .startsWith(
                "mount target "
                    + layout.root().resolve("proc")
                    + ": readlink: /proc/self/fd/3: Input/output error; rollback failed too: "),
        e.getMessage());
    assertEquals(List.of(), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
  }
}
