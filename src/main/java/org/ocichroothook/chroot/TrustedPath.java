package org.ocichroothook.chroot;

import static org.ocichroothook.sys.Linux.S_IFDIR;
import static org.ocichroothook.sys.Linux.S_IFLNK;
import static org.ocichroothook.sys.Linux.S_IFMT;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.ocichroothook.file.TrustedOwner;

/**
 * Resolves a configured absolute path from {@code /}, one component at a time, and refuses any
 * component that someone other than root could have replaced: then whoever did would choose where
 * root creates, mounts and deletes. A component is an entry in a directory already trusted; it is
 * safe when that directory is owned by root and writable by no one but root (group root counts as
 * root), or when the directory is sticky and the entry is owned by root (as {@code /tmp/x} made by
 * root: the sticky bit stops others from renaming or unlinking it, the kernel's own
 * protected_symlinks rule). In a directory that others can write and that is not sticky, any entry
 * can be renamed away and replaced, whoever owns it. Symlinks that pass are followed textually, so
 * the result is the real path, every component of which was checked.
 *
 * <p>"Root" here is {@link TrustedOwner}: root, and also the hook's own user when that is not root.
 *
 * <p>Path-based checks suffice here: a component is accepted only when nobody but root can change
 * it, so it cannot change between the check and the use.
 */
public final class TrustedPath {
  private static final int S_ISVTX = 01000;
  private static final int MAX_SYMLINKS = 40;

  /**
   * What the walk asks the file system: behind an interface so that a test can stage what only a
   * hostile host or a race would show (a world-writable {@code /}, an entry that vanishes).
   */
  interface FileSystemCalls {
    /** The owner and mode of {@code path} itself; NoSuchFileException if there is none. */
    Stat stat(Path path) throws IOException;

    void createDirectory(Path dir, FileAttribute<?> attributes) throws IOException;

    Path readSymbolicLink(Path link) throws IOException;

