package org.ocichroothook.plan;

import java.util.List;
import java.util.Objects;
import org.ocichroothook.state.ContainerId;

/**
 * Everything prestart will mount for one container, in order: inert data, computed without touching
 * the system, so it can be tested without root and compared with what a journal recorded.
 */
public record MountPlan(ContainerId id, String platform, List<PlannedMount> mounts) {
  public MountPlan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(platform, "platform");
    mounts = List.copyOf(mounts);
    // One mount per target: the executor makes each target fresh, and a version-1 journal keys its
    // mounts by target, so a second mount at one target could not even be recorded.
    java.util.Set<java.nio.file.Path> targets = new java.util.HashSet<>();
    for (PlannedMount mount : mounts) {
      if (!targets.add(mount.target())) {
        throw new IllegalArgumentException("two mounts planned at " + mount.target());
      }
    }
  }
}
