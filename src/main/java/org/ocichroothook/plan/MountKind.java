package org.ocichroothook.plan;

import static org.ocichroothook.sys.Linux.MS_BIND;
import static org.ocichroothook.sys.Linux.MS_NODEV;
import static org.ocichroothook.sys.Linux.MS_NOEXEC;
import static org.ocichroothook.sys.Linux.MS_NOSUID;
import static org.ocichroothook.sys.Linux.MS_RDONLY;
import static org.ocichroothook.sys.Linux.MS_REMOUNT;

/**
 * The three kinds of mount a chroot holds, and the flags each is made with: the options table.
 *
 * <p>A bind mount ignores every flag but MS_BIND (and MS_REC) when it is created: read-only,
 * nosuid, nodev and noexec only take effect through a second {@code MS_REMOUNT|MS_BIND} mount call,
 * which is why bind kinds carry {@link #remountFlags}.
 */
public enum MountKind {
  /** A new procfs at {@code /proc}. */
  PROC("proc", true, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0),
  /** The sandbox executable: read-only, no setuid, no device files. */
  EXECUTABLE("executable", false, MS_BIND, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV),
  /** A device file the platform needs, such as /dev/kvm: usable as a device, never executable. */
  DEVICE("device", false, MS_BIND, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC);

  private final String wireName;
  private final boolean directory;
  private final long mountFlags;
  private final long remountFlags;

  MountKind(String wireName, boolean directory, long mountFlags, long remountFlags) {
    this.wireName = wireName;
    this.directory = directory;
    this.mountFlags = mountFlags;
    this.remountFlags = remountFlags;
  }

  /** The name used in the journal. */
  public String wireName() {
    return wireName;
  }

  /** Whether the mount target is a directory (else an empty file to bind a file onto). */
  public boolean directory() {
    return directory;
  }

  public long mountFlags() {
    return mountFlags;
  }

  /** Flags of the second, remount call; 0 when none is needed. */
  public long remountFlags() {
    return remountFlags;
  }

  public static MountKind fromWireName(String name) {
    for (MountKind kind : values()) {
      if (kind.wireName.equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown mount kind \"" + name + "\"");
  }
}
