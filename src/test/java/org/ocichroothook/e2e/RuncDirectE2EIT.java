package org.ocichroothook.e2e;

class RuncDirectE2EIT extends DirectRuntimeE2E {
  @Override
  String runtime() {
    return "runc";
  }

  @Override
  String binary() {
    return "/usr/sbin/runc";
  }
}
