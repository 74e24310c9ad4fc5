package org.ocichroothook.nri;

/**
 * ttrpc's envelope messages (containerd/ttrpc's request.proto): {@code Request{service = 1, method
 * = 2, payload = 3, timeout_nano = 4}} and {@code Response{status = 1, payload = 2}}, whose status
 * is google.rpc's {@code Status{code = 1, message = 2}}.
 */
final class Ttrpc {
  /** gRPC status codes this plugin answers with. */
  static final int INVALID_ARGUMENT = 3;

  static final int UNIMPLEMENTED = 12;

  private Ttrpc() {}

  record Request(String service, String method, byte[] payload, long timeoutNanos) {
    byte[] encode() {
      ProtoWriter w = new ProtoWriter().string(1, service).string(2, method);
      if (payload.length > 0) {
        w.bytes(3, payload);
      }
      return w.varint(4, timeoutNanos).toByteArray();
    }

    static Request decode(byte[] bytes) throws ProtocolException {
      String service = "";
      String method = "";
      byte[] payload = new byte[0];
      long timeout = 0;
      ProtoReader r = new ProtoReader(bytes);
      while (r.next()) {
        switch (r.field()) {
          case 1 -> service = r.string();
          case 2 -> method = r.string();
          case 3 -> payload = r.bytes();
          case 4 -> timeout = r.varint();
          default -> r.skip();
        }
      }
      return new Request(service, method, payload, timeout);
    }
  }

  /**
   * @param code 0 for success, else a gRPC status code with {@code message} saying why
   */
  record Response(int code, String message, byte[] payload) {
    static Response ok(byte[] payload) {
      return new Response(0, "", payload);
    }

    static Response error(int code, String message) {
      return new Response(code, message, new byte[0]);
    }

    byte[] encode() {
      ProtoWriter w = new ProtoWriter();
      if (code != 0) {
        w.message(1, new ProtoWriter().varint(1, code).string(2, message));
      }
      if (payload.length > 0) {
        w.bytes(2, payload);
      }
      return w.toByteArray();
    }

    static Response decode(byte[] bytes) throws ProtocolException {
      int code = 0;
      String message = "";
      byte[] payload = new byte[0];
      ProtoReader r = new ProtoReader(bytes);
      while (r.next()) {
        switch (r.field()) {
          case 1 -> {
            ProtoReader status = r.message();
            while (status.next()) {
              switch (status.field()) {
                case 1 -> code = (int) status.varint();
                case 2 -> message = status.string();
                default -> status.skip();
              }
            }
          }
          case 2 -> payload = r.bytes();
          default -> r.skip();
        }
      }
      return new Response(code, message, payload);
    }
  }
}
