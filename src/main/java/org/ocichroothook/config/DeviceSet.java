package org.ocichroothook.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a platform's chroot needs from the host: device files under /dev, bound as devices, and
 * directories under /sys (accelerators' IOMMU groups, PCI devices, InfiniBand ports), bound
 * read-only. Each at the same path in the chroot. {@link Config} checks the paths and names the
 * key.
 */
public record DeviceSet(List<Path> devices, List<Path> sysfs) {
  public static final DeviceSet EMPTY = new DeviceSet(List.of(), List.of());

  public DeviceSet {
    devices = List.copyOf(devices);
    sysfs = List.copyOf(sysfs);
  }

  /** The old shape, a list of paths: each under /dev is a device, each under /sys a directory. */
  public static DeviceSet of(List<Path> paths) {
    // Loops, not streams: the configuration is read on the hot path, which spins no lambdas.
    List<Path> devices = new ArrayList<>();
    List<Path> sysfs = new ArrayList<>();
    for (Path p : paths) {
      (p.startsWith(Config.SYS) ? sysfs : devices).add(p);
    }
    return new DeviceSet(devices, sysfs);
  }
}
