package org.ocichroothook.chroot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ocichroothook.mountinfo.MountTable;

/**
 * What the chroot code reads from {@code /proc} besides the calls in {@code Syscalls}: where an
 * open descriptor really is, and the mount table. Behind an interface so that a fake kernel can
 * answer both consistently with the descriptors and mounts it hands out.
 */
interface ProcFs {
  /** The path of the file an open descriptor holds, as {@code readlink /proc/self/fd/N} says. */
  Path whereIs(int fd) throws IOException;

  /** The text of {@code /proc/self/mountinfo}. */
  String mountinfo() throws IOException;

  /** The calling process's own. */
  ProcFs REAL =
      new ProcFs() {
        @Override
        public Path whereIs(int fd) throws IOException {
          return Files.readSymbolicLink(Path.of(Beneath.procPath(fd)));
        }

        @Override
        public String mountinfo() throws IOException {
          return MountTable.text(MountTable.SELF);
        }
      };

  /** The mounts at {@code scope} or below it (see {@link MountTable#readBelow}). */
  default MountTable mountsBelow(Path scope) throws IOException {
    return MountTable.parse(mountinfo(), scope.toString());
  }
}
