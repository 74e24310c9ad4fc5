package org.ocichroothook.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ocichroothook.config.Config;
import org.ocichroothook.state.ContainerState;

/**
 * Computes a container's chroot: procfs at {@code proc}, the sandbox executable at its target name,
 * then the platform's device files at their own paths (so /dev/kvm lands at {@code dev/kvm}).
 * Nothing else: the chroot is minimal by construction.
 */
public final class Planner {
  private Planner() {}

  public static MountPlan plan(ContainerState state, Config config) throws PlanException {
    String platform = PlatformSelector.select(state.annotations(), config);
    List<PlannedMount> mounts = new ArrayList<>();
    mounts.add(new PlannedMount(MountKind.PROC, "proc", Path.of("proc")));
    mounts.add(
        new PlannedMount(
            MountKind.EXECUTABLE,
            config.executable().toString(),
            Path.of(config.executableTarget())));
    for (Path device : config.platforms().get(platform)) {
      mounts.add(
          new PlannedMount(MountKind.DEVICE, device.toString(), Path.of("/").relativize(device)));
    }
    return new MountPlan(state.id(), platform, mounts);
  }
}
