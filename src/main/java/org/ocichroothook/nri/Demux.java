package org.ocichroothook.nri;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the trunk's bytes as they arrive, in pieces of any size, and returns the complete ttrpc
 * frames they hold. The trunk carries chunks {@code [connection id u32 BE, length u32 BE, bytes]}
 * (containerd/nri's pkg/net/multiplex); each connection is a byte stream of its own, so a frame may
 * span chunks and a chunk may end inside a frame's header, or hold several frames.
 *
 * <p>Everything buffered is bounded: a chunk is at most a frame's header and 4 MiB (the mux's own
 * maximum), a frame at most 4 MiB (ttrpc's), and only connections 1 and 2 exist. Anything else is a
 * {@link ProtocolException}, and the caller drops the connection.
 */
final class Demux {
  static final int CHUNK_HEADER = 8;
  static final int MAX_CHUNK = Frame.HEADER + Frame.MAX_PAYLOAD;

  private final ByteBuffer chunkHeader = ByteBuffer.allocate(CHUNK_HEADER);
  private int chunkConn;
  private int chunkLeft = -1; // -1: reading a chunk header
  private final Stream[] streams = {new Stream(Frame.PLUGIN), new Stream(Frame.RUNTIME)};

  /** Consumes {@code length} bytes; returns the frames they completed, in order. */
  List<Frame> feed(byte[] data, int offset, int length) throws ProtocolException {
    List<Frame> frames = new ArrayList<>();
    int pos = offset;
    int end = offset + length;
    while (pos < end) {
      if (chunkLeft < 0) {
        int n = Math.min(chunkHeader.remaining(), end - pos);
        chunkHeader.put(data, pos, n);
        pos += n;
        if (chunkHeader.hasRemaining()) {
          break;
        }
        chunkHeader.flip();
        chunkConn = chunkHeader.getInt();
        long size = Integer.toUnsignedLong(chunkHeader.getInt());
        chunkHeader.clear();
        if (chunkConn != Frame.PLUGIN && chunkConn != Frame.RUNTIME) {
          throw new ProtocolException(
              "mux: a chunk for connection "
                  + Integer.toUnsignedString(chunkConn)
                  + ", not 1 or 2");
        }
        if (size > MAX_CHUNK) {
          throw new ProtocolException("mux: a chunk of " + size + " bytes exceeds " + MAX_CHUNK);
        }
        chunkLeft = (int) size;
        continue;
      }
      int n = Math.min(chunkLeft, end - pos);
      streams[chunkConn - 1].feed(data, pos, n, frames);
      pos += n;
      chunkLeft -= n;
      if (chunkLeft == 0) {
        chunkLeft = -1;
      }
    }
    return frames;
  }

  /** One connection's byte stream, cut into frames. */
  private static final class Stream {
    private final int conn;
    private final ByteBuffer header = ByteBuffer.allocate(Frame.HEADER);
    private ByteArrayOutputStream payload; // null: reading a header
    private int payloadLeft;
    private int stream;
    private int type;
    private int flags;

    Stream(int conn) {
      this.conn = conn;
    }

    void feed(byte[] data, int pos, int length, List<Frame> frames) throws ProtocolException {
      int end = pos + length;
      while (pos < end) {
        if (payload == null) {
          int n = Math.min(header.remaining(), end - pos);
          header.put(data, pos, n);
          pos += n;
          if (header.hasRemaining()) {
            return;
          }
          header.flip();
          long size = Integer.toUnsignedLong(header.getInt());
          stream = header.getInt();
          type = header.get() & 0xff;
          flags = header.get() & 0xff;
          header.clear();
          if (size > Frame.MAX_PAYLOAD) {
            throw new ProtocolException(
                "ttrpc: a message of " + size + " bytes exceeds " + Frame.MAX_PAYLOAD);
          }
          payload = new ByteArrayOutputStream((int) Math.min(size, 64 << 10));
          payloadLeft = (int) size;
        } else {
          int n = Math.min(payloadLeft, end - pos);
          payload.write(data, pos, n);
          pos += n;
          payloadLeft -= n;
        }
        if (payload != null && payloadLeft == 0) {
          frames.add(new Frame(conn, stream, type, flags, payload.toByteArray()));
          payload = null;
        }
      }
    }
  }
}
