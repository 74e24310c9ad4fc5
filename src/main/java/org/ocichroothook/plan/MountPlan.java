package org.ocichroothook.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.ocichroothook.state.ContainerId;

/**
 * Everything prestart will do for one container, in order: inert data, computed without touching
 * the system, so it can be tested without root and compared with what a journal recorded.
 *
 * <p>A {@link TmpfsRoot}, when there is one, comes first (everything else is made on it) and a
 * {@link Seal} last (it needs the tmpfs, and nothing can be made after it). Each target is used
 * once: the executor makes each target fresh, and a version-1 journal keys its mounts by target.
 */
public record MountPlan(ContainerId id, String platform, List<Step> steps) {
  public MountPlan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(platform, "platform");
    steps = List.copyOf(steps);
    Set<Path> targets = new HashSet<>();
    boolean tmpfs = false;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (step instanceof TmpfsRoot) {
        if (i != 0) {
          throw new IllegalArgumentException("the tmpfs root must be the first step");
        }
        tmpfs = true;
      } else if (step instanceof Seal) {
        if (!tmpfs || i != steps.size() - 1) {
          throw new IllegalArgumentException("the seal must be the last step, after a tmpfs root");
        }
      } else {
        Path target = step instanceof CopiedFile f ? f.target() : ((MountStep) step).target();
        if (!targets.add(target)) {
          throw new IllegalArgumentException("two steps planned at " + target);
        }
      }
    }
  }

  /** The mounts, in order: what the journal records and teardown takes off in reverse. */
  public List<MountStep> mounts() {
    List<MountStep> mounts = new ArrayList<>();
    for (Step step : steps) {
      if (step instanceof MountStep m) {
        mounts.add(m);
      }
    }
    return mounts;
  }

  /** Whether the root is a tmpfs that is sealed read-only at the end. */
  public boolean sealed() {
    return !steps.isEmpty() && steps.get(steps.size() - 1) instanceof Seal;
  }
}
