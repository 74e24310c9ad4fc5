package org.ocichroothook.file;

import static org.ocichroothook.sys.Linux.S_IFBLK;
import static org.ocichroothook.sys.Linux.S_IFCHR;
import static org.ocichroothook.sys.Linux.S_IFDIR;
import static org.ocichroothook.sys.Linux.S_IFIFO;
import static org.ocichroothook.sys.Linux.S_IFLNK;
import static org.ocichroothook.sys.Linux.S_IFMT;
import static org.ocichroothook.sys.Linux.S_IFREG;
import static org.ocichroothook.sys.Linux.S_IFSOCK;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.Linux;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;

/**
 * A file the hook reads or appends to (the configuration, the log, the journal, the state
 * directory's lock, a bundle's config.json), opened so that its path cannot make the hook block or
 * act on something else: {@code openat(path, O_PATH|O_CLOEXEC[|O_NOFOLLOW])}, which never blocks
 * (not even on a FIFO, whose plain open waits for a writer forever) and opens no device; then the
 * type, owner and mode are read from {@code /proc/self/fd/N}, which is the opened inode whatever
 * happens to the path meanwhile; only a regular file is accepted, and it is reopened through {@code
 * /proc/self/fd/N} for reading or appending. No check and use of a path are ever apart.
 */
public final class RegularFile implements AutoCloseable {

  private final Syscalls sys;
  private final int fd;
  private final int uid;
  private final int gid;
  private final int mode;
  private final long size;

  private RegularFile(Syscalls sys, int fd, int uid, int gid, int mode, long size) {
    this.sys = sys;
    this.fd = fd;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
    this.size = size;
  }

  /** The file exists but is no regular file, or is larger than the caller accepts. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedException(String reason) {
      super(reason);
    }
  }

  /**
   * Opens {@code path}, which must be a regular file.
   *
   * @param followSymlinks whether a symlink as the last component is followed (the configuration
   *     may be one); with false a symlink is refused as not a regular file
   * @throws NoSuchFileException when nothing is there
   * @throws RefusedException when it is a FIFO, a device, a directory, a socket or a symlink
   */
  public static RegularFile open(Syscalls sys, Path path, boolean followSymlinks)
      throws IOException {
    int flags = Linux.O_PATH | Linux.O_CLOEXEC | (followSymlinks ? 0 : Linux.O_NOFOLLOW);
    int fd;
    try {
      fd = sys.openat(Linux.AT_FDCWD, path.toString(), flags, 0);
    } catch (SyscallException e) {
      if (e.errno() == Errnos.ENOENT) {
        throw new NoSuchFileException(path.toString());
      }
      throw new IOException(e.getMessage(), e);
    }
    try {
      Map<String, Object> a = Files.readAttributes(procPath(fd), "unix:mode,uid,gid,size");
      int mode = (Integer) a.get("mode");
      if ((mode & S_IFMT) != S_IFREG) {
        throw new RefusedException("not a regular file (" + typeName(mode) + ")");
      }
      return new RegularFile(
          sys, fd, (Integer) a.get("uid"), (Integer) a.get("gid"), mode, (Long) a.get("size"));
    } catch (IOException | RuntimeException e) {
      closeQuietly(sys, fd);
      throw e;
    }
  }

  /**
   * Opens {@code path} as {@link #open} does without following a symlink, creating it first (with
   * {@code O_CREAT|O_EXCL|O_NOFOLLOW} and {@code perms}) when nothing is there.
   */
  public static RegularFile openOrCreate(Syscalls sys, Path path, Set<PosixFilePermission> perms)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return open(sys, path, false);
      } catch (NoSuchFileException e) {
        if (attempt == 2) {
          throw e;
        }
      }
      try {
        FileChannel.open(
                path,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(perms))
            .close();
      } catch (FileAlreadyExistsException e) {
        // Made meanwhile by someone else (another hook): open what is there, checked as ever.
      }
    }
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  /** The permission bits (07777). */
  public int permissions() {
    return mode & 07777;
  }

  /**
   * Whether no one but root can have written it: owned by root ({@link TrustedOwner}) and writable
   * by no one else. The rule for every file the hook trusts (configuration, copied files, status).
   */
  public boolean rootsAlone() {
    return rootsAlone(uid, mode);
  }

  /** The same rule for a file's owner and mode read some other way (doctor's stat). */
  public static boolean rootsAlone(int uid, int mode) {
    return TrustedOwner.is(uid) && (mode & 0022) == 0;
  }

  /**
   * The whole content, refused when it is larger than {@code max} bytes: never more than {@code max
   * + 1} bytes are read, whatever the file's size says or becomes.
   */
  public byte[] readAll(int max) throws IOException {
    if (size > max) {
      throw tooLarge(max);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(procPath(fd))) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) {
      throw tooLarge(max);
    }
    return bytes;
  }

  /** The opened file, reopened for appending (O_APPEND). */
  public OutputStream appender() throws IOException {
    return new FileOutputStream(procPath(fd).toString(), true);
  }

  /** The opened file, reopened as a channel with {@code options}. */
  public FileChannel channel(OpenOption... options) throws IOException {
    return FileChannel.open(procPath(fd), options);
  }

  @Override
  public void close() {
    closeQuietly(sys, fd);
  }

  private static RefusedException tooLarge(int max) {
    return new RefusedException("larger than " + max + " bytes");
  }

  private static Path procPath(int fd) {
    return Path.of("/proc/self/fd/" + fd);
  }

  private static void closeQuietly(Syscalls sys, int fd) {
    try {
      sys.close(fd);
    } catch (SyscallException e) {
      // An O_PATH descriptor holds no data to lose.
    }
  }

  static String typeName(int mode) {
    return switch (mode & S_IFMT) {
      case S_IFIFO -> "a FIFO";
      case S_IFCHR -> "a character device";
      case S_IFDIR -> "a directory";
      case S_IFBLK -> "a block device";
      case S_IFLNK -> "a symlink";
      case S_IFSOCK -> "a socket";
      default -> "file type " + Integer.toOctalString(mode & S_IFMT);
    };
  }
}
