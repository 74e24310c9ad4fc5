package org.ocichroothook.chroot;

import java.nio.file.Path;
import java.util.Objects;
import org.ocichroothook.state.ContainerId;

/**
 * Where a container's files live: {@code <stateDir>/<id>/} holds {@code journal.json} and {@code
 * root/}, the chroot itself.
 *
 * @param stateDir the state directory's real path (no symlinks), as resolved by {@link
 *     StateDirectory}
 */
public record Layout(Path stateDir, ContainerId id) {
  public Layout {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(id, "id");
  }

  public Path containerDir() {
    return stateDir.resolve(id.value());
  }

  public Path root() {
    return containerDir().resolve("root");
  }

  public Path journal() {
    return containerDir().resolve("journal.json");
  }

  /** The absolute path of a target given relative to the chroot's root. */
  public Path inRoot(Path relative) {
    return root().resolve(relative);
  }
}
