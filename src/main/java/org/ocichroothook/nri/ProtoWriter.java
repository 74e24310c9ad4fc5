package org.ocichroothook.nri;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes protobuf's wire format (proto3): a tag is {@code field << 3 | wireType} as a varint; wire
 * type 0 carries a varint, 2 a length-delimited byte string (strings, bytes, nested messages, map
 * entries). As proto3 does, a scalar field holding its default (0, false, "") is left out, so the
 * bytes equal what Go's and Python's encoders write for the same message.
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ProtoWriter varint(int field, long value) {
    if (value != 0) {
      tag(field, VARINT);
      rawVarint(value);
    }
    return this;
  }

  ProtoWriter bool(int field, boolean value) {
    return varint(field, value ? 1 : 0);
  }

  ProtoWriter string(int field, String value) {
    if (!value.isEmpty()) {
      bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }
    return this;
  }

  /** A repeated string field: one record per element, empty ones included. */
  ProtoWriter strings(int field, Iterable<String> values) {
    for (String value : values) {
      bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }
    return this;
  }

  /** A bytes field or an embedded message, written even when empty (a present message). */
  ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  /** A {@code map<string, string>}: one entry message {key = 1, value = 2} per pair, in order. */
  ProtoWriter map(int field, Map<String, String> map) {
    map.forEach((key, value) -> message(field, new ProtoWriter().string(1, key).string(2, value)));
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
