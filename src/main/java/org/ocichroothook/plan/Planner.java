package org.ocichroothook.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfiguredFile;
import org.ocichroothook.config.DeviceSet;
import org.ocichroothook.state.ContainerState;

/**
 * Computes a container's chroot: a tmpfs root; a read-only procfs at {@code proc}; the sandbox
 * executable at its target name (unless there is none); the platform's device files and /sys
 * directories at their own paths (so /dev/kvm lands at {@code dev/kvm}); the configured files; and
 * last the seal that makes the root read-only. Nothing else: the chroot is minimal by construction.
 */
public final class Planner {
  /** The root's tmpfs holds directories and empty mount targets besides the copied files. */
  static final long BASE_SIZE_BYTES = 64 << 10;

  /** Inodes beyond one per path component of each target. */
  static final long BASE_INODES = 16;

  private Planner() {}

  public static MountPlan plan(ContainerState state, Config config) throws PlanException {
    String platform = PlatformSelector.select(state.annotations(), config);
    DeviceSet devices = config.platforms().get(platform);
    List<Step> rest = new ArrayList<>();
    rest.add(new ProcMount());
    if (config.executable() != null) {
      rest.add(new ReadOnlyBind(config.executable(), Path.of(config.executableTarget())));
    }
    for (Path device : devices.devices()) {
      rest.add(new DeviceBind(device, inChroot(device)));
    }
    for (Path dir : devices.sysfs()) {
      rest.add(new SysfsBind(dir, inChroot(dir)));
    }
    for (ConfiguredFile file : config.files()) {
      rest.add(new CopiedFile(file.source(), inChroot(file.path()), file.optional()));
    }
    long inodes = BASE_INODES;
    for (Step step : rest) {
      inodes +=
          (step instanceof CopiedFile f ? f.target() : ((MountStep) step).target()).getNameCount();
    }
    long size = BASE_SIZE_BYTES + (long) config.files().size() * CopiedFile.MAX_BYTES;
    List<Step> steps = new ArrayList<>();
    steps.add(new TmpfsRoot(size, inodes));
    steps.addAll(rest);
    steps.add(Seal.DEFAULT);
    return new MountPlan(state.id(), platform, steps);
  }

  private static Path inChroot(Path hostPath) {
    return Path.of("/").relativize(hostPath);
  }
}
