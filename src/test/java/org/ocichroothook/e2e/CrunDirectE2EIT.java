package org.ocichroothook.e2e;

class CrunDirectE2EIT extends DirectRuntimeE2E {
  @Override
  String runtime() {
    return "crun";
  }

  @Override
  String binary() {
    return "/usr/bin/crun";
  }

  @Override
  void beforeRuntime() throws Exception {
    env.applyCrunCgroupWorkaround();
  }
}
