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
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.ProcMount;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.Linux;

/**
 * Teardown's failure paths over {@link FakeKernel}: rootless, so every message teardown can give is
 * provoked here, the ones real mounts cannot reach on demand included.
 */
class ChrootRemoverTest {
  private static final Path BUNDLE = Path.of("/srv/bundles/demo");

  @TempDir Path tmp;
  private Layout layout;
  private Path proc;
  private final FakeKernel kernel = new FakeKernel();

  @BeforeEach
  void setUp() throws Exception {
    layout = new Layout(tmp.toRealPath(), new ContainerId("c1"));
    MountPlan plan = new MountPlan(layout.id(), "ptrace", List.of(new ProcMount()));
    proc = Files.createDirectories(layout.root().resolve("proc"));
    JournalFile.write(
        layout.journal(),
        Journal.start(plan, BUNDLE, null).withIntent(plan.mounts().get(0)).completed());
    kernel.mounted(proc, "proc");
  }

  private ChrootRemover remover() {
    return new ChrootRemover(kernel, kernel, "poststop");
  }

  private static boolean detaching(List<Object> args) {
    return ((Integer) args.get(1) & Linux.MNT_DETACH) != 0;
  }

  @Test
  void unmountsThroughTheParentsDescriptorAndRemoves() throws Exception {
    assertEquals(ChrootRemover.Outcome.REMOVED, remover().remove(layout, BUNDLE));
    assertEquals(List.of(), kernel.mounts());
    assertFalse(Files.exists(layout.containerDir()));
    assertTrue(
        kernel.calls().contains("umount2(\"/proc/self/fd/4/proc\", 8)"), kernel.calls().toString());
    assertEquals(Map.of(), kernel.openDescriptors(), "no descriptor leaked");
  }

  @Test
  void aBusyMountIsDetachedLazily() throws Exception {
    kernel.fail("umount2", args -> !detaching(args), Errnos.EBUSY);
    assertEquals(ChrootRemover.Outcome.REMOVED, remover().remove(layout, BUNDLE));
    List<String> umounts =
        kernel.calls().stream().filter(c -> c.startsWith("umount2")).limit(2).toList();
    assertEquals(
        List.of("umount2(\"/proc/self/fd/4/proc\", 8)", "umount2(\"/proc/self/fd/4/proc\", 10)"),
        umounts);
    assertFalse(Files.exists(layout.containerDir()));
  }

