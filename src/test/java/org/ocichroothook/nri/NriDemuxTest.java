package org.ocichroothook.nri;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames reassembled from the trunk however its bytes are cut. */
class NriDemuxTest {
  private static Frame frame(int conn, int stream, String text) {
    return new Frame(
        conn, stream, Frame.REQUEST, 0, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static byte[] chunk(int conn, byte[] bytes) {
    return ByteBuffer.allocate(8 + bytes.length)
        .putInt(conn)
        .putInt(bytes.length)
        .put(bytes)
        .array();
  }

  private static void assertFrames(List<Frame> expected, List<Frame> actual) {
    assertEquals(expected.size(), actual.size(), actual.toString());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).conn(), actual.get(i).conn());
      assertEquals(expected.get(i).stream(), actual.get(i).stream());
      assertEquals(expected.get(i).type(), actual.get(i).type());
      assertArrayEquals(expected.get(i).payload(), actual.get(i).payload());
    }
  }

  @Test
  void everySplitOfTheTrunkYieldsTheSameFrames() throws Exception {
    Frame a = frame(Frame.PLUGIN, 1, "configure");
    Frame b = frame(Frame.RUNTIME, 1, "");
    Frame c = frame(Frame.PLUGIN, 3, "synchronize, more");
    ByteArrayOutputStream trunk = new ByteArrayOutputStream();
    // Several frames in one chunk; a frame cut across two chunks inside its header; an empty one.
    ByteArrayOutputStream conn1 = new ByteArrayOutputStream();
    conn1.writeBytes(a.encode());
    conn1.writeBytes(c.encode());
    byte[] both = conn1.toByteArray();
    int cut = a.encode().length + 4; // inside c's header
    trunk.writeBytes(chunk(1, java.util.Arrays.copyOf(both, cut)));
    trunk.writeBytes(chunk(2, b.encode()));
    trunk.writeBytes(chunk(1, java.util.Arrays.copyOfRange(both, cut, both.length)));
    byte[] bytes = trunk.toByteArray();
    for (int piece = 1; piece <= bytes.length; piece++) {
      Demux demux = new Demux();
      List<Frame> frames = new ArrayList<>();
      for (int off = 0; off < bytes.length; off += piece) {
        frames.addAll(demux.feed(bytes, off, Math.min(piece, bytes.length - off)));
      }
      assertFrames(List.of(a, b, c), frames);
    }
    // Every two-way split, cutting the trunk's own headers too.
    for (int at = 0; at <= bytes.length; at++) {
      Demux demux = new Demux();
      List<Frame> frames = new ArrayList<>(demux.feed(bytes, 0, at));
      frames.addAll(demux.feed(bytes, at, bytes.length - at));
      assertFrames(List.of(a, b, c), frames);
    }
  }

  @Test
  void aFrameOfExactly4MibPassesOneByteMoreIsRefused() throws Exception {
    byte[] big = new byte[Frame.MAX_PAYLOAD];
    big[big.length - 1] = 7;
    byte[] encoded = new Frame(Frame.PLUGIN, 1, Frame.REQUEST, 0, big).encode();
    Demux demux = new Demux();
    List<Frame> frames = demux.feed(chunk(1, encoded), 0, encoded.length + 8);
    assertEquals(1, frames.size());
    assertEquals(7, frames.get(0).payload()[big.length - 1]);

    byte[] header =
        ByteBuffer.allocate(10)
            .putInt(Frame.MAX_PAYLOAD + 1)
            .putInt(1)
            .put((byte) 1)
            .put((byte) 0)
            .array();
    ProtocolException e =
        assertThrows(ProtocolException.class, () -> new Demux().feed(chunk(1, header), 0, 18));
    assertTrue(e.getMessage().contains("4194305 bytes exceeds 4194304"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Frame(1, 1, 1, 0, new byte[Frame.MAX_PAYLOAD + 1]));
  }

  @Test
  void aChunkLargerThanTheMuxAllowsOrForAnotherConnectionIsRefused() {
    byte[] tooLong = ByteBuffer.allocate(8).putInt(1).putInt(Demux.MAX_CHUNK + 1).array();
    assertThrows(ProtocolException.class, () -> new Demux().feed(tooLong, 0, 8));
    byte[] conn3 = ByteBuffer.allocate(8).putInt(3).putInt(1).array();
    ProtocolException e =
        assertThrows(ProtocolException.class, () -> new Demux().feed(conn3, 0, 8));
    assertTrue(e.getMessage().contains("connection 3"), e.getMessage());
    byte[] huge = ByteBuffer.allocate(8).putInt(-1).putInt(1).array();
    e = assertThrows(ProtocolException.class, () -> new Demux().feed(huge, 0, 8));
    assertTrue(e.getMessage().contains("connection 4294967295"), e.getMessage());
  }
}
