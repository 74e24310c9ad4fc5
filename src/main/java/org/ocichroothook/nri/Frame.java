package org.ocichroothook.nri;

import java.nio.ByteBuffer;

/**
 * One ttrpc message on one multiplexed connection: its 10-byte header is {@code [length u32 BE,
 * stream id u32 BE, type u8, flags u8]}, then {@code length} bytes of protobuf.
 *
 * @param conn the multiplexed connection it came on ({@link #PLUGIN} or {@link #RUNTIME})
 * @param type {@link #REQUEST} or {@link #RESPONSE} (ttrpc's streaming types are not used by NRI)
 */
record Frame(int conn, int stream, int type, int flags, byte[] payload) {
  /** The connection that carries the Plugin service: containerd calls the plugin. */
  static final int PLUGIN = 1;

  /** The connection that carries the Runtime service: the plugin calls containerd. */
  static final int RUNTIME = 2;

  static final int REQUEST = 1;
  static final int RESPONSE = 2;

  static final int HEADER = 10;

  /** ttrpc's own limit on a message (its messageLengthMax), checked on both ends. */
  static final int MAX_PAYLOAD = 4 << 20;

  Frame {
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "a ttrpc message of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
    }
  }

  /** The frame's header and payload, as they travel inside the multiplexed connection. */
  byte[] encode() {
    return ByteBuffer.allocate(HEADER + payload.length)
        .putInt(payload.length)
        .putInt(stream)
        .put((byte) type)
        .put((byte) flags)
        .put(payload)
        .array();
  }
}
