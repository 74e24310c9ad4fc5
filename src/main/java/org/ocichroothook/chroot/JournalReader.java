package org.ocichroothook.chroot;

import java.io.IOException;
import org.ocichroothook.json.BadInputException;

/** Reads a container's journal for the operator's commands (list, gc), which live elsewhere. */
public final class JournalReader {
  private JournalReader() {}

  /** The journal of {@code layout}'s container, either version, or null when it has none. */
  public static Journal read(Layout layout) throws IOException, BadInputException {
    return JournalFile.read(layout.journal());
  }
}
