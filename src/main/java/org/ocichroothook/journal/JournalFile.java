package org.ocichroothook.journal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ocichroothook.file.FileMode;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.json.JsonInput;
import org.ocichroothook.log.UtcTimestamp;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.state.ContainerId;

/**
 * Reads and writes a {@link Journal} durably: each write goes to a temporary file that is synced
 * and then renamed over the journal, so a reader sees the old journal or the new one, never a torn
 * one.
 */
public final class JournalFile {
  private static final JsonFactory FACTORY = new JsonFactory();

  private static final FileAttribute<Set<PosixFilePermission>> MODE =
      PosixFilePermissions.asFileAttribute(FileMode.permissions(0600));

  /** The largest journal read: thousands of times a real one. */
  static final int MAX_BYTES = 1 << 20;

  private JournalFile() {}

  /** Where {@link #write} puts the next journal before renaming it over {@code file}. */
  public static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  public static void write(Path file, Journal journal) throws IOException {
    Path tmp = temporary(file);
    Files.deleteIfExists(tmp);
    byte[] bytes = encode(journal);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            MODE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The journal, or null when there is none. It must be a regular file (a symlink is refused, a
   * FIFO is never opened) of at most {@value #MAX_BYTES} bytes: a real journal is a few hundred
   * bytes, and a larger one is refused before it could exhaust the heap. Only root can create files
   * beside it ({@code <stateDir>/<id>} is root's alone), so the type is checked on the path just
   * before the open; the size is checked on the opened file and the read is bounded anyway.
   */
  public static Journal read(Path file) throws IOException, BadInputException {
    String document = "journal " + file;
    try {
      BasicFileAttributes attrs =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isRegularFile()) {
        throw new BadInputException(document + ": not a regular file");
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    byte[] bytes;
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        InputStream in = Channels.newInputStream(ch)) {
      if (ch.size() > MAX_BYTES) {
        throw new BadInputException(document + ": larger than " + MAX_BYTES + " bytes");
      }
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length > MAX_BYTES) {
      throw new BadInputException(document + ": larger than " + MAX_BYTES + " bytes");
    }
    return decode(bytes, document);
  }

  /**
   * Version 3 (as version 2): the mounts as an ordered array of {@code "KIND:TARGET"} strings
   * (unmount order must not depend on an object's key order), and the origin. {@code pidStartTime}
   * is a string because clock ticks after boot outgrow a JSON reader's int after 248 days at 100
   * Hz. A journal without an origin is written as version 1, exactly as 0.1.0 wrote it.
   */
  static byte[] encode(Journal journal) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeNumberField("version", journal.version());
      g.writeStringField("id", journal.id().value());
      g.writeStringField("bundle", journal.bundle().toString());
      g.writeStringField("platform", journal.platform());
      g.writeBooleanField("complete", journal.complete());
      Journal.Origin origin = journal.origin();
      if (origin == null) {
        g.writeObjectFieldStart("mounts");
        for (Journal.Entry e : journal.mounts()) {
          g.writeStringField(e.target().toString(), e.kind().wireName());
        }
        g.writeEndObject();
      } else {
        g.writeArrayFieldStart("mounts");
        for (Journal.Entry e : journal.mounts()) {
          g.writeString(e.kind().wireName() + ":" + e.target());
        }
        g.writeEndArray();
        if (origin.pid() != null) {
          g.writeNumberField("pid", origin.pid());
          g.writeStringField("pidStartTime", Long.toString(origin.pidStartTime()));
        }
        // java.time's formatter costs a prestart 10-20 ms of class loading (measured, JDK 25, C1).
        g.writeStringField("created", UtcTimestamp.format(origin.created().toEpochMilli()));
        g.writeStringField("hookVersion", origin.hookVersion());
      }
      g.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * Reads version 1 (0.1.0: mounts as an object of target to kind), version 2 and version 3 (the
   * same shape as 2, with the newer kinds).
   */
  static Journal decode(byte[] bytes, String document) throws BadInputException {
    Integer version = null;
    String id = null;
    String bundle = null;
    String platform = null;
    boolean complete = false;
    List<String[]> mounts = new ArrayList<>();
    Integer pid = null;
    String pidStartTime = null;
    String created = null;
    String hookVersion = null;
    try (JsonInput in = JsonInput.ofObject(bytes, document)) {
      for (String field = in.nextField(); field != null; field = in.nextField()) {
        switch (field) {
          case "version" -> version = in.integerOrNull(field);
          case "id" -> id = in.string(field);
          case "bundle" -> bundle = in.string(field);
          case "platform" -> platform = in.string(field);
          case "complete" -> complete = in.bool(field);
          case "mounts" -> {
            // Both versions write "version" first; its value says which shape follows.
            if (version != null && version == 1) {
              for (Map.Entry<String, String> m : in.stringMap(field).entrySet()) {
                mounts.add(new String[] {m.getValue(), m.getKey()});
              }
            } else if (version != null && (version == 2 || version == Journal.VERSION)) {
              for (String mount : in.stringList(field)) {
                int colon = mount.indexOf(':');
                if (colon < 0) {
                  throw new BadInputException(
                      document + ": mount \"" + mount + "\" is not KIND:TARGET");
                }
                mounts.add(new String[] {mount.substring(0, colon), mount.substring(colon + 1)});
              }
            } else {
              throw new BadInputException(document + ": \"version\" must come before \"mounts\"");
            }
          }
          case "pid" -> pid = withOrigin(in, field, version).integerOrNull(field);
          case "pidStartTime" -> pidStartTime = withOrigin(in, field, version).string(field);
          case "created" -> created = withOrigin(in, field, version).string(field);
          case "hookVersion" -> hookVersion = withOrigin(in, field, version).string(field);
          default -> throw in.unknownField(field);
        }
      }
      in.expectEnd();
    }
    if (version == null
        || version < 1
        || version > Journal.VERSION
        || id == null
        || bundle == null
        || platform == null) {
      throw new BadInputException(document + ": not a version 1, 2 or 3 journal");
    }
    try {
      List<Journal.Entry> entries = new ArrayList<>();
      for (String[] m : mounts) {
        entries.add(new Journal.Entry(MountKind.fromWireName(m[0]), Path.of(m[1])));
      }
      Journal.Origin origin = null;
      if (version >= 2) {
        if (created == null || hookVersion == null) {
          throw new IllegalArgumentException(
              "a version " + version + " journal needs created and hookVersion");
        }
        origin =
            new Journal.Origin(
                pid,
                pidStartTime == null ? null : Long.parseLong(pidStartTime),
                created(created),
                hookVersion);
      }
      return new Journal(
          new ContainerId(id), Path.of(bundle), platform, entries, complete, origin, version);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new BadInputException(document + ": " + e.getMessage());
    }
  }

  /** The journal's creation time: the shape it writes, read without java.time's parser. */
  private static Instant created(String text) {
    long millis = UtcTimestamp.parse(text);
    return millis == Long.MIN_VALUE ? Instant.parse(text) : Instant.ofEpochMilli(millis);
  }

  private static JsonInput withOrigin(JsonInput in, String field, Integer version)
      throws BadInputException {
    if (version == null || version < 2) {
      throw in.unknownField(field);
    }
    return in;
  }
}
