package org.ocichroothook.chroot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.plan.MountPlan;
import org.ocichroothook.plan.PlannedMount;
import org.ocichroothook.state.ContainerId;

/**
 * What prestart did for a container, recorded before it does it: the owner (id and bundle), the
 * platform, every mount it is about to make (its intent), and whether it finished. Teardown reads
 * it, together with mountinfo, so a hook killed between two mounts still leaves everything
 * removable.
 */
public record Journal(
    ContainerId id, Path bundle, String platform, List<Entry> mounts, boolean complete) {

  /** One recorded mount: its kind and its target relative to the chroot's root. */
  public record Entry(MountKind kind, Path target) {
    public Entry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(target, "target");
    }
  }

  public Journal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(platform, "platform");
    mounts = List.copyOf(mounts);
  }

  static Journal start(MountPlan plan, Path bundle) {
    return new Journal(plan.id(), bundle, plan.platform(), List.of(), false);
  }

  Journal withIntent(PlannedMount mount) {
    List<Entry> more = new ArrayList<>(mounts);
    more.add(new Entry(mount.kind(), mount.target()));
    return new Journal(id, bundle, platform, more, false);
  }

  Journal completed() {
    return new Journal(id, bundle, platform, mounts, true);
  }

  /** Whether this journal records exactly the mounts of {@code plan}, finished. */
  boolean realizes(MountPlan plan) {
    if (!complete || !platform.equals(plan.platform()) || mounts.size() != plan.mounts().size()) {
      return false;
    }
    for (int i = 0; i < mounts.size(); i++) {
      PlannedMount p = plan.mounts().get(i);
      if (mounts.get(i).kind() != p.kind() || !mounts.get(i).target().equals(p.target())) {
        return false;
      }
    }
    return true;
  }
}