  @Test
  void whatCannotBeUnmountedStopsTeardownBeforeAnythingIsRemoved() throws Exception {
    kernel.fail("umount2", Errnos.EPERM);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "teardown of "
            + layout.containerDir()
            + " stopped before removing anything: umount2(\"/proc/self/fd/4/proc\", 0x8): EPERM"
            + " (Operation not permitted) [target "
            + proc
            + "]; still mounted: "
            + proc,
        e.getMessage());
    assertTrue(Files.exists(layout.journal()), "nothing removed");
    assertEquals(Map.of(), kernel.openDescriptors());
  }

  @Test
  void aBusyMountThatCannotBeDetachedEither() throws Exception {
    kernel.fail("umount2", args -> !detaching(args), Errnos.EBUSY);
    kernel.fail("umount2", ChrootRemoverTest::detaching, Errnos.EPERM);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "teardown of "
            + layout.containerDir()
            + " stopped before removing anything: umount2(\"/proc/self/fd/4/proc\", 0xa): EPERM"
            + " (Operation not permitted) [target "
            + proc
            + "]; still mounted: "
            + proc,
        e.getMessage());
  }

  @Test
  void unmountPassesRunOut() throws Exception {
    kernel.stubborn(proc);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "teardown of "
            + layout.containerDir()
            + " stopped before removing anything: still mounted: "
            + proc,
        e.getMessage());
    long umounts = kernel.calls().stream().filter(c -> c.startsWith("umount2")).count();
    assertEquals(16, umounts, "8 passes from the journal, 8 sweeps of mountinfo");
  }

  @Test
  void aDirectoryThatMovedIsNotUnmountedFrom() throws Exception {
    Path elsewhere = tmp.toRealPath().resolve("elsewhere");
    kernel.moved(layout.root(), elsewhere);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "teardown of "
            + layout.containerDir()
            + " stopped before removing anything: not unmounting "
            + proc
            + ": its directory is now at "
            + elsewhere
            + ", not where it was made; still mounted: "
            + proc,
        e.getMessage());
    assertEquals(List.of(proc), kernel.mountPoints());
  }

  @Test
  void aSymlinkOnTheWayIsNeitherFollowedNorUnmountedThrough() throws Exception {
    Path host = Files.createDirectories(tmp.toRealPath().resolve("host/proc"));
    kernel.mounted(host, "tmpfs");
    // root replaced by a link to the host: the journal's proc would name host/proc through it.
    Files.move(layout.root(), tmp.resolve("old-root"));
    Files.createSymbolicLink(layout.root(), host.getParent());
    FakeKernel clean = new FakeKernel().mounted(host, "tmpfs");
    assertEquals(
        ChrootRemover.Outcome.REMOVED,
        new ChrootRemover(clean, clean, "poststop").remove(layout, BUNDLE));
    assertEquals(List.of(host), clean.mountPoints());
    assertTrue(
        clean.calls().stream().noneMatch(c -> c.startsWith("umount2")), clean.calls().toString());
    assertTrue(Files.isDirectory(host));
  }

  @Test
  void aCorruptJournalIsNotTrustedToSayWhoOwnsTheDirectory() throws Exception {
    Files.writeString(layout.journal(), "{\"version\":1,");
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertTrue(
        e.getMessage().startsWith("cannot verify who owns " + layout.containerDir() + ": "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(": refusing to remove it"), e.getMessage());
    assertTrue(e.badInput(), "a malformed journal is bad input: exit 2");
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  void aJournalRepeatingAKeyIsBadInputAndNothingIsTouched() throws Exception {
    Files.writeString(
        layout.journal(),
        "{\"version\":1,\"id\":\"c1\",\"bundle\":\"/elsewhere\",\"bundle\":\""
            + BUNDLE
            + "\",\"platform\":\"kvm\",\"complete\":true,\"mounts\":{}}\n");
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertTrue(e.getMessage().contains("duplicate key \"bundle\""), e.getMessage());
    assertTrue(e.badInput(), e.getMessage());
    assertEquals(List.of(), kernel.calls());
    assertTrue(Files.exists(layout.journal()));
  }

  @Test
  void anotherBundlesDirectoryIsRefused() throws Exception {
    ChrootException e =
        assertThrows(
            ChrootException.class, () -> remover().remove(layout, Path.of("/srv/bundles/other")));
    assertEquals(
        layout.containerDir()
            + " belongs to bundle "
            + BUNDLE
            + ", not /srv/bundles/other: refusing to remove it",
        e.getMessage());
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  void aFileWhereTheContainerDirectoryBelongsIsRefused() throws Exception {
    Layout other = new Layout(layout.stateDir(), new ContainerId("f1"));
    Files.createSymbolicLink(other.containerDir(), layout.containerDir());
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(other, BUNDLE));
    assertEquals(
        other.containerDir() + " is not a directory (a symlink?): refusing to touch it",
        e.getMessage());
  }

  @Test
  void theStateDirectoryThatCannotBeOpenedIsNamed() throws Exception {
    kernel.fail("openat", args -> ((String) args.get(1)).startsWith("/"), Errnos.EPERM);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertTrue(
        e.getMessage()
            .startsWith(
                "state directory "
                    + layout.stateDir()
                    + ": openat(AT_FDCWD, \""
                    + layout.stateDir()
                    + "\", "),
        e.getMessage());
  }

  @Test
  void aWalkThatFailsOtherwiseIsReportedWithItsTarget() throws Exception {
    kernel.fail("openat", args -> args.get(1).equals("root"), Errnos.EPERM);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertTrue(
        e.getMessage().contains("openat(5, \"root\", ") && e.getMessage().contains("EPERM"),
        e.getMessage());
    assertTrue(e.getMessage().contains("[target " + proc + "]"), e.getMessage());
    assertTrue(e.getMessage().endsWith("still mounted: " + proc), e.getMessage());
  }

  @Test
  void aDirectoryWithoutAJournalThatHoldsMoreIsNotTheHooks() throws Exception {
    Files.delete(layout.journal());
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        layout.containerDir()
            + " has no journal but holds 1 entry: the hook did not make it; refusing to remove it",
        e.getMessage());
    assertEquals(List.of(), kernel.calls());
    assertTrue(Files.isDirectory(proc));
  }

  @Test
  void entriesAreCountedInTheRefusal() throws Exception {
    Files.delete(layout.journal());
    Files.writeString(layout.containerDir().resolve("notes"), "");
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        layout.containerDir()
            + " has no journal but holds 2 entries: the hook did not make it; refusing to remove it",
        e.getMessage());
    assertTrue(Files.exists(layout.containerDir().resolve("notes")));
  }

  @Test
  void aDirectoryThatVanishesBeforeItIsListedIsNamed() throws Exception {
    Path elsewhere = tmp.toRealPath().resolve("elsewhere");
    // Renamed away when teardown closes the state directory, after proving nothing is mounted.
    kernel.fail(
        "close",
        args -> {
          try {
            if ((Integer) args.get(0) == 3 && Files.exists(layout.containerDir())) {
              Files.move(layout.containerDir(), elsewhere);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return false;
        },
        0);
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "list "
            + layout.containerDir()
            + ": java.nio.file.NoSuchFileException: "
            + layout.containerDir(),
        e.getMessage());
    assertTrue(Files.exists(elsewhere.resolve("root/proc")), "nothing removed elsewhere");
  }

  @Test
  @Tag(ModeBits.TAG)
  void aJournalThatCannotBeOpenedIsNotTrusted() throws Exception {
    ModeBits.assumeTheyBind();
    Files.setPosixFilePermissions(layout.journal(), PosixFilePermissions.fromString("---------"));
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "cannot verify who owns "
            + layout.containerDir()
            + ": "
            + layout.journal()
            + ": refusing to remove it",
        e.getMessage());
    assertFalse(e.badInput(), "failed work, not bad input");
    assertEquals(List.of(), kernel.calls());
  }

  @Test
  @Tag(ModeBits.TAG)
  void whatCannotBeRemovedIsReported() throws Exception {
    ModeBits.assumeTheyBind();
    Path root = layout.root();
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      ChrootException e =
          assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
      assertEquals(
          "teardown of "
              + layout.containerDir()
              + ": remove "
              + proc
              + ": java.nio.file.AccessDeniedException: proc",
          e.getMessage());
      assertEquals(List.of(), kernel.mountPoints(), "unmounted before");
      assertTrue(Files.exists(layout.journal()), "the journal goes last");
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aDescriptorWhoseWhereaboutsCannotBeReadIsNotUnmountedThrough() throws Exception {
    kernel.failProc("whereIs");
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "teardown of "
            + layout.containerDir()
            + " stopped before removing anything: readlink /proc/self/fd/4:"
            + " java.io.IOException: /proc/self/fd/4: Input/output error [target "
            + proc
            + "]; still mounted: "
            + proc,
        e.getMessage());
    assertEquals(List.of(proc), kernel.mountPoints());
    assertEquals(Map.of(), kernel.openDescriptors());
  }

  @Test
  void mountinfoThatCannotBeReadStopsTeardown() throws Exception {
    kernel.failProc("mountinfo");
    ChrootException e = assertThrows(ChrootException.class, () -> remover().remove(layout, BUNDLE));
    assertEquals(
        "read /proc/self/mountinfo: java.io.IOException: /proc/self/mountinfo: Input/output error",
        e.getMessage());
    assertTrue(Files.exists(layout.journal()), "nothing removed unproven");
    assertEquals(Map.of(), kernel.openDescriptors());
  }
}
