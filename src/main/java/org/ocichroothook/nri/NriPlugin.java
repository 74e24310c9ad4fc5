package org.ocichroothook.nri;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ocichroothook.ops.ProcessStart;
import org.ocichroothook.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running plugin: connects to the runtime's NRI socket, runs a {@link Session}, and when
 * the runtime goes away (a containerd restart closes the socket and leaves a stale one behind)
 * connects again, waiting longer after each failed attempt, up to {@code maxBackoff}. {@link #stop}
 * ends it from another thread (the SIGTERM handler).
 *
 * <p>A session that is not configured within {@link #HANDSHAKE} of connecting is dropped: the
 * runtime would not use it, and the plugin would otherwise wait forever on a silent socket.
 */
final class NriPlugin {
  static final Duration HANDSHAKE = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(NriPlugin.class);

  private final Path socket;
  private final Policy policy;
  private final String index;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Path statusFile;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile SocketChannel current;

  /**
   * @param statusFile where the connection state is kept for {@code doctor} ({@link PluginStatus});
   *     null for none
   */
  NriPlugin(
      Path socket,
      Policy policy,
      String index,
      Duration minBackoff,
      Duration maxBackoff,
      Path statusFile) {
    this.socket = socket;
    this.policy = policy;
    this.index = index;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.statusFile = statusFile;
  }

  /** Runs until {@link #stop}. */
  void run() {
    LOG.info(
        "NRI plugin {}-{} starting; hook {}",
        index,
        Session.NAME,
        Printable.bounded(policy.hook().path(), Printable.MAX_VALUE));
    Duration backoff = minBackoff;
    boolean failing = false;
    status(false);
    try {
      while (!stopping) {
        boolean wasConfigured = false;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          current = channel;
          if (stopping) {
            break;
          }
          channel.connect(UnixDomainSocketAddress.of(socket));
          LOG.info("connected to {}", socket);
          failing = false;
          Session session = new Session(channel, policy, index, () -> status(true));
          Thread watchdog = watchdog(session, channel);
          try {
            Session.End end = session.run();
            wasConfigured = session.configured();
            LOG.info(
                end == Session.End.SHUTDOWN
                    ? "the runtime shut the plugin down; reconnecting"
                    : "the runtime closed the connection; reconnecting");
          } finally {
            wasConfigured |= session.configured();
            watchdog.interrupt();
            if (wasConfigured) {
              status(false);
            }
          }
        } catch (IOException e) {
          if (stopping) {
            break;
          }
          String why = e instanceof ClosedChannelException ? "connection closed" : e.getMessage();
          if (!failing) {
            LOG.warn(
                "NRI socket {}: {}; retrying (containers are created without the hook meanwhile)",
                socket,
                Printable.line(String.valueOf(why)));
          } else {
            LOG.debug("NRI socket {}: {}", socket, Printable.line(String.valueOf(why)));
          }
          failing = true;
        } finally {
          current = null;
        }
        if (wasConfigured) {
          backoff = minBackoff;
        }
        if (!stopping && sleep(backoff)) {
          break;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(maxBackoff) > 0
                ? maxBackoff
                : backoff.multipliedBy(2);
      }
      LOG.info("NRI plugin stopped");
    } finally {
      if (statusFile != null) {
        try {
          Files.deleteIfExists(statusFile);
        } catch (IOException e) {
          LOG.warn("cannot remove {}: {}", statusFile, e.toString());
        }
      }
      stopped.countDown();
    }
  }

  /** Records the connection state for doctor; a failure to is logged, never fatal. */
  private void status(boolean connected) {
    if (statusFile == null) {
      return;
    }
    try {
      long pid = ProcessHandle.current().pid();
      Long start = ProcessStart.host().of((int) pid);
      new PluginStatus(
              connected,
              (int) pid,
              start == null ? 0 : start,
              System.currentTimeMillis(),
              socket.toString())
          .write(statusFile);
    } catch (IOException e) {
      LOG.warn("cannot write {}: {}", statusFile, Printable.line(e.toString()));
    }
  }

  /** Ends {@link #run}, closing the connection; waits up to {@code wait} for it to return. */
  boolean stop(Duration wait) throws InterruptedException {
    stopping = true;
    SocketChannel channel = current;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closed either way.
      }
    }
    return stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sleeps, waking early on stop; true when stopped. */
  private boolean sleep(Duration duration) {
    try {
      return sleepUntilStop(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private boolean sleepUntilStop(Duration duration) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    while (!stopping) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 50));
    }
    return true;
  }

  private static Thread watchdog(Session session, SocketChannel channel) {
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(HANDSHAKE.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              if (!session.configured()) {
                LOG.warn(
                    "the runtime did not configure the plugin within {}; reconnecting", HANDSHAKE);
                try {
                  channel.close();
                } catch (IOException e) {
                  // Closed either way.
                }
              }
            },
            "nri-handshake-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
