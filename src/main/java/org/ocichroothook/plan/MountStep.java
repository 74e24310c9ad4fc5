package org.ocichroothook.plan;

import java.nio.file.Path;

/**
 * A step that mounts something and is journaled before it is made, so teardown finds it.
 *
 * <p>A bind mount ignores every flag but MS_BIND (and MS_REC) when it is created: read-only,
 * nosuid, nodev and noexec only take effect through a second {@code MS_REMOUNT|MS_BIND} call, which
 * is what {@link #remountFlags} is for. That remount sets the bind's own flags, whatever the mount
 * it sits on says: a bind on a noexec, nodev tmpfs still executes or opens devices if its own flags
 * allow it.
 */
public sealed interface MountStep extends Step permits TmpfsRoot, ProcMount, BindStep {

  /** Its name in the journal. */
  MountKind kind();

  /** Where, relative to the chroot's root; the empty path for the root itself. */
  Path target();

  /** mount(2)'s source: a host path for a bind, a name for a new file system. */
  String source();

  /** mount(2)'s file system type; null for a bind. */
  String fsType();

  /** mount(2)'s flags. */
  long flags();

  /** mount(2)'s data (file system options); null when none. */
  default String data() {
    return null;
  }

  /** Flags of the second, remount call; 0 when none is needed. */
  default long remountFlags() {
    return 0;
  }

  /** Whether the target is a directory (else an empty file to bind a file onto). */
  boolean directory();
}
