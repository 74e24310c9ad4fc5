package org.ocichroothook.mountinfo;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A snapshot of the calling process's mount table, from {@code /proc/self/mountinfo}. Teardown
 * trusts it, not the journal alone, to know what is still mounted: it is the kernel's own account.
 */
public final class MountTable {
  public static final Path SELF = Path.of("/proc/self/mountinfo");

  private final List<MountEntry> entries;

  private MountTable(List<MountEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static MountTable read() throws IOException {
    return read(SELF);
  }

  public static MountTable read(Path mountinfo) throws IOException {
    return parse(text(mountinfo), null);
  }

  /**
   * Only the mounts at {@code scope} or below it. A host with a thousand live chroots has thousands
   * of mounts; each hook needs the few under one directory, so the rest are never parsed into
   * entries.
   */
  public static MountTable readBelow(Path scope) throws IOException {
    return parse(text(SELF), scope.toString());
  }

  /** Far more than a real table: about 70 bytes per mount, so near a million mounts. */
  static final int MAX_BYTES = 64 << 20;

  /**
   * The text of a mountinfo file, read in large pieces: the kernel fills as much of a read as it is
   * asked for, and the file's size reads as 0, so {@code Files.readAllBytes} asks for 8 KiB at a
   * time, which on a host with 3,000 mounts (200 KiB of mountinfo) took several ms longer. The
   * buffer starts at 128 KiB, as cat's, and doubles. At most {@value #MAX_BYTES} bytes: a larger
   * table is an error, never a heap exhausted.
   */
  public static String text(Path mountinfo) throws IOException {
    return text(mountinfo, MAX_BYTES);
  }

  static String text(Path mountinfo, int maxBytes) throws IOException {
    if (maxBytes < 0 || maxBytes > MAX_BYTES) {
      throw new IllegalArgumentException("maxBytes " + maxBytes);
    }
    int limit = maxBytes + 1; // one byte more than allowed tells a larger file from one that fits
    byte[] buf = new byte[Math.min(128 << 10, limit)];
    int n = 0;
    try (InputStream in = new FileInputStream(mountinfo.toFile())) {
      while (true) {
        if (n == buf.length) {
          if (n == limit) {
            throw new IOException(mountinfo + ": larger than " + maxBytes + " bytes");
          }
          buf = Arrays.copyOf(buf, (int) Math.min(2L * n, limit));
        }
        int read = in.read(buf, n, buf.length - n);
        if (read < 0) {
          break;
        }
        n += read;
      }
    }
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }

  /** Parses mountinfo text, keeping the mounts at {@code scope} or below it (all if null). */
  public static MountTable parse(String text, String scope) {
    if (scope != null && !scope.isEmpty() && plain(scope)) {
      return parseAround(text, scope);
    }
    List<MountEntry> entries = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      if (end > start && (scope == null || inScope(text, start, end, scope))) {
        entries.add(parseLine(text.substring(start, end)));
      }
      start = end + 1;
    }
    return new MountTable(entries);
  }

  /**
   * The lines that hold {@code scope} anywhere, found by searching the whole text for it (one
   * {@code indexOf} per candidate, rather than one look at each of the table's lines), then checked
   * field by field as any line is. For a scope without the characters mountinfo escapes, the line
   * of a mount at or below it holds it as written. A poststop on a host with 1,000 chroots (3,000
   * mounts, none of the others below its scope) spent about 6 ms on the line-by-line look.
   */
  private static MountTable parseAround(String text, String scope) {
    List<MountEntry> entries = new ArrayList<>();
    int from = 0;
    for (int at = text.indexOf(scope, from); at >= 0; at = text.indexOf(scope, from)) {
      int start = text.lastIndexOf('\n', at) + 1;
      int end = text.indexOf('\n', at);
      if (end < 0) {
        end = text.length();
      }
      if (inScope(text, start, end, scope)) {
        entries.add(parseLine(text.substring(start, end)));
      }
      from = end + 1;
    }
    return new MountTable(entries);
  }

  /** Whether the line's mount point (its fifth field) is {@code scope} or below it. */
  private static boolean inScope(String text, int start, int end, String scope) {
    int field = start;
    for (int i = 0; i < 4; i++) {
      field = text.indexOf(' ', field) + 1;
      if (field <= 0 || field >= end) {
        return false;
      }
    }
    if (plain(scope) && !text.regionMatches(field, scope, 0, scope.length())) {
      // Most lines, on a host with many chroots: mountinfo escapes only space, tab, newline and
      // backslash, so a scope without them starts the field as written or not at all; no
      // substring is made (poststop reads thousands of lines there, 1,000 chroots = 3,000 mounts).
      return false;
    }
    int fieldEnd = text.indexOf(' ', field);
    String mountPoint =
        unescape(text.substring(field, fieldEnd < 0 || fieldEnd > end ? end : fieldEnd));
    return mountPoint.startsWith(scope)
        && (mountPoint.length() == scope.length()
            || mountPoint.charAt(scope.length()) == '/'
            || scope.equals("/"));
  }

  /** Whether mountinfo writes {@code s} as it is (it escapes space, tab, newline, backslash). */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Every entry, in the kernel's order: a mount appears after the mounts it sits on. */
  public List<MountEntry> entries() {
    return entries;
  }

  /** The entries at {@code dir} or anywhere below it, in mount order. */
  public List<MountEntry> atOrBelow(Path dir) {
    List<MountEntry> below = new ArrayList<>();
    for (MountEntry e : entries) {
      if (e.mountPoint().startsWith(dir)) {
        below.add(e);
      }
    }
    return List.copyOf(below);
  }

  public boolean isMountPoint(Path path) {
    for (MountEntry e : entries) {
      if (e.mountPoint().equals(path)) {
        return true;
      }
    }
    return false;
  }

  /** The topmost mount at exactly {@code path}, or null. */
  public MountEntry topmostAt(Path path) {
    MountEntry top = null;
    for (MountEntry e : entries) {
      if (e.mountPoint().equals(path)) {
        top = e;
      }
    }
    return top;
  }

  private static MountEntry parseLine(String line) {
    String[] f = line.split(" ");
    int sep = Arrays.asList(f).indexOf("-");
    if (sep < 6 || f.length < sep + 4) {
      throw new IllegalArgumentException("malformed mountinfo line: " + line);
    }
    return new MountEntry(
        Integer.parseInt(f[0]),
        Integer.parseInt(f[1]),
        unescape(f[3]),
        Path.of(unescape(f[4])),
        f[5],
        Arrays.asList(f).subList(6, sep),
        f[sep + 1],
        unescape(f[sep + 2]),
        f[sep + 3]);
  }

  /** mountinfo writes space, tab, newline and backslash in paths as {@code \ooo}. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