    FileSystemCalls REAL =
        new FileSystemCalls() {
          @Override
          public Stat stat(Path path) throws IOException {
            Map<String, Object> a =
                Files.readAttributes(path, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            return new Stat(
                (Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode"));
          }

          @Override
          public void createDirectory(Path dir, FileAttribute<?> attributes) throws IOException {
            Files.createDirectory(dir, attributes);
          }

          @Override
          public Path readSymbolicLink(Path link) throws IOException {
            return Files.readSymbolicLink(link);
          }
        };
  }

  private final String what;
  private final Path configured;
  private final FileSystemCalls fs;

  /** Whether the last component is a file, checked as an entry and returned unfollowed. */
  private final boolean lastIsFile;

  private TrustedPath(String what, Path configured, FileSystemCalls fs) {
    this(what + " " + configured, configured, fs, false);
  }

  /** {@code what} names the path in messages as it is. */
  private TrustedPath(String what, Path configured, FileSystemCalls fs, boolean lastIsFile) {
    this.what = what;
    this.configured = configured;
    this.fs = fs;
    this.lastIsFile = lastIsFile;
  }

  /**
   * The real path of {@code configured}, or null if its last component does not exist and {@code
   * create} is null; with {@code create}, missing directories are made with those attributes.
   *
   * @param what how messages name the path, such as "state directory"
   */
  static Path resolve(String what, Path configured, FileAttribute<?> create)
      throws ChrootException {
    return resolve(what, configured, create, FileSystemCalls.REAL);
  }

  static Path resolve(String what, Path configured, FileAttribute<?> create, FileSystemCalls fs)
      throws ChrootException {
    return new TrustedPath(what, configured, fs).walk(create);
  }

  /**
   * {@code file}, a configured file (not a directory), with its directory resolved by the same rule
   * and its own entry held to it too: null when the directory or the file does not exist. The file
   * itself is not followed if it is a symlink (the caller opens it without following, and refuses
   * anything but a regular file).
   */
  public static Path resolveFile(String what, Path file) throws ChrootException {
    if (file.getFileName() == null) {
      throw new ChrootException(what + ": not a file's absolute path");
    }
    return new TrustedPath(what, file, FileSystemCalls.REAL, true).walk(null);
  }

  record Stat(int uid, int gid, int mode) {
    boolean isDirectory() {
      return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isSymlink() {
      return (mode & S_IFMT) == S_IFLNK;
    }

    /** Whether anyone but root may create, rename or unlink entries in this directory. */
    boolean othersMayWrite() {
      return !TrustedOwner.is(uid) || (mode & 0002) != 0 || ((mode & 0020) != 0 && gid != 0);
    }
  }

  private Path walk(FileAttribute<?> create) throws ChrootException {
    if (!configured.isAbsolute()) {
      throw new ChrootException(what + ": not an absolute path");
    }
    Deque<String> todo = new ArrayDeque<>();
    for (Path name : configured) {
      todo.add(name.toString());
    }
    Path dir = configured.getRoot();
    Stat dirStat = stat(dir);
    if (dirStat == null || dirStat.othersMayWrite()) {
      throw refuse(dir, "/ is writable by others than root");
    }
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.removeFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        dir = dir.getParent() == null ? dir : dir.getParent();
        dirStat = stat(dir); // an ancestor: already checked on the way down
        continue;
      }
      Path entry = dir.resolve(name);
      Stat st = stat(entry);
      boolean sticky = (dirStat.mode & S_ISVTX) != 0;
      if (dirStat.othersMayWrite() && (!sticky || !TrustedOwner.is(dirStat.uid))) {
        // Whoever may write here may rename away and replace any entry, whoever owns it.
        throw refuse(entry, describe(st) + " in " + dir + ", which " + whoMayWrite(dirStat));
      }
      if (st == null) {
        if (create == null) {
          return null;
        }
        try {
          fs.createDirectory(entry, create);
        } catch (FileAlreadyExistsException e) {
          // Someone made it meanwhile: it is checked below like any other entry.
        } catch (IOException e) {
          throw new ChrootException(what + ": cannot create " + entry + ": " + e, e);
        }
        st = stat(entry);
        if (st == null) {
          throw new ChrootException(what + ": " + entry + " vanished while it was made");
        }
      }
      if (dirStat.othersMayWrite() && !TrustedOwner.is(st.uid)) {
        // A sticky directory: only the entry's owner (and the directory's, root) may replace it.
        throw refuse(entry, describe(st) + " in " + dir + ", which " + whoMayWrite(dirStat));
      }
      if (lastIsFile && todo.isEmpty()) {
        return entry; // the file itself, held to the same rule, never followed
      }
      if (st.isSymlink()) {
        if (++links > MAX_SYMLINKS) {
          throw refuse(entry, "too many symlinks");
        }
        Path target;
        try {
          target = fs.readSymbolicLink(entry);
        } catch (IOException e) {
          throw new ChrootException(what + ": readlink " + entry + ": " + e, e);
        }
        Deque<String> rest = new ArrayDeque<>();
        for (Path n : target) {
          rest.add(n.toString());
        }
        while (!rest.isEmpty()) {
          todo.addFirst(rest.removeLast());
        }
        if (target.isAbsolute()) {
          dir = target.getRoot();
          dirStat = stat(dir);
        }
        continue;
      }
      if (!st.isDirectory()) {
        throw new ChrootException(what + ": " + entry + " is not a directory");
      }
      dir = entry;
      dirStat = st;
    }
    return dir;
  }

  private ChrootException refuse(Path component, String why) {
    return new ChrootException(what + ": refusing " + component + ": " + why);
  }

  /** Why {@code dir} is not root's alone, by the same rule as {@link Stat#othersMayWrite()}. */
  private static String whoMayWrite(Stat dir) {
    if (!TrustedOwner.is(dir.uid)) {
      return "uid " + dir.uid + " owns: someone other than root could replace it";
    }
    return ((dir.mode & 0002) != 0 ? "others can write" : "group " + dir.gid + " can write")
        + ((dir.mode & S_ISVTX) != 0 ? "" : " and is not sticky")
        + ": someone other than root could replace it";
  }

  private static String describe(Stat st) {
    if (st == null) {
      return "a missing entry";
    }
    String kind = st.isSymlink() ? "a symlink" : st.isDirectory() ? "a directory" : "a file";
    return kind + " owned by " + (st.uid == 0 ? "root" : "uid " + st.uid);
  }

  private Stat stat(Path path) throws ChrootException {
    try {
      return fs.stat(path);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new ChrootException(what + ": stat " + path + ": " + e, e);
    }
  }
}
