package org.ocichroothook.nri;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.ocichroothook.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the runtime's NRI socket, from registration to its end. Everything happens on
 * the calling thread: it registers, then reads the trunk and answers each request as it comes
 * (containerd waits for each answer, {@code plugin_request_timeout}, 2 s by default, so there is
 * never more than one in flight and an answer takes well under a millisecond of work).
 */
final class Session {
  /** How a session ended, when the runtime ended it. */
  enum End {
    /** The runtime closed the socket (it stopped or restarted). */
    CLOSED,
    /** The runtime asked the plugin to shut down. */
    SHUTDOWN
  }

  static final String NAME = "oci-chroot-hook";

  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final int REGISTER_STREAM = 1;

  private final SocketChannel channel;
  private final Policy policy;
  private final String index;
  private final Runnable onConfigured;
  private final Demux demux = new Demux();
  private volatile boolean configured;

  /**
   * @param onConfigured run once the runtime has configured the plugin (it is then in use)
   */
  Session(SocketChannel channel, Policy policy, String index, Runnable onConfigured) {
    this.channel = channel;
    this.policy = policy;
    this.index = index;
    this.onConfigured = onConfigured;
  }

  /** Whether the runtime accepted the registration and configured the plugin. */
  boolean configured() {
    return configured;
  }

  End run() throws IOException {
    byte[] register = Nri.registerPlugin(NAME, index);
    write(
        new Frame(
            Frame.RUNTIME,
            REGISTER_STREAM,
            Frame.REQUEST,
            0,
            new Ttrpc.Request(Nri.RUNTIME_SERVICE, "RegisterPlugin", register, 0).encode()));
    ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n < 0) {
        return End.CLOSED;
      }
      List<Frame> frames = demux.feed(buffer.array(), 0, n);
      for (Frame frame : frames) {
        if (handle(frame)) {
          return End.SHUTDOWN;
        }
      }
    }
  }

  /** Handles one frame; true when it was the runtime's Shutdown. */
  private boolean handle(Frame frame) throws IOException {
    if (frame.conn() == Frame.RUNTIME && frame.type() == Frame.RESPONSE) {
      Ttrpc.Response response = Ttrpc.Response.decode(frame.payload());
      if (frame.stream() != REGISTER_STREAM) {
        throw new ProtocolException(
            "ttrpc: a response to stream " + frame.stream() + " never sent");
      }
      if (response.code() != 0) {
        throw new IOException(
            "the runtime refused the registration: " + Printable.line(response.message()));
      }
      LOG.info("registered as {}-{}", index, NAME);
      return false;
    }
    if (frame.conn() != Frame.PLUGIN || frame.type() != Frame.REQUEST) {
      throw new ProtocolException(
          "ttrpc: a message of type " + frame.type() + " on connection " + frame.conn());
    }
    Ttrpc.Request request = Ttrpc.Request.decode(frame.payload());
    boolean shutdown = false;
    Ttrpc.Response response;
    if (!request.service().equals(Nri.PLUGIN_SERVICE)) {
      response = unimplemented(request);
    } else {
      try {
        switch (request.method()) {
          case "Configure" -> response = configure(request.payload());
          case "Synchronize" ->
              response =
                  Ttrpc.Response.ok(
                      Nri.synchronizeResponse(Nri.synchronizeMore(request.payload())));
          case "CreateContainer" -> response = createContainer(request.payload());
          case "StateChange" -> response = Ttrpc.Response.ok(new byte[0]);
          case "Shutdown" -> {
            response = Ttrpc.Response.ok(new byte[0]);
            shutdown = true;
          }
          default -> response = unimplemented(request);
        }
      } catch (ProtocolException e) {
        LOG.error("{}: cannot read the request: {}", request.method(), e.getMessage());
        response = Ttrpc.Response.error(Ttrpc.INVALID_ARGUMENT, NAME + ": " + e.getMessage());
      }
    }
    write(new Frame(Frame.PLUGIN, frame.stream(), Frame.RESPONSE, 0, response.encode()));
    return shutdown;
  }

  private Ttrpc.Response configure(byte[] payload) throws ProtocolException {
    Nri.Configure configure = Nri.Configure.decode(payload);
    if (!configured) {
      configured = true;
      onConfigured.run();
    }
    // containerd 1.7 sends no request timeout (its default is 2 s); 2.x sends its setting.
    LOG.info(
        "configured by {} {} (request timeout {}): subscribing to CreateContainer",
        Printable.bounded(configure.runtimeName(), Printable.MAX_VALUE),
        Printable.bounded(configure.runtimeVersion(), Printable.MAX_VALUE),
        configure.requestTimeoutMillis() > 0
            ? configure.requestTimeoutMillis() + " ms"
            : "not given, containerd's default 2 s");
    return Ttrpc.Response.ok(Nri.configureResponse(Nri.CREATE_CONTAINER_MASK));
  }

  private Ttrpc.Response createContainer(byte[] payload) throws ProtocolException {
    Nri.CreateContainer request = Nri.CreateContainer.decode(payload);
    Nri.Container container = request.container();
    Decision decision =
        policy.decide(
            request.pod().annotations(),
            container.annotations(),
            container.prestart(),
            container.poststop());
    LOG.info(
        "[{}] CreateContainer {} in pod {}/{}: {}",
        Printable.bounded(container.id(), Printable.MAX_VALUE),
        Printable.quote(container.name()),
        Printable.bounded(request.pod().namespace(), Printable.MAX_VALUE),
        Printable.bounded(request.pod().name(), Printable.MAX_VALUE),
        decision.describe());
    if (decision instanceof Decision.Refused r) {
      return Ttrpc.Response.error(Ttrpc.INVALID_ARGUMENT, NAME + ": " + r.reason());
    }
    if (decision instanceof Decision.Adjusted a) {
      return Ttrpc.Response.ok(
          Nri.createContainerResponse(a.annotations(), a.prestart(), a.poststop()));
    }
    return Ttrpc.Response.ok(new byte[0]);
  }

  private static Ttrpc.Response unimplemented(Ttrpc.Request request) {
    String method =
        Printable.bounded(request.service(), Printable.MAX_VALUE)
            + "/"
            + Printable.bounded(request.method(), Printable.MAX_VALUE);
    LOG.warn("{}: not implemented by this plugin", method);
    return Ttrpc.Response.error(Ttrpc.UNIMPLEMENTED, NAME + ": " + method + " is not implemented");
  }

  /** One mux chunk per frame (a frame is at most the mux's largest chunk), written whole. */
  private void write(Frame frame) throws IOException {
    byte[] bytes = frame.encode();
    ByteBuffer chunk =
        ByteBuffer.allocate(Demux.CHUNK_HEADER + bytes.length)
            .putInt(frame.conn())
            .putInt(bytes.length)
            .put(bytes)
            .flip();
    while (chunk.hasRemaining()) {
      channel.write(chunk);
    }
  }
}
