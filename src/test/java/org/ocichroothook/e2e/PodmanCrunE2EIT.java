package org.ocichroothook.e2e;

import java.util.List;

class PodmanCrunE2EIT extends PodmanE2E {
  @Override
  String runtime() {
    return "crun";
  }

  @Override
  List<String> runtimeArgs() {
    return List.of("--runtime", "/usr/bin/crun");
  }

  @Override
  String platform() {
    return "kvm";
  }

  /** crun sends a hook's output to /dev/null and reports only its exit code. */
  @Override
  boolean relaysHookStderr() {
    return false;
  }

  @Override
  void beforeRuntime() throws Exception {
    env.applyCrunCgroupWorkaround();
  }
}
