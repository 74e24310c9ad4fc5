package org.ocichroothook.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An entry of {@code files}: a host file copied into every chroot before the seal. {@link Config}
 * checks the paths and names the key.
 *
 * @param path where it goes in the chroot (its absolute path there)
 * @param source the host file read; {@code path} itself unless the entry names another (the usual
 *     /etc/localtime is a symlink, which is not followed: its target is named instead)
 * @param optional whether a missing source is skipped rather than failing prestart
 */
public record ConfiguredFile(Path path, Path source, boolean optional) {
  public ConfiguredFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(source, "source");
  }
}
