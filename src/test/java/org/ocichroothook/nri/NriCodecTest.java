package org.ocichroothook.nri;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ocichroothook.Fixtures;

/**
 * The codec against spec-fixtures/nri: bytes written by the reference protobuf implementation
 * (Debian's python3-protobuf, make-golden.py there), so that this codec's encoding is the one
 * containerd's Go decoder expects, and what containerd sends is read field by field, skipping the
 * fields the plugin does not use.
 */
class NriCodecTest {
  private static final HookSpec OURS =
      new HookSpec(
          "/usr/local/bin/oci-chroot-hook",
          List.of("oci-chroot-hook"),
          List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
          30);

  static byte[] golden(String name) throws IOException {
    return Files.readAllBytes(Fixtures.dir().resolve("nri").resolve(name));
  }

  @Test
  void registerPluginByHand() throws Exception {
    // Field 1 (plugin_name), wire type 2: tag 0x0a, length 15; field 2 (plugin_idx): 0x12, 2.
    byte[] expected = HexFormat.of().parseHex("0a0f" + hex("oci-chroot-hook") + "1202" + hex("50"));
    assertArrayEquals(expected, golden("register-plugin-request.bin"));
    assertArrayEquals(expected, Nri.registerPlugin("oci-chroot-hook", "50"));
  }

  @Test
  void theRegisterRequestAsItTravelsOnTheTrunk() throws Exception {
    byte[] request =
        new Ttrpc.Request(
                Nri.RUNTIME_SERVICE,
                "RegisterPlugin",
                Nri.registerPlugin("oci-chroot-hook", "50"),
                0)
            .encode();
    assertArrayEquals(golden("ttrpc-register-request.bin"), request);
    byte[] frame = new Frame(Frame.RUNTIME, 1, Frame.REQUEST, 0, request).encode();
    byte[] chunk = golden("trunk-register-chunk.bin");
    assertEquals(8 + frame.length, chunk.length);
    assertArrayEquals(
        HexFormat.of().parseHex("00000002" + String.format("%08x", frame.length)),
        java.util.Arrays.copyOf(chunk, 8));
    assertArrayEquals(frame, java.util.Arrays.copyOfRange(chunk, 8, chunk.length));
    Ttrpc.Request back = Ttrpc.Request.decode(request);
    assertEquals("RegisterPlugin", back.method());
    assertEquals(Nri.RUNTIME_SERVICE, back.service());
  }

  @Test
  void answersEncodeAsTheReferenceDoes() throws Exception {
    assertArrayEquals(
        golden("configure-response.bin"), Nri.configureResponse(Nri.CREATE_CONTAINER_MASK));
    assertEquals(8, Nri.CREATE_CONTAINER_MASK);
    assertArrayEquals(golden("synchronize-response-more.bin"), Nri.synchronizeResponse(true));
    assertArrayEquals(golden("synchronize-response-last.bin"), Nri.synchronizeResponse(false));
    assertEquals(0, golden("synchronize-response-last.bin").length, "proto3 leaves false out");
    assertArrayEquals(
        golden("create-container-response-adjust.bin"),
        Nri.createContainerResponse(
            Map.of("org.ocichroothook.platform", "kvm"), List.of(OURS), List.of(OURS)));
    assertArrayEquals(new byte[0], Nri.createContainerResponse(Map.of(), List.of(), List.of()));
  }

  @Test
  void ttrpcResponsesEncodeAndDecode() throws Exception {
    byte[] refused = Ttrpc.Response.error(3, "oci-chroot-hook: refused").encode();
    assertArrayEquals(golden("ttrpc-response-refused.bin"), refused);
    byte[] ok = Ttrpc.Response.ok(Nri.configureResponse(8)).encode();
    assertArrayEquals(golden("ttrpc-response-ok.bin"), ok);
    Ttrpc.Response r = Ttrpc.Response.decode(refused);
    assertEquals(3, r.code());
    assertEquals("oci-chroot-hook: refused", r.message());
    assertArrayEquals(Nri.configureResponse(8), Ttrpc.Response.decode(ok).payload());
  }

  @Test
  void readsContainerdsConfigureAndSynchronize() throws Exception {
    Nri.Configure c = Nri.Configure.decode(golden("configure-request.bin"));
    assertEquals(new Nri.Configure("containerd", "v1.7.24", 2000), c);
    assertTrue(Nri.synchronizeMore(golden("synchronize-request-more.bin")));
    assertFalse(Nri.synchronizeMore(new byte[0]));
  }

  @Test
  void readsCreateContainerSkippingWhatItDoesNotUse() throws Exception {
    Nri.CreateContainer r = Nri.CreateContainer.decode(golden("create-container-request.bin"));
    assertEquals(
        new Nri.Pod(
            "0123abcd",
            "sandboxed",
            "team-a",
            Map.of("dev.gvisor.flag.platform", "kvm", "io.kubernetes.cri.sandbox-id", "0123abcd")),
        r.pod());
    Nri.Container c = r.container();
    assertEquals("4567ef01", c.id());
    assertEquals("app", c.name());
    assertEquals(
        Map.of(
            "io.kubernetes.cri.container-type",
            "container",
            "org.ocichroothook.platform",
            "ptrace"),
        c.annotations());
    assertEquals(
        List.of(new HookSpec("/opt/other/prestart", List.of("prestart-tool"), OURS.env(), 5)),
        c.prestart());
    assertEquals(List.of(OURS), c.poststop());
  }

  @Test
  void malformedInputIsAProtocolError() {
    // A length past the end, a varint past the end, a group, a string that is not UTF-8.
    for (String hex : List.of("0a05616263", "0880", "0b", "0a02c328")) {
      byte[] bytes = HexFormat.of().parseHex(hex);
      assertThrows(ProtocolException.class, () -> Nri.CreateContainer.decode(bytes), hex);
    }
  }

  @Test
  void largeVarintsAndUnknownWireTypesRoundTrip() throws Exception {
    assertEquals(
        "08ac02", HexFormat.of().formatHex(new ProtoWriter().varint(1, 300).toByteArray()));
    byte[] timeout = new ProtoWriter().varint(4, Long.MAX_VALUE).toByteArray();
    assertEquals("20ffffffffffffffff7f", HexFormat.of().formatHex(timeout));
    assertEquals(Long.MAX_VALUE, Ttrpc.Request.decode(timeout).timeoutNanos());
    // fixed64 (wire type 1) and fixed32 (5) fields are skipped.
    byte[] withFixed = HexFormat.of().parseHex("110102030405060708" + "2501020304" + "1801");
    assertTrue(Nri.synchronizeMore(withFixed));
    // A known field with the wrong wire type is refused, not misread.
    assertThrows(
        ProtocolException.class, () -> Ttrpc.Request.decode(HexFormat.of().parseHex("0801")));
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static Path dir() {
    return Fixtures.dir().resolve("nri");
  }
}
