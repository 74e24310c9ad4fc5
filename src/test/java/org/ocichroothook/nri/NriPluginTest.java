package org.ocichroothook.nri;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocichroothook.config.Config;
import org.ocichroothook.log.LogFile;
import org.ocichroothook.sys.SyscallsFactory;

/**
 * The plugin against a fake containerd on a unix socket, speaking the protocol as measured with
 * containerd 1.7.24: the plugin registers on connection 2, containerd calls it on connection 1.
 */
@Timeout(60)
class NriPluginTest {
  @TempDir Path dir;

  private final HookSpec hook = NriCommand.hook(Path.of("/usr/local/bin/oci-chroot-hook"), null);
  private NriPlugin plugin;
  private Thread runner;

  @AfterEach
  void stop() throws Exception {
    if (plugin != null) {
      plugin.stop(Duration.ofSeconds(5));
      runner.join(5000);
    }
    LogFile.close();
  }

  private Path start() throws IOException {
    Path log = dir.resolve("hook.log");
    assertTrue(LogFile.open(SyscallsFactory.create(), log, "debug"));
    plugin =
        new NriPlugin(
            dir.resolve("nri.sock"),
            new Policy(Config.defaults(), hook),
            "50",
            Duration.ofMillis(20),
            Duration.ofMillis(200),
            dir.resolve("status"));
    runner = new Thread(plugin::run, "plugin");
    runner.start();
    return log;
  }

  @Test
  void handshakeCreateShutdownDropAndReconnect() throws Exception {
    try (FakeContainerd containerd = FakeContainerd.listen(dir.resolve("nri.sock"))) {
      Path log = start();
      FakeContainerd.Conn conn = containerd.accept();
      conn.expectRegistration();
      assertFalse(status().connected(), "registered, not yet configured");
      assertEquals(8, configure(conn), "the event mask: CreateContainer only");
      PluginStatus connected = status();
      assertTrue(connected.connected());
      assertEquals(ProcessHandle.current().pid(), connected.pid());
      assertEquals(dir.resolve("nri.sock").toString(), connected.socket());

      // A Synchronize with more, cut inside the mux header, the ttrpc header and the payload.
      byte[] sync = Files.readAllBytes(NriCodecTest.dir().resolve("synchronize-request-more.bin"));
      byte[] frame =
          new Frame(Frame.PLUGIN, 3, Frame.REQUEST, 0, request("Synchronize", sync)).encode();
      byte[] chunk =
          ByteBuffer.allocate(8 + frame.length).putInt(1).putInt(frame.length).put(frame).array();
      for (int[] piece : new int[][] {{0, 5}, {5, 13}, {13, 40}, {40, chunk.length}}) {
        conn.write(Arrays.copyOfRange(chunk, piece[0], piece[1]));
        Thread.sleep(20);
      }
      Ttrpc.Response synced = conn.response(3);
      assertEquals(0, synced.code());
      assertArrayEquals(Nri.synchronizeResponse(true), synced.payload(), "more is echoed");
      assertArrayEquals(
          Nri.synchronizeResponse(false),
          conn.call(5, "Synchronize", new ProtoWriter().bool(3, false).toByteArray()).payload());

      // The golden request: the pod names kvm in gVisor's key, the container ptrace in ours, and
      // already has the hook at poststop (another tool's at prestart).
      byte[] create =
          Files.readAllBytes(NriCodecTest.dir().resolve("create-container-request.bin"));
      Ttrpc.Response adjusted = conn.call(7, "CreateContainer", create);
      assertEquals(0, adjusted.code(), adjusted.message());
      Adjustment a = Adjustment.decode(adjusted.payload());
      assertEquals(Map.of(Config.PROJECT_ANNOTATION, "kvm"), a.annotations);
      assertEquals(List.of(hook), a.prestart);
      assertEquals(List.of(), a.poststop);

      Ttrpc.Response refused =
          conn.call(
              9,
              "CreateContainer",
              createRequest("c-bad", Map.of(Config.GVISOR_ANNOTATION, "nope")));
      assertEquals(Ttrpc.INVALID_ARGUMENT, refused.code());
      assertEquals(
          "oci-chroot-hook: unknown platform \"nope\" in annotation dev.gvisor.flag.platform; known"
              + " platforms: kvm, ptrace, systrap",
          refused.message());
      Ttrpc.Response plain = conn.call(11, "CreateContainer", createRequest("c-plain", Map.of()));
      assertEquals(0, plain.code());
      assertEquals(0, plain.payload().length, "no adjustment");
      assertEquals(Ttrpc.UNIMPLEMENTED, conn.call(13, "RunPodSandbox", new byte[0]).code());

      // Shutdown: answered, then the plugin reconnects.
      Ttrpc.Response shutdown = conn.call(15, "Shutdown", new byte[0]);
      assertEquals(0, shutdown.code());
      assertTrue(conn.closedByPeer(), "the plugin closes its end after Shutdown");
      FakeContainerd.Conn again = containerd.accept();
      again.expectRegistration();
      assertEquals(8, configure(again));

      // containerd restarts: the connection drops and the socket is gone for a while.
      again.close();
      containerd.close();
      Thread.sleep(300); // a few failed attempts against no socket
      assertFalse(status().connected());
      try (FakeContainerd restarted = FakeContainerd.listen(dir.resolve("nri.sock"))) {
        FakeContainerd.Conn third = restarted.accept();
        third.expectRegistration();
        assertEquals(8, configure(third));
        Ttrpc.Response after =
            third.call(
                1,
                "CreateContainer",
                createRequest("c-after", Map.of(Config.PROJECT_ANNOTATION, "kvm")));
        assertEquals(List.of(hook), Adjustment.decode(after.payload()).prestart);
        assertTrue(status().connected());
        assertTrue(plugin.stop(Duration.ofSeconds(5)), "stop ends the plugin");
        assertFalse(Files.exists(dir.resolve("status")), "a stopped plugin leaves no status");
      }
      String text = Files.readString(log);
      for (String line :
          List.of(
              "INFO NriPlugin - connected to " + dir.resolve("nri.sock"),
              "INFO Session - registered as 50-oci-chroot-hook",
              "INFO Session - configured by containerd v1.7.24 (request timeout 2000 ms)",
              "INFO Session - [4567ef01] CreateContainer \"app\" in pod team-a/sandboxed: platform kvm"
                  + " from the pod annotation dev.gvisor.flag.platform: added the prestart hook",
              "INFO Session - [c-bad] CreateContainer \"c-bad\" in pod ns/pod: refused: unknown"
                  + " platform \"nope\"",
              "INFO Session - [c-plain] CreateContainer \"c-plain\" in pod ns/pod: no platform"
                  + " annotation: unchanged",
              "INFO NriPlugin - the runtime shut the plugin down; reconnecting",
              "INFO NriPlugin - the runtime closed the connection; reconnecting",
              "WARN NriPlugin - NRI socket " + dir.resolve("nri.sock"),
              "INFO Session - [c-after] CreateContainer",
              "INFO NriPlugin - NRI plugin stopped")) {
        assertTrue(text.contains(line), line + "\nin:\n" + text);
      }
    }
  }

