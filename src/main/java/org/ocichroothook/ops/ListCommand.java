package org.ocichroothook.ops;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.text.Printable;

/**
 * {@code oci-chroot-hook list [--json]}: one line per container directory. It only reads, takes no
 * lock, and works as far as the caller's permissions allow, saying on stderr what it could not
 * read.
 */
final class ListCommand {
  private ListCommand() {}

  static int run(Path stateDir, boolean json, PrintStream out, PrintStream err) throws IOException {
    ChrootScanner scanner = new ChrootScanner(stateDir, ProcessStart.host(), Instant.now());
    MountTable mounts = scanner.mounts();
    List<Chroot> chroots = new ArrayList<>();
    for (String id : scanner.ids(mounts)) {
      chroots.add(scanner.inspect(id, mounts));
    }
    if (json) {
      printJson(chroots, out);
    } else {
      printTable(chroots, out);
    }
    for (String problem : scanner.problems()) {
      err.println(Operations.NAME + ": list: " + problem);
    }
    return 0;
  }

  private static void printTable(List<Chroot> chroots, PrintStream out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "PLATFORM", "AGE", "STATUS", "PID", "MOUNTS", "BUNDLE", "REASON"});
    for (Chroot c : chroots) {
      Verdict v = c.evidence().decide(Duration.ZERO);
      Evidence e = c.evidence();
      rows.add(
          new String[] {
            Printable.bounded(String.valueOf(c.id()), Printable.MAX_VALUE),
            c.journal() == null
                ? "-"
                : Printable.bounded(String.valueOf(c.journal().platform()), Printable.MAX_VALUE),
            e.age() == null ? "-" : Ages.format(e.age()),
            v.status().label(),
            e.pid() == null ? "-" : e.pid() + (e.pidAlive() ? " (alive)" : " (gone)"),
            c.mounted() < 0 ? "?" : Integer.toString(c.mounted()),
            e.bundle() == null
                ? "-"
                : Printable.bounded(String.valueOf(e.bundle()), Printable.MAX_VALUE),
            v.reason()
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      out.println(line);
    }
  }

  private static void printJson(List<Chroot> chroots, PrintStream out) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartArray();
      for (Chroot c : chroots) {
        Evidence e = c.evidence();
        Verdict v = e.decide(Duration.ZERO);
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("platform", c.journal() == null ? null : c.journal().platform());
        g.writeStringField("created", c.created() == null ? null : c.created().toString());
        if (e.age() == null) {
          g.writeNullField("ageSeconds");
        } else {
          g.writeNumberField("ageSeconds", e.age().getSeconds());
        }
        g.writeStringField("status", v.status().label());
        g.writeStringField("reason", v.reason());
        if (e.pid() == null) {
          g.writeNullField("pid");
          g.writeNullField("pidAlive");
        } else {
          g.writeNumberField("pid", e.pid());
          g.writeBooleanField("pidAlive", e.pidAlive());
        }
        if (c.mounted() < 0) {
          g.writeNullField("mounted");
        } else {
          g.writeNumberField("mounted", c.mounted());
        }
        g.writeStringField("bundle", e.bundle() == null ? null : e.bundle().toString());
        if (c.journal() == null) {
          g.writeNullField("journalVersion");
        } else {
          g.writeNumberField("journalVersion", c.journal().version());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    out.println();
  }
}
