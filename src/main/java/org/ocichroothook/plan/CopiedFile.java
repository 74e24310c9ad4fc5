package org.ocichroothook.plan;

import java.nio.file.Path;

/**
 * A configured host file copied into the chroot before the seal: read-only (0444), owned by the
 * hook (root), at most {@link #MAX_BYTES} bytes, a regular file whose last component is not a
 * symlink. Not a mount: it lives on the root's tmpfs and goes with it.
 *
 * @param source the host file read
 * @param target where in the chroot
 * @param optional whether a missing source is skipped rather than failing prestart
 */
public record CopiedFile(Path source, Path target, boolean optional) implements Step {
  public static final int MAX_BYTES = 1 << 20;

  public CopiedFile {
    Targets.host(source);
    Targets.inside(target);
  }
}
