package org.ocichroothook.nri;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.sys.Syscalls;

/**
 * The running plugin's connection state, for {@code doctor}: one line {@code connected|disconnected
 * PID START SINCE_MILLIS SOCKET} in {@link #FILE}, replaced atomically at each change and removed
 * when the plugin stops. PID and START (the process's start time, /proc/PID/stat field 22) let a
 * reader tell a plugin that died without removing it from one still running.
 *
 * @param start the process's start time in clock ticks since boot
 * @param since when it entered this state, in milliseconds since the epoch
 */
public record PluginStatus(boolean connected, int pid, long start, long since, String socket) {
  public static final Path FILE = Path.of("/run/oci-chroot-hook-nri.status");

  private static final int MAX_BYTES = 4096;

  String line() {
    return (connected ? "connected" : "disconnected")
        + " "
        + pid
        + " "
        + start
        + " "
        + since
        + " "
        + socket
        + "\n";
  }

  /** Replaces {@code file} with this status: a new file beside it, renamed over it. */
  void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (OutputStream out =
        Files.newOutputStream(
            tmp,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      out.write(line().getBytes(StandardCharsets.UTF_8));
    }
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The status in {@code file}, or null when there is none (no plugin running). A file anyone but
   * root (or this user) could have written is refused, as the configuration is.
   */
  public static PluginStatus read(Syscalls sys, Path file) throws IOException {
    String text;
    try (RegularFile f = RegularFile.open(sys, file, false)) {
      if (!f.rootsAlone()) {
        throw new IOException(file + ": must be owned by root and writable by no one else");
      }
      text = new String(f.readAll(MAX_BYTES), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
    String[] parts = text.strip().split(" ", 5);
    try {
      if (parts.length != 5 || !(parts[0].equals("connected") || parts[0].equals("disconnected"))) {
        throw new NumberFormatException();
      }
      return new PluginStatus(
          parts[0].equals("connected"),
          Integer.parseInt(parts[1]),
          Long.parseLong(parts[2]),
          Long.parseLong(parts[3]),
          parts[4]);
    } catch (NumberFormatException e) {
      throw new IOException(file + ": not a status line");
    }
  }
}