  @Test
  void aRefusedRegistrationOrGarbageDropsTheConnectionAndItTriesAgain() throws Exception {
    try (FakeContainerd containerd = FakeContainerd.listen(dir.resolve("nri.sock"))) {
      Path log = start();
      FakeContainerd.Conn conn = containerd.accept();
      conn.readFrame();
      conn.write(
          chunk(
              Frame.RUNTIME,
              new Frame(
                      Frame.RUNTIME,
                      1,
                      Frame.RESPONSE,
                      0,
                      Ttrpc.Response.error(9, "plugin already registered").encode())
                  .encode()));
      assertTrue(conn.closedByPeer());
      FakeContainerd.Conn second = containerd.accept();
      second.expectRegistration();
      second.write(ByteBuffer.allocate(8).putInt(7).putInt(0).array()); // connection 7
      assertTrue(second.closedByPeer());
      FakeContainerd.Conn third = containerd.accept();
      third.expectRegistration();
      // containerd 1.7.24 sends runtime name and version only (measured).
      byte[] configure =
          new ProtoWriter().string(2, "containerd").string(3, "1.7.24~ds1").toByteArray();
      assertEquals(0, third.call(1, "Configure", configure).code());
      assertTrue(
          Files.readString(log)
              .contains(
                  "configured by containerd 1.7.24~ds1 (request timeout not given, containerd's"
                      + " default 2 s)"),
          Files.readString(log));
    }
  }

  private PluginStatus status() throws IOException {
    return PluginStatus.read(SyscallsFactory.create(), dir.resolve("status"));
  }

  private static int configure(FakeContainerd.Conn conn) throws IOException {
    byte[] payload = Files.readAllBytes(NriCodecTest.dir().resolve("configure-request.bin"));
    Ttrpc.Response r = conn.call(1, "Configure", payload);
    assertEquals(0, r.code(), r.message());
    ProtoReader reader = new ProtoReader(r.payload());
    int events = 0;
    while (reader.next()) {
      if (reader.field() == 2) {
        events = (int) reader.varint();
      } else {
        reader.skip();
      }
    }
    return events;
  }

  static byte[] request(String method, byte[] payload) {
    return new Ttrpc.Request(Nri.PLUGIN_SERVICE, method, payload, 2_000_000_000L).encode();
  }

  static byte[] chunk(int conn, byte[] frame) {
    return ByteBuffer.allocate(8 + frame.length)
        .putInt(conn)
        .putInt(frame.length)
        .put(frame)
        .array();
  }

  private static byte[] createRequest(String id, Map<String, String> annotations) {
    ProtoWriter pod = new ProtoWriter().string(1, "p").string(2, "pod").string(4, "ns");
    ProtoWriter container = new ProtoWriter().string(1, id).string(3, id).map(6, annotations);
    return new ProtoWriter().message(1, pod).message(2, container).toByteArray();
  }

