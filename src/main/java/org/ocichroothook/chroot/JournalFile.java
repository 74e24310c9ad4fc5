package org.ocichroothook.chroot;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ocichroothook.json.BadInputException;
import org.ocichroothook.json.JsonInput;
import org.ocichroothook.plan.MountKind;
import org.ocichroothook.state.ContainerId;

/**
 * Reads and writes a {@link Journal} durably: each write goes to a temporary file that is synced
 * and then renamed over the journal, so a reader sees the old journal or the new one, never a torn
 * one.
 */
final class JournalFile {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final int VERSION = 1;

  private JournalFile() {}

  /** Where {@link #write} puts the next journal before renaming it over {@code file}. */
  static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  static void write(Path file, Journal journal) throws IOException {
    Path tmp = temporary(file);
    Files.deleteIfExists(tmp);
    byte[] bytes = encode(journal);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The journal, or null when there is none. */
  static Journal read(Path file) throws IOException, BadInputException {
    byte[] bytes;
    try {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(file + " is a symlink");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    return decode(bytes, "journal " + file);
  }

  static byte[] encode(Journal journal) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeNumberField("version", VERSION);
      g.writeStringField("id", journal.id().value());
      g.writeStringField("bundle", journal.bundle().toString());
      g.writeStringField("platform", journal.platform());
      g.writeBooleanField("complete", journal.complete());
      g.writeObjectFieldStart("mounts");
      for (Journal.Entry e : journal.mounts()) {
        g.writeStringField(e.target().toString(), e.kind().wireName());
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
  }

  static Journal decode(byte[] bytes, String document) throws BadInputException {
    Integer version = null;
    String id = null;
    String bundle = null;
    String platform = null;
    boolean complete = false;
    Map<String, String> mounts = Map.of();
    try (JsonInput in = JsonInput.ofObject(bytes, document)) {
      for (String field = in.nextField(); field != null; field = in.nextField()) {
        switch (field) {
          case "version" -> version = in.integerOrNull(field);
          case "id" -> id = in.string(field);
          case "bundle" -> bundle = in.string(field);
          case "platform" -> platform = in.string(field);
          case "complete" -> complete = in.bool(field);
          case "mounts" -> mounts = in.stringMap(field);
          default -> throw in.unknownField(field);
        }
      }
      in.expectEnd();
    }
    if (version == null || version != VERSION || id == null || bundle == null || platform == null) {
      throw new BadInputException(document + ": not a version " + VERSION + " journal");
    }
    try {
      List<Journal.Entry> entries = new ArrayList<>();
      for (Map.Entry<String, String> m : mounts.entrySet()) {
        Path target = Path.of(m.getKey());
        if (target.isAbsolute() || !target.normalize().equals(target) || target.startsWith("..")) {
          throw new IllegalArgumentException("mount target escapes the chroot: " + target);
        }
        entries.add(new Journal.Entry(MountKind.fromWireName(m.getValue()), target));
      }
      return new Journal(new ContainerId(id), Path.of(bundle), platform, entries, complete);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(document + ": " + e.getMessage());
    }
  }
}
