package org.ocichroothook.mountinfo;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One line of {@code /proc/self/mountinfo} (proc(5)), with the octal escapes of paths decoded.
 *
 * @param optionalFields the tagged fields before the separator, such as {@code shared:1}
 */
public record MountEntry(
    int id,
    int parentId,
    String root,
    Path mountPoint,
    String options,
    List<String> optionalFields,
    String fsType,
    String source,
    String superOptions) {

  public MountEntry {
    optionalFields = List.copyOf(optionalFields);
  }

  /** Per-mount options (rw/ro, nosuid, nodev, noexec, ...). */
  public List<String> optionList() {
    return Arrays.asList(options.split(","));
  }

  /** Whether mounts and unmounts below this one propagate to or from a peer group. */
  public boolean propagates() {
    for (String f : optionalFields) {
      if (f.startsWith("shared:") || f.startsWith("master:")) {
        return true;
      }
    }
    return false;
  }
}
