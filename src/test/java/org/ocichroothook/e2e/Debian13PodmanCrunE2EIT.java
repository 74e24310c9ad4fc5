package org.ocichroothook.e2e;

class Debian13PodmanCrunE2EIT extends Debian13PodmanE2E {
  @Override
  String runtime() {
    return "crun";
  }

  @Override
  String binary() {
    return "/usr/bin/crun";
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
