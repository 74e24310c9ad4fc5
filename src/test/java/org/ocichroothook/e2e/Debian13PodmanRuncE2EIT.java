package org.ocichroothook.e2e;

class Debian13PodmanRuncE2EIT extends Debian13PodmanE2E {
  @Override
  String runtime() {
    return "runc";
  }

  @Override
  String binary() {
    return "/usr/sbin/runc";
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
