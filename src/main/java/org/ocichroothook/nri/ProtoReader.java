package org.ocichroothook.nri;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads protobuf's wire format one field at a time: {@link #next} reads a tag, then exactly one of
 * {@link #varint}, {@link #bytes}, {@link #string}, {@link #message} or {@link #skip} reads its
 * value. Fields a caller does not know are skipped, as protobuf requires. Everything is bounded by
 * the array it reads (a ttrpc frame, at most 4 MiB); a length or varint running past it, a group
 * (wire types 3 and 4, long obsolete), or a string that is not UTF-8 is a {@link
 * ProtocolException}.
 */
final class ProtoReader {
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private final byte[] buf;
  private final int end;
  private int pos;
  private int field;
  private int wireType;

  ProtoReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  private ProtoReader(byte[] buf, int offset, int end) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  /** Reads the next tag; false at the end of the message. */
  boolean next() throws ProtocolException {
    if (pos >= end) {
      return false;
    }
    long tag = rawVarint();
    field = (int) (tag >>> 3);
    wireType = (int) (tag & 7);
    if (field <= 0 || tag >>> 3 > 0x1fffffff) {
      throw new ProtocolException("protobuf: invalid field number " + (tag >>> 3));
    }
    return true;
  }

  int field() {
    return field;
  }

  long varint() throws ProtocolException {
    expect(VARINT);
    return rawVarint();
  }

  boolean bool() throws ProtocolException {
    return varint() != 0;
  }

  byte[] bytes() throws ProtocolException {
    int length = length();
    byte[] value = Arrays.copyOfRange(buf, pos, pos + length);
    pos += length;
    return value;
  }

  String string() throws ProtocolException {
    int length = length();
    try {
      String value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, pos, length))
              .toString();
      pos += length;
      return value;
    } catch (CharacterCodingException e) {
      throw new ProtocolException("protobuf: field " + field + " is not UTF-8");
    }
  }

  /** The embedded message, read in place. */
  ProtoReader message() throws ProtocolException {
    int length = length();
    ProtoReader nested = new ProtoReader(buf, pos, pos + length);
    pos += length;
    return nested;
  }

  /** Skips the value of a field this reader does not know. */
  void skip() throws ProtocolException {
    switch (wireType) {
      case VARINT -> rawVarint();
      case FIXED64 -> advance(8);
      case LENGTH_DELIMITED -> advance(length());
      case FIXED32 -> advance(4);
      default ->
          throw new ProtocolException(
              "protobuf: field " + field + " has unsupported wire type " + wireType);
    }
  }

  private int length() throws ProtocolException {
    expect(LENGTH_DELIMITED);
    long length = rawVarint();
    if (length < 0 || length > end - pos) {
      throw new ProtocolException(
          "protobuf: field " + field + " claims " + length + " bytes, " + (end - pos) + " left");
    }
    return (int) length;
  }

  private void advance(int count) throws ProtocolException {
    if (count > end - pos) {
      throw new ProtocolException("protobuf: field " + field + " runs past the message");
    }
    pos += count;
  }

  private void expect(int type) throws ProtocolException {
    if (wireType != type) {
      throw new ProtocolException(
          "protobuf: field " + field + " has wire type " + wireType + ", expected " + type);
    }
  }

  private long rawVarint() throws ProtocolException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw new ProtocolException("protobuf: a varint runs past the message");
      }
      byte b = buf[pos++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new ProtocolException("protobuf: a varint longer than 10 bytes");
  }
}