  /** A decoded {@code CreateContainerResponse}'s adjustment: annotations and hooks. */
  record Adjustment(
      Map<String, String> annotations, List<HookSpec> prestart, List<HookSpec> poststop) {
    static Adjustment decode(byte[] bytes) throws ProtocolException {
      Map<String, String> annotations = new java.util.HashMap<>();
      List<HookSpec> prestart = new ArrayList<>();
      List<HookSpec> poststop = new ArrayList<>();
      ProtoReader response = new ProtoReader(bytes);
      while (response.next()) {
        if (response.field() != 1) {
          response.skip();
          continue;
        }
        ProtoReader adjust = response.message();
        while (adjust.next()) {
          switch (adjust.field()) {
            case 2 -> {
              ProtoReader e = adjust.message();
              String k = "";
              String v = "";
              while (e.next()) {
                if (e.field() == 1) {
                  k = e.string();
                } else {
                  v = e.string();
                }
              }
              annotations.put(k, v);
            }
            case 5 -> {
              ProtoReader hooks = adjust.message();
              while (hooks.next()) {
                switch (hooks.field()) {
                  case 1 -> prestart.add(HookSpec.decode(hooks.message()));
                  case 6 -> poststop.add(HookSpec.decode(hooks.message()));
                  default -> throw new AssertionError("unexpected hooks field " + hooks.field());
                }
              }
            }
            default -> throw new AssertionError("unexpected adjustment field " + adjust.field());
          }
        }
      }
      return new Adjustment(annotations, prestart, poststop);
    }
  }

  /** containerd's end: listens on the socket, reads and writes the trunk. */
  static final class FakeContainerd implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path socket;

    private FakeContainerd(ServerSocketChannel server, Path socket) {
      this.server = server;
      this.socket = socket;
    }

    static FakeContainerd listen(Path socket) throws IOException {
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      return new FakeContainerd(server, socket);
    }

    Conn accept() throws IOException {
      return new Conn(server.accept());
    }

    /** The next connection within {@code millis}, or null. */
    Conn accept(long millis) throws IOException, InterruptedException {
      server.configureBlocking(false);
      try {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
          SocketChannel channel = server.accept();
          if (channel != null) {
            channel.configureBlocking(true);
            return new Conn(channel);
          }
          Thread.sleep(20);
        }
        return null;
      } finally {
        server.configureBlocking(true);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      Files.deleteIfExists(socket);
    }

    static final class Conn {
      private final SocketChannel channel;
      private final Demux demux = new Demux();
      private final Deque<Frame> frames = new ArrayDeque<>();

      Conn(SocketChannel channel) {
        this.channel = channel;
      }

      void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          channel.write(b);
        }
      }

      Frame readFrame() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (frames.isEmpty()) {
          buffer.clear();
          int n = channel.read(buffer);
          if (n < 0) {
            throw new IOException("the plugin closed the connection");
          }
          frames.addAll(demux.feed(buffer.array(), 0, n));
        }
        return frames.removeFirst();
      }

      /** Reads RegisterPlugin and accepts it. */
      void expectRegistration() throws IOException {
        Frame f = readFrame();
        assertEquals(Frame.RUNTIME, f.conn());
        assertEquals(Frame.REQUEST, f.type());
        Ttrpc.Request r = Ttrpc.Request.decode(f.payload());
        assertEquals(Nri.RUNTIME_SERVICE, r.service());
        assertEquals("RegisterPlugin", r.method());
        assertArrayEquals(Nri.registerPlugin("oci-chroot-hook", "50"), r.payload());
        write(
            chunk(
                Frame.RUNTIME,
                new Frame(Frame.RUNTIME, f.stream(), Frame.RESPONSE, 0, new byte[0]).encode()));
      }

      Ttrpc.Response call(int stream, String method, byte[] payload) throws IOException {
        write(
            chunk(
                Frame.PLUGIN,
                new Frame(Frame.PLUGIN, stream, Frame.REQUEST, 0, request(method, payload))
                    .encode()));
        return response(stream);
      }

      Ttrpc.Response response(int stream) throws IOException {
        Frame f = readFrame();
        assertEquals(Frame.PLUGIN, f.conn());
        assertEquals(Frame.RESPONSE, f.type());
        assertEquals(stream, f.stream());
        return Ttrpc.Response.decode(f.payload());
      }

      boolean closedByPeer() throws IOException {
        try {
          readFrame();
          return false;
        } catch (IOException e) {
          return true;
        }
      }

      void close() throws IOException {
        channel.close();
      }
    }
  }

  @Test
  void stopWithoutAnySocketEndsPromptly() throws Exception {
    start();
    Thread.sleep(100);
    assertTrue(plugin.stop(Duration.ofSeconds(2)));
    runner.join(2000);
    assertFalse(runner.isAlive());
  }
}
