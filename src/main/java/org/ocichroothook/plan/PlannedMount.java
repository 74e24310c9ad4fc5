package org.ocichroothook.plan;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One mount of the plan.
 *
 * @param kind what is mounted, which fixes the flags
 * @param source the host path bound, or the filesystem source ("proc") for PROC
 * @param target where, relative to the chroot's root: never absolute, never with {@code ..}
 */
public record PlannedMount(MountKind kind, String source, Path target) {
  public PlannedMount {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    if (target.isAbsolute()
        || target.getNameCount() == 0
        || !target.normalize().equals(target)
        || target.startsWith("..")
        || target.toString().isEmpty()) {
      throw new IllegalArgumentException(
          "mount target must be a relative path inside the chroot: " + target);
    }
  }
}
