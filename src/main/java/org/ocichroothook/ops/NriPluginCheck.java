package org.ocichroothook.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.ocichroothook.nri.PluginStatus;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.text.Printable;

/**
 * doctor's check of the containerd NRI plugin, made only where its unit is enabled: containerd's
 * NRI fails open, so a plugin that is not running or not connected means containers created without
 * the hook, silently. The plugin's own status file ({@link PluginStatus}) says whether it is
 * connected; its pid and start time tell whether it is still running.
 */
final class NriPluginCheck {
  static final String NAME = "nri";
  static final String UNIT = "oci-chroot-hook-nri.service";
  private static final String FIX_START =
      "systemctl restart " + UNIT + "; journalctl -u " + UNIT + " and the hook's log say why";
  private static final String FIX_CONNECT =
      "enable NRI in containerd (1.7: [plugins.\"io.containerd.nri.v1.nri\"] disable = false in"
          + " /etc/containerd/config.toml) and restart containerd; the hook's log says why";

  private NriPluginCheck() {}

  /** The check, or null when the unit is not enabled (then there is nothing to check). */
  static Check run(Syscalls sys, Path root, ProcessStart processes, Instant now) {
    Path wants = root.resolve("etc/systemd/system/multi-user.target.wants").resolve(UNIT);
    if (!Files.exists(wants, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    Path file = root.resolve(PluginStatus.FILE.toString().substring(1));
    PluginStatus status;
    try {
      status = PluginStatus.read(sys, file);
    } catch (IOException e) {
      return Check.error(NAME, Printable.bounded(String.valueOf(e.getMessage()), 256), FIX_START);
    }
    if (status == null) {
      return Check.error(
          NAME,
          UNIT
              + " is enabled but the plugin is not running (no "
              + file
              + "): containerd creates"
              + " containers without the hook",
          FIX_START);
    }
    Long start;
    try {
      start = processes.of(status.pid());
    } catch (IOException e) {
      start = null;
    }
    if (start == null || start != status.start()) {
      return Check.error(
          NAME,
          "the plugin (pid "
              + status.pid()
              + ") is gone without removing "
              + file
              + ": containerd creates containers without the hook",
          FIX_START);
    }
    String since = Ages.format(Duration.ofMillis(Math.max(0, now.toEpochMilli() - status.since())));
    String socket = Printable.bounded(status.socket(), Printable.MAX_VALUE);
    if (!status.connected()) {
      return Check.error(
          NAME,
          "the plugin (pid "
              + status.pid()
              + ") is not connected to "
              + socket
              + " (for "
              + since
              + "): containerd creates containers without the hook (NRI fails open)",
          FIX_CONNECT);
    }
    return Check.ok(
        NAME,
        "the plugin (pid " + status.pid() + ") is connected to " + socket + " (for " + since + ")");
  }
}
