package org.ocichroothook.e2e;

import java.util.List;

class PodmanRuncE2EIT extends PodmanE2E {
  @Override
  String runtime() {
    return "runc";
  }

  @Override
  List<String> runtimeArgs() {
    return List.of("--runtime", "/usr/sbin/runc");
  }

  @Override
  String platform() {
    return "kvm";
  }

  @Override
  boolean relaysHookStderr() {
    return true;
  }
}
