package org.ocichroothook.plan;

import java.nio.file.Path;
import java.util.Objects;

/** The rule for every target of a plan: a relative path that stays inside the chroot. */
final class Targets {
  private Targets() {}

  static Path inside(Path target) {
    Objects.requireNonNull(target, "target");
    if (target.isAbsolute()
        || target.toString().isEmpty()
        || !target.normalize().equals(target)
        || target.startsWith("..")) {
      throw new IllegalArgumentException(
          "target must be a relative path inside the chroot: " + target);
    }
    return target;
  }

  /** A host path the administrator configured: absolute and normalized. */
  static Path host(Path source) {
    Objects.requireNonNull(source, "source");
    if (!source.isAbsolute() || !source.normalize().equals(source)) {
      throw new IllegalArgumentException("source must be an absolute, normalized path: " + source);
    }
    return source;
  }
}
