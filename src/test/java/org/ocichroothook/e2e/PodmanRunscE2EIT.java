package org.ocichroothook.e2e;

import java.util.List;

/** gVisor on the ptrace platform (kvm hangs on this host: no nested virtualisation). */
class PodmanRunscE2EIT extends PodmanE2E {
  @Override
  String runtime() {
    return "runsc";
  }

  @Override
  List<String> runtimeArgs() {
    return List.of(
        "--runtime",
        "/usr/bin/runsc",
        "--runtime-flag",
        "network=none",
        "--runtime-flag",
        "allow-flag-override");
  }

  @Override
  String platform() {
    return "ptrace";
  }

  /**
   * runsc itself refuses an unknown {@code dev.gvisor.flag.platform} before any hook runs, so the
   * hook's own key is the way an unknown value reaches the hook under gVisor.
   */
  @Override
  String unknownPlatformAnnotation() {
    return "org.ocichroothook.platform";
  }

  @Override
  boolean relaysHookStderr() {
    return true;
  }
}
