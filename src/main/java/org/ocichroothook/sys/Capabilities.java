package org.ocichroothook.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling process's effective capabilities, from {@code /proc/self/status}. Read as bytes, not
 * lines: a line reader brings a charset decoder and its buffers onto the hot path (~0.4 ms of a
 * prestart), for one field of ASCII.
 */
public final class Capabilities {
  public static final int CAP_SYS_ADMIN = 21;

  private static final Path STATUS = Path.of("/proc/self/status");

  /** The kernel writes ~1.5 KiB there; the read stops at this bound whatever is there. */
  static final int MAX_BYTES = 1 << 16;

  /** The field, at the start of a line: it is never the first one (that is {@code Name:}). */
  private static final byte[] FIELD = {'\n', 'C', 'a', 'p', 'E', 'f', 'f', ':'};

  private Capabilities() {}

  /** Whether the effective set holds {@code capability}; false when it cannot be read. */
  public static boolean effective(int capability) {
    long mask;
    try (InputStream in = Files.newInputStream(STATUS)) {
      mask = effectiveMask(in.readNBytes(MAX_BYTES));
    } catch (IOException e) {
      return false;
    }
    return (mask & (1L << capability)) != 0;
  }

  /**
   * The {@code CapEff} mask in the bytes of a status file: 1 to 16 hexadecimal digits after the
   * field's name and blanks, up to the end of its line; 0 (no capability) when there is no such
   * field or it holds anything else.
   */
  static long effectiveMask(byte[] status) {
    int i = indexOf(status, FIELD);
    if (i < 0) {
      return 0;
    }
    i += FIELD.length;
    while (i < status.length && (status[i] == ' ' || status[i] == '\t')) {
      i++;
    }
    long mask = 0;
    int digits = 0;
    for (; i < status.length && status[i] != '\n'; i++) {
      int digit = Character.digit(status[i], 16);
      if (digit < 0 || ++digits > 16) {
        return 0;
      }
      mask = mask << 4 | digit;
    }
    return digits == 0 ? 0 : mask;
  }

  private static int indexOf(byte[] bytes, byte[] field) {
    for (int i = 0; i + field.length <= bytes.length; i++) {
      int j = 0;
      while (j < field.length && bytes[i + j] == field[j]) {
        j++;
      }
      if (j == field.length) {
        return i;
      }
    }
    return -1;
  }
}
