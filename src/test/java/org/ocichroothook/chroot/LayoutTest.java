package org.ocichroothook.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.ocichroothook.state.ContainerId;

/** Where a container's files live, and the two values without which there is no such place. */
class LayoutTest {
  private final Layout layout = new Layout(Path.of("/run/och"), new ContainerId("c1"));

  @Test
  void placesEverythingUnderTheContainersDirectory() {
    assertEquals(Path.of("/run/och/c1"), layout.containerDir());
    assertEquals(Path.of("/run/och/c1/root"), layout.root());
    assertEquals(Path.of("/run/och/c1/journal.json"), layout.journal());
    assertEquals(Path.of("/run/och/c1/root/dev/kvm"), layout.inRoot(Path.of("dev/kvm")));
  }

  @Test
  void namesWhatIsMissing() {
    ContainerId id = new ContainerId("c1");
    assertEquals(
        "stateDir",
        assertThrows(NullPointerException.class, () -> new Layout(null, id)).getMessage());
    assertEquals(
        "id",
        assertThrows(NullPointerException.class, () -> new Layout(Path.of("/run/och"), null))
            .getMessage());
  }
}
