package org.ocichroothook.chroot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;

/**
 * Removes a container directory without following a symlink and without entering a mount point. It
 * works through {@link SecureDirectoryStream}, whose calls are relative to an open directory
 * (openat/unlinkat with O_NOFOLLOW), so a symlink swapped in mid-way is removed as a link, never
 * followed. Any path that is a mount point is left alone and reported: deleting through it could
 * reach the host's files.
 */
final class TreeRemover {
  private TreeRemover() {}

  /**
   * Removes {@code parent/name} and everything below it; returns the errors, empty on success.
   *
   * @param mounts the mount table read just before, under the state directory's lock
   */
  static List<String> remove(Path parent, String name, MountTable mounts) {
    Set<Path> mountPoints = new HashSet<>();
    for (MountEntry entry : mounts.entries()) {
      mountPoints.add(entry.mountPoint());
    }
    List<String> errors = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(parent)) {
      if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
        // The JDK's own file system on Linux always has one; only another provider lacks it.
        errors.add(
            "remove "
                + parent.resolve(name)
                + ": its file system has no SecureDirectoryStream, without which a symlink could"
                + " be followed");
        return errors;
      }
      removeEntry(secure, parent, Path.of(name), mountPoints, errors);
    } catch (IOException e) {
      errors.add("remove " + parent.resolve(name) + ": " + e);
    }
    return errors;
  }

  private static void removeEntry(
      SecureDirectoryStream<Path> dir,
      Path dirPath,
      Path name,
      Set<Path> mountPoints,
      List<String> errors) {
    Path path = dirPath.resolve(name);
    if (mountPoints.contains(path)) {
      errors.add("not removing " + path + ": it is a mount point");
      return;
    }
    try {
      BasicFileAttributes attrs =
          dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes();
      if (attrs.isDirectory()) {
        int before = errors.size();
        try (SecureDirectoryStream<Path> child =
            dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          List<Path> names = new ArrayList<>();
          for (Path entry : child) {
            names.add(entry.getFileName());
          }
          for (Path entry : names) {
            removeEntry(child, path, entry, mountPoints, errors);
          }
        }
        if (errors.size() == before) {
          dir.deleteDirectory(name);
        }
      } else {
        dir.deleteFile(name);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // Already gone: removal is idempotent.
    } catch (IOException e) {
      errors.add("remove " + path + ": " + e);
    }
  }
}
