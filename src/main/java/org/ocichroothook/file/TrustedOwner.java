package org.ocichroothook.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who may own what the hook trusts: root, or the user the hook runs as. As root (always, in
 * production) that is root alone. As another user the hook can mount nothing, and what only that
 * user could have written is its own: so its configuration, state directory and log may be its own,
 * which lets the rootless tests run the hook as whoever runs them.
 */
public final class TrustedOwner {
  private static int self = -1;

  private TrustedOwner() {}

  /** Whether {@code uid} is root or the user this process runs as. */
  public static boolean is(int uid) {
    return uid == 0 || uid == self();
  }

  /**
   * This process's effective uid: the owner of /proc/self; 0 (root alone) if that is unreadable.
   */
  private static int self() {
    if (self < 0) {
      try {
        // Followed: /proc/self is the kernel's link to this process's own directory.
        self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      } catch (IOException | RuntimeException e) {
        self = 0;
      }
    }
    return self;
  }
}
