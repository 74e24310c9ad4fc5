package org.ocichroothook.plan;

/**
 * What a journaled mount is, by the name the journal records: teardown needs no more than that and
 * the target. Versions 1 and 2 of the journal know the last three.
 */
public enum MountKind {
  /** The root's tmpfs ({@link TmpfsRoot}); its target is the root itself, the empty path. */
  TMPFS("tmpfs"),
  /** {@link ProcMount}. */
  PROC("proc"),
  /** {@link ReadOnlyBind}: the sandbox executable. */
  EXECUTABLE("executable"),
  /** {@link DeviceBind}. */
  DEVICE("device"),
  /** {@link SysfsBind}. */
  SYSFS("sysfs");

  private final String wireName;

  MountKind(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in the journal. */
  public String wireName() {
    return wireName;
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
