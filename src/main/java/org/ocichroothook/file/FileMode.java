package org.ocichroothook.file;

import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Set;

/** Permission bits, as the set of {@link PosixFilePermission} that {@code java.nio.file} takes. */
public final class FileMode {
  /** In the order of their bits: OWNER_READ is 0400, ..., OTHERS_EXECUTE is 0001. */
  private static final PosixFilePermission[] BY_BIT = PosixFilePermission.values();

  private FileMode() {}

  /**
   * The permissions among the low nine bits of {@code bits} (0640: owner read and write, group
   * read), as an immutable set. Not an {@code EnumSet}, nor {@code
   * PosixFilePermissions.fromString}, which builds one: an {@code EnumSet}'s first use reflects on
   * the enum's {@code values()} and spins method handles, about 1 ms of every prestart and
   * poststop.
   */
  public static Set<PosixFilePermission> permissions(int bits) {
    Set<PosixFilePermission> set = new HashSet<>(BY_BIT.length * 2);
    for (int i = 0; i < BY_BIT.length; i++) {
      if ((bits & (0400 >> i)) != 0) {
        set.add(BY_BIT[i]);
      }
    }
    return Set.copyOf(set);
  }
}
