package org.ocichroothook.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SyscallExceptionTest {

  @Test
  void namesTheCallItsArgumentsAndTheErrnoInWords() {
    SyscallException e =
        new SyscallException(
            "mount",
            Errnos.EPERM,
            "proc",
            "/run/oci-chroot-hook/c1/root/proc",
            "proc",
            new SyscallException.Hex(0xe));
    assertEquals(
        "mount(\"proc\", \"/run/oci-chroot-hook/c1/root/proc\", \"proc\", 0xe): EPERM (Operation not permitted)",
        e.getMessage());
    assertEquals(Errnos.EPERM, e.errno());
    assertEquals(
        "umount2(NULL, 0x8): EINVAL (Invalid argument)",
        new SyscallException("umount2", Errnos.EINVAL, null, new SyscallException.Hex(8))
            .getMessage());
    assertEquals("close(7): errno 4095", new SyscallException("close", 4095, 7).getMessage());
  }
}
