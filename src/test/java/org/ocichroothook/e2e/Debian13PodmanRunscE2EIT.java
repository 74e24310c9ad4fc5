package org.ocichroothook.e2e;

import java.util.List;

/**
 * gVisor 2024 (Debian 13's runsc) under podman 5, asking for the systrap platform through gVisor's
 * own annotation: systrap is this runsc's default and runs on this host (it needs no
 * virtualisation, unlike kvm); the hook builds the same chroot as for ptrace.
 */
class Debian13PodmanRunscE2EIT extends Debian13PodmanE2E {
  @Override
  String runtime() {
    return "runsc";
  }

  @Override
  String binary() {
    return "/usr/bin/runsc";
  }

  @Override
  List<String> runtimeArgs() {
    return List.of(
        "--runtime",
        binary(),
        "--runtime-flag",
        "network=none",
        "--runtime-flag",
        "allow-flag-override");
  }

  /** gVisor's releases are dates: "runsc version 0.0~20240729.0" is 20240729. */
  @Override
  String runtimeVersion() {
    return version(List.of(binary(), "--version"), "~(\\d{8})");
  }

  @Override
  String platform() {
    return "systrap";
  }

  /** runsc refuses an unknown {@code dev.gvisor.flag.platform} itself, before any hook runs. */
  @Override
  String unknownPlatformAnnotation() {
    return "org.ocichroothook.platform";
  }

  @Override
  boolean relaysHookStderr() {
    return true;
  }
}
