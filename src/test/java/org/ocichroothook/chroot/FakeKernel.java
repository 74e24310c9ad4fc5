package org.ocichroothook.chroot;

import static org.ocichroothook.plan.MountFlags.MS_RDONLY;
import static org.ocichroothook.plan.MountFlags.MS_REMOUNT;
import static org.ocichroothook.sys.Linux.AT_FDCWD;
import static org.ocichroothook.sys.Linux.MS_PRIVATE;
import static org.ocichroothook.sys.Linux.O_DIRECTORY;
import static org.ocichroothook.sys.Linux.O_NOFOLLOW;
import static org.ocichroothook.sys.Linux.UMOUNT_NOFOLLOW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.ocichroothook.sys.Errnos;
import org.ocichroothook.sys.SyscallException;
import org.ocichroothook.sys.Syscalls;

/**
 * A kernel for rootless tests of the chroot code: files and directories are real (in a test's
 * temporary directory), while descriptors and mounts are the fake's own, and {@code
 * /proc/self/fd/N} and mountinfo answer from them. Every call is recorded, and any call can be made
 * to fail with any errno.
 */
final class FakeKernel implements Syscalls, ProcFs {
  private static final String FD_PREFIX = "/proc/self/fd/";

  /** One mount: where, what (fstype or, for a bind, the source), and whether it is read-only. */
  record Mount(int id, Path at, String what, boolean readOnly) {}

  private record Rule(String call, Predicate<List<Object>> when, int errno) {}

  private final Map<Integer, Path> fds = new TreeMap<>();
  private final List<Mount> mounts = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final List<String> calls = new ArrayList<>();
  private final List<Path> stubborn = new ArrayList<>();
  private final Map<Path, Path> moved = new TreeMap<>();
  private final List<String> procFailures = new ArrayList<>();
  private final List<Path> realFiles = new ArrayList<>();
  private final Map<Integer, Integer> realFds = new TreeMap<>();
  private final Syscalls real = org.ocichroothook.sys.SyscallsFactory.create();
  private int nextMountId = 100;

  /** Fails every later {@code call} whose arguments match, with {@code errno}. */
  FakeKernel fail(String call, Predicate<List<Object>> when, int errno) {
    rules.add(new Rule(call, when, errno));
    return this;
  }

  FakeKernel fail(String call, int errno) {
    return fail(call, args -> true, errno);
  }

  /** Makes every later read of {@code /proc} ({@code "whereIs"} or {@code "mountinfo"}) fail. */
  FakeKernel failProc(String read) {
    procFailures.add(read);
    return this;
  }

  /** A mount at {@code at} that umount2 reports taken off but that stays, as no kernel should. */
  FakeKernel stubborn(Path at) {
    stubborn.add(at);
    return this;
  }

  /** Makes {@code /proc/self/fd/N} of a descriptor opened at {@code from} say {@code to}. */
  FakeKernel moved(Path from, Path to) {
    moved.put(from, to);
    return this;
  }

  /** Mounts as if someone else had (not recorded as a call). */
  FakeKernel mounted(Path at, String what) {
    mounts.add(new Mount(nextMountId++, at, what, false));
    return this;
  }

  /**
   * Opens of {@code path} go to the real kernel, after the rules are consulted: for code that reads
   * the opened file through {@code /proc/self/fd/N}, such as a copied file's source.
   */
  FakeKernel realFile(Path path) {
    realFiles.add(path);
    return this;
  }

  List<Mount> mounts() {
    return List.copyOf(mounts);
  }

  List<Path> mountPoints() {
    return mounts.stream().map(Mount::at).toList();
  }

  /** The calls so far, one line each, rendered as in error messages but without an errno. */
  List<String> calls() {
    return List.copyOf(calls);
  }

  /** Descriptors still open: a test checks none leaked. */
  Map<Integer, Path> openDescriptors() {
    return Map.copyOf(fds);
  }

  private void enter(String call, Object... args) throws SyscallException {
    calls.add(
        call
            + "("
            + Arrays.stream(args).map(FakeKernel::render).collect(Collectors.joining(", "))
            + ")");
    List<Object> list = Arrays.asList(args);
    for (Rule r : rules) {
      if (r.call.equals(call) && r.when.test(list)) {
        throw error(call, r.errno, args);
      }
    }
  }

  private static SyscallException error(String call, int errno, Object... args) {
    Object[] shown = args.clone();
    for (int i = 0; i < shown.length; i++) {
      if (shown[i] instanceof Integer n && call.equals("openat") && i == 0) {
        shown[i] = new SyscallException.DirFd(n);
      } else if (shown[i] instanceof Long n) {
        shown[i] = new SyscallException.Hex(n);
      } else if (shown[i] instanceof Integer n && i == args.length - 1) {
        shown[i] = new SyscallException.Hex(n);
      }
    }
    return new SyscallException(call, errno, shown);
  }

  private static String render(Object arg) {
    if (arg == null) {
      return "NULL";
    }
    if (arg instanceof String s) {
      return "\"" + s + "\"";
    }
    if (arg instanceof Long n) {
      return "0x" + Long.toHexString(n);
    }
    return String.valueOf(arg);
  }

