package org.ocichroothook.ops;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.ocichroothook.chroot.Layout;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.journal.Journal;
import org.ocichroothook.journal.JournalFile;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.state.ContainerId;
import org.ocichroothook.text.Printable;

/**
 * Reads what is under the state directory, changing nothing: the container directories, their
 * journals, what is still mounted, and whether each recorded process and bundle still exists. As a
 * user who may not read everything, it shows what it can and records what it could not read.
 */
final class ChrootScanner {
  private final Path stateDir;
  private final ProcessStart processes;
  private final Instant now;
  private final List<String> problems = new ArrayList<>();

  ChrootScanner(Path stateDir, ProcessStart processes, Instant now) {
    this.stateDir = stateDir;
    this.processes = processes;
    this.now = now;
  }

  /** What could not be read, one sentence each; empty when everything was. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** The ids of the container directories, sorted; from mountinfo when the directory is closed. */
  List<String> ids(MountTable mounts) {
    TreeSet<String> ids = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(stateDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.equals(".lock")) {
          continue;
        }
        if (!isContainerId(name)) {
          problems.add(
              "skipped " + Printable.quote(String.valueOf(entry)) + ": not a container id");
        } else if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          problems.add("skipped " + Printable.quote(String.valueOf(entry)) + ": not a directory");
        } else {
          ids.add(name);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      problems.add(
          "cannot list "
              + stateDir
              + " ("
              + reason(e)
              + "): showing only the containers that have mounts there");
      if (mounts != null) {
        for (MountEntry m : mounts.atOrBelow(stateDir)) {
          Path rel = stateDir.relativize(m.mountPoint());
          if (rel.getNameCount() > 1 && isContainerId(rel.getName(0).toString())) {
            ids.add(rel.getName(0).toString());
          }
        }
      }
    }
    return List.copyOf(ids);
  }

  /** The mount table below the state directory, or null (recorded) when it cannot be read. */
  MountTable mounts() {
    try {
      return MountTable.readBelow(stateDir);
    } catch (IOException | RuntimeException e) {
      problems.add("cannot read " + MountTable.SELF + " (" + e.getMessage() + ")");
      return null;
    }
  }

  /** Everything known of container {@code id} now. */
  Chroot inspect(String id, MountTable mounts) {
    Layout layout = new Layout(stateDir, new ContainerId(id));
    Path dir = layout.containerDir();
    Journal journal = null;
    String problem = null;
    try {
      journal = JournalFile.read(layout.journal());
      if (journal == null) {
        problem = "no journal";
      } else if (!journal.id().value().equals(id)) {
        problem =
            "journal names another container, " + Printable.quote(String.valueOf(journal.id()));
        journal = null;
      }
    } catch (AccessDeniedException e) {
      problem = "journal not readable (permission denied)";
      problems.add("cannot read " + layout.journal() + " (permission denied)");
    } catch (IOException | BadInputException e) {
      problem =
          "journal unusable ("
              + Printable.bounded(String.valueOf(e.getMessage()), Printable.MAX_VALUE)
              + ")";
    }
    Instant created = null;
    if (journal != null && journal.origin() != null) {
      created = journal.origin().created();
    } else {
      try {
        created =
            Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .lastModifiedTime()
                .toInstant();
      } catch (IOException e) {
        created = null;
      }
    }
    int mounted = mounts == null ? -1 : mounts.atOrBelow(dir).size();
    Evidence evidence =
        new Evidence(
            problem,
            journal != null && journal.complete(),
            pid(journal),
            journal == null || journal.origin() == null ? null : journal.origin().pidStartTime(),
            currentStart(pid(journal)),
            journal == null ? null : journal.bundle(),
            journal == null ? null : exists(journal.bundle()),
            created == null ? null : Duration.between(created, now));
    return new Chroot(id, dir, journal, created, mounted, evidence);
  }

  private static Integer pid(Journal journal) {
    return journal == null || journal.origin() == null ? null : journal.origin().pid();
  }

  private Long currentStart(Integer pid) {
    if (pid == null) {
      return null;
    }
    try {
      return processes.of(pid);
    } catch (IOException e) {
      problems.add("cannot read the start time of process " + pid + " (" + e.getMessage() + ")");
      return null;
    }
  }

  /** Whether something is at {@code path} (not followed); null when that cannot be told. */
  private static Boolean exists(Path path) {
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    return Files.notExists(path, LinkOption.NOFOLLOW_LINKS) ? false : null;
  }

  private static boolean isContainerId(String name) {
    try {
      new ContainerId(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String reason(IOException e) {
    return e instanceof AccessDeniedException ? "permission denied" : e.toString();
  }
}
