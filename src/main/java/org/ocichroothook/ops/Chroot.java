package org.ocichroothook.ops;

import java.nio.file.Path;
import java.time.Instant;
import org.ocichroothook.journal.Journal;

/**
 * One container directory under the state directory, as {@code list} shows it and gc judges it.
 *
 * @param journal null when there is none or it could not be read ({@link Evidence#journalProblem})
 * @param created when prestart began: from the journal (version 2), else the directory's mtime
 * @param mounted how many mounts are at or below the directory now; -1 when unknown
 */
record Chroot(
    String id, Path dir, Journal journal, Instant created, int mounted, Evidence evidence) {}
