package org.ocichroothook.journal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.MountStep;
import org.ocichroothook.state.ContainerId;

/**
 * What prestart did for a container, recorded before it does it: the owner (id and bundle), the
 * platform, every mount it is about to make (its intent), and whether it finished. Teardown reads
 * it, together with mountinfo, so a hook killed between two mounts still leaves everything
 * removable. Version 2 adds the {@link Origin}, which tells {@code gc} whether the container is
 * gone; a version-1 journal (from 0.1.0) has none and is torn down all the same. Version 3 (written
 * now) has version 2's fields and may record two more kinds: the root's tmpfs, first, with the
 * empty target (the root itself, so teardown takes it off last), and /sys directories.
 *
 * @param origin who made the chroot and when; null in a version-1 journal
 * @param version the on-disk format: 1 (0.1.0's) exactly without an origin, else 2 or {@value
 *     #VERSION}, as it was read or will be written
 */
public record Journal(
    ContainerId id,
    Path bundle,
    String platform,
    List<Entry> mounts,
    boolean complete,
    Origin origin,
    int version) {

  /**
   * The evidence {@code gc} decides on, recorded by prestart.
   *
   * @param pid the container's process from the state, or null when the state had none (> 0)
   * @param pidStartTime that process's start time (field 22 of /proc/PID/stat, clock ticks after
   *     boot), so a reused pid is told apart; null exactly when {@code pid} is
   * @param created when prestart began, to the millisecond (as the journal records it)
   * @param hookVersion the version of the hook that wrote the journal
   */
  public record Origin(Integer pid, Long pidStartTime, Instant created, String hookVersion) {
    public Origin {
      Objects.requireNonNull(created, "created");
      if (created.getNano() % 1_000_000 != 0) {
        created = Instant.ofEpochMilli(created.toEpochMilli());
      }
      Objects.requireNonNull(hookVersion, "hookVersion");
      if ((pid == null) != (pidStartTime == null)
          || (pid != null && pid <= 0)
          || (pidStartTime != null && pidStartTime < 0)) {
        throw new IllegalArgumentException(
            "a pid (> 0) and its start time go together, got " + pid + " and " + pidStartTime);
      }
    }
  }

  /**
   * One recorded mount: its kind and its target relative to the chroot's root, inside it; the empty
   * path (the root itself) exactly for the root's tmpfs.
   */
  public record Entry(MountKind kind, Path target) {
    public Entry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(target, "target");
      boolean root = target.toString().isEmpty();
      if (root != (kind == MountKind.TMPFS)
          || target.isAbsolute()
          || !target.normalize().equals(target)
          || target.startsWith("..")) {
        throw new IllegalArgumentException(
            "mount target escapes the chroot: " + kind.wireName() + ":" + target);
      }
    }
  }

  /** The version written now. */
  public static final int VERSION = 3;

  public Journal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(platform, "platform");
    mounts = List.copyOf(mounts);
    if ((version == 1) != (origin == null) || version < 1 || version > VERSION) {
      throw new IllegalArgumentException(
          "a version-1 journal and only it has no origin; got version "
              + version
              + (origin == null ? " without" : " with")
              + " an origin");
    }
  }

  /** A journal written now: {@value #VERSION} with an origin, 1 (0.1.0's) without. */
  public Journal(
      ContainerId id,
      Path bundle,
      String platform,
      List<Entry> mounts,
      boolean complete,
      Origin origin) {
    this(id, bundle, platform, mounts, complete, origin, origin == null ? 1 : VERSION);
  }

  /** A version-1 journal: no origin. */
  public Journal(
      ContainerId id, Path bundle, String platform, List<Entry> mounts, boolean complete) {
    this(id, bundle, platform, mounts, complete, null);
  }

  /** A journal of {@code plan} before its first mount; a null origin makes a version-1 journal. */
  public static Journal start(MountPlan plan, Path bundle, Origin origin) {
    return new Journal(plan.id(), bundle, plan.platform(), List.of(), false, origin);
  }

  /**
   * The journal prestart writes before its first mount: every mount of {@code plan}, intended. One
   * synced write and rename instead of one per mount; teardown takes a recorded mount that was
   * never made as done (its target missing, or no mount point), as it must anyway for a hook killed
   * between a write and its mount.
   */
  public static Journal intending(MountPlan plan, Path bundle, Origin origin) {
    List<Entry> intents = new ArrayList<>(plan.mounts().size());
    for (MountStep mount : plan.mounts()) {
      intents.add(new Entry(mount.kind(), mount.target()));
    }
    return new Journal(plan.id(), bundle, plan.platform(), intents, false, origin);
  }

  public Journal withIntent(MountStep mount) {
    List<Entry> more = new ArrayList<>(mounts);
    more.add(new Entry(mount.kind(), mount.target()));
    return new Journal(id, bundle, platform, more, false, origin, version);
  }

  public Journal completed() {
    return new Journal(id, bundle, platform, mounts, true, origin, version);
  }

  /** Whether this journal records exactly the mounts of {@code plan}, finished. */
  public boolean realizes(MountPlan plan) {
    if (!complete || !platform.equals(plan.platform()) || mounts.size() != plan.mounts().size()) {
      return false;
    }
    for (int i = 0; i < mounts.size(); i++) {
      MountStep p = plan.mounts().get(i);
      if (mounts.get(i).kind() != p.kind() || !mounts.get(i).target().equals(p.target())) {
        return false;
      }
    }
    return true;
  }
}
