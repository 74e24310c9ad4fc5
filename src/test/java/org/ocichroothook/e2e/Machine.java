package org.ocichroothook.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ocichroothook.Command;

/**
 * Where an end-to-end test's runtimes live: this host, or a root of another distribution in a mount
 * namespace of its own. Paths given to a machine are paths as its processes see them.
 */
interface Machine {
  /** Runs {@code command} on the machine with {@code env} added; stdin empty, output trimmed. */
  Command.Result run(List<String> command, Map<String, String> env);

  /** The path through which this test process reaches {@code inside}. */
  Path file(Path inside);

  /** The mount table of the machine's mount namespace, mount points as its processes see them. */
  Path mountinfo();

  /** This host, in the test JVM's private mount namespace. */
  Machine HOST =
      new Machine() {
        @Override
        public Command.Result run(List<String> command, Map<String, String> env) {
          return Command.run(command, env, null);
        }

        @Override
        public Path file(Path inside) {
          return inside;
        }

        @Override
        public Path mountinfo() {
          return Path.of("/proc/self/mountinfo");
        }
      };
}