  @Override
  public int openat(int dirfd, String path, int flags, int mode) throws SyscallException {
    enter("openat", dirfd, path, flags);
    Path base;
    if (path.startsWith("/")) {
      base = Path.of("/");
    } else if (dirfd == AT_FDCWD) {
      base = Path.of("").toAbsolutePath();
    } else {
      base = fds.get(dirfd);
      if (base == null) {
        throw error("openat", 9 /* EBADF */, dirfd, path, flags);
      }
    }
    Path p = base.resolve(path).normalize();
    if (realFiles.contains(p)) {
      int fd = real.openat(dirfd, path, flags, mode);
      if (fds.containsKey(fd)) {
        throw new AssertionError("the real kernel's descriptor " + fd + " is one of the fake's");
      }
      fds.put(fd, p);
      realFds.put(fd, fd);
      return fd;
    }
    boolean symlink = Files.isSymbolicLink(p);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw error("openat", Errnos.ENOENT, dirfd, path, flags);
    }
    if (symlink && (flags & O_NOFOLLOW) != 0 && (flags & O_DIRECTORY) != 0) {
      throw error("openat", Errnos.ENOTDIR, dirfd, path, flags);
    }
    if ((flags & O_DIRECTORY) != 0 && !Files.isDirectory(p)) {
      throw error("openat", Errnos.ENOTDIR, dirfd, path, flags);
    }
    Path where;
    try {
      // The kernel follows every component but the last; the last too without O_NOFOLLOW.
      Path parent = p.getParent() == null ? p : p.getParent().toRealPath();
      where =
          (flags & O_NOFOLLOW) != 0 || p.getParent() == null
              ? parent.resolve(p.getFileName() == null ? "" : p.getFileName().toString())
              : p.toRealPath();
    } catch (IOException e) {
      throw error("openat", Errnos.ENOENT, dirfd, path, flags);
    }
    int fd = 3;
    while (fds.containsKey(fd)) {
      fd++; // the lowest free number, as the kernel gives
    }
    fds.put(fd, where);
    return fd;
  }

  @Override
  public void close(int fd) throws SyscallException {
    enter("close", fd);
    if (realFds.remove(fd) != null) {
      real.close(fd);
    }
    if (fds.remove(fd) == null) {
      throw error("close", 9 /* EBADF */, fd);
    }
  }

  /** A path as the kernel resolves it: {@code /proc/self/fd/N[/rest]} lands where N is. */
  private Path resolve(String path) {
    if (path.startsWith(FD_PREFIX)) {
      String rest = path.substring(FD_PREFIX.length());
      int slash = rest.indexOf('/');
      Path at = fds.get(Integer.parseInt(slash < 0 ? rest : rest.substring(0, slash)));
      if (at == null) {
        return null;
      }
      return slash < 0 ? at : at.resolve(rest.substring(slash + 1));
    }
    return Path.of(path);
  }

  @Override
  public void mount(String source, String target, String fstype, long flags, String data)
      throws SyscallException {
    enter("mount", source, target, fstype, flags);
    Path at = resolve(target);
    if (at == null || !Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
      throw error("mount", Errnos.ENOENT, source, target, fstype, flags);
    }
    if ((flags & MS_PRIVATE) != 0) {
      // A change of propagation: EINVAL on a path that is not a mount point, as the kernel says.
      if (mounts.stream().noneMatch(m -> m.at.equals(at))) {
        throw error("mount", Errnos.EINVAL, source, target, fstype, flags);
      }
      return;
    }
    if ((flags & MS_REMOUNT) != 0) {
      for (int i = mounts.size() - 1; i >= 0; i--) {
        Mount m = mounts.get(i);
        if (m.at.equals(at)) {
          mounts.set(i, new Mount(m.id, m.at, m.what, (flags & MS_RDONLY) != 0));
          return;
        }
      }
      throw error("mount", Errnos.EINVAL, source, target, fstype, flags);
    }
    mounts.add(new Mount(nextMountId++, at, fstype != null ? fstype : source, false));
  }

  @Override
  public void umount2(String target, int flags) throws SyscallException {
    enter("umount2", target, flags);
    Path at = resolve(target);
    if (at == null) {
      throw error("umount2", Errnos.ENOENT, target, flags);
    }
    if ((flags & UMOUNT_NOFOLLOW) != 0 && Files.isSymbolicLink(at)) {
      throw error("umount2", Errnos.EINVAL, target, flags);
    }
    for (int i = mounts.size() - 1; i >= 0; i--) {
      if (mounts.get(i).at.equals(at)) {
        if (!stubborn.contains(at)) {
          mounts.remove(i);
        }
        return;
      }
    }
    throw error("umount2", Errnos.EINVAL, target, flags);
  }

  @Override
  public Path whereIs(int fd) throws IOException {
    if (procFailures.contains("whereIs")) {
      throw new IOException(FD_PREFIX + fd + ": Input/output error");
    }
    Path at = fds.get(fd);
    if (at == null) {
      throw new IOException(FD_PREFIX + fd + ": no such descriptor");
    }
    return moved.getOrDefault(at, at);
  }

  @Override
  public String mountinfo() throws IOException {
    if (procFailures.contains("mountinfo")) {
      throw new IOException("/proc/self/mountinfo: Input/output error");
    }
    StringBuilder text = new StringBuilder();
    for (Mount m : mounts) {
      text.append(m.id)
          .append(" 1 0:1 / ")
          .append(m.at.toString().replace("\\", "\\134").replace(" ", "\\040"))
          .append(m.readOnly ? " ro - " : " rw - ")
          .append(m.what)
          .append(' ')
          .append(m.what)
          .append(" rw\n");
    }
    return text.toString();
  }
}
