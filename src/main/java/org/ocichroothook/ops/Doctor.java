package org.ocichroothook.ops;

import static org.ocichroothook.sys.Linux.S_IFMT;
import static org.ocichroothook.sys.Linux.S_IFREG;
import static org.ocichroothook.sys.Linux.isDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ocichroothook.chroot.ChrootException;
import org.ocichroothook.chroot.TrustedPath;
import org.ocichroothook.config.Config;
import org.ocichroothook.config.ConfigReader;
import org.ocichroothook.config.ConfiguredFile;
import org.ocichroothook.config.DeviceSet;
import org.ocichroothook.file.RegularFile;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.mountinfo.MountEntry;
import org.ocichroothook.mountinfo.MountTable;
import org.ocichroothook.plan.CopiedFile;
import org.ocichroothook.sys.Syscalls;
import org.ocichroothook.text.Printable;

/**
 * {@code oci-chroot-hook doctor}: checks an installation, one {@link Check} per line. It reads and
 * changes nothing.
 *
 * @param sys the native backend, through which the configuration is opened as the hook opens it
 * @param installation the running installation; null when not started by the launcher
 * @param containersConf {@code $CONTAINERS_CONF}, which podman reads instead of its own files
 * @param root where the host's /etc and /usr are (/ but in tests)
 */
record Doctor(
    Syscalls sys,
    Installation installation,
    Path configFile,
    boolean configExplicit,
    String containersConf,
    Path root) {
  private static final List<String> CRIO = List.of("usr/bin/crio", "usr/local/bin/crio");

  List<Check> run() {
    List<Check> checks = new ArrayList<>();
    Config config;
    try {
      config = ConfigReader.read(sys, configFile, configExplicit);
      checks.add(
          Check.ok(
              "config",
              Files.exists(configFile)
                  ? "configuration " + configFile + " loads"
                  : "no " + configFile + ": the defaults apply"));
    } catch (BadInputException e) {
      checks.add(
          Check.error(
              "config",
              Printable.bounded(String.valueOf(e.getMessage()), Printable.MAX_VALUE),
              "correct it (the README lists every key); the checks below use the defaults"));
      config = Config.defaults();
    }
    checks.add(executable(config));
    checks.addAll(devices(config));
    checks.addAll(files(config));
    checks.addAll(stateDir(config));
    checks.addAll(hooksFiles(config));
    checks.addAll(jvm());
    checks.add(logFile(config));
    checks.add(orphans(config));
    Check nri = NriPluginCheck.run(sys, root, ProcessStart.host(), Instant.now());
    if (nri != null) {
      checks.add(nri);
    }
    return checks;
  }

  static boolean healthy(List<Check> checks) {
    return checks.stream().noneMatch(c -> c.level() == Check.Level.ERROR);
  }

  private static Check executable(Config config) {
    Path exe = config.executable();
    if (exe == null) {
      return Check.ok(
          "executable", "no executable is bound into the chroots (\"executable\": null)");
    }
    try {
      BasicFileAttributes a = Files.readAttributes(exe, BasicFileAttributes.class);
      if (a.isRegularFile() && Files.isExecutable(exe)) {
        return Check.ok("executable", "executable " + exe + " is a regular file");
      }
      return Check.error(
          "executable",
          "executable " + exe + " is not an executable regular file",
          "point \"executable\" at runsc");
    } catch (IOException e) {
      return Check.error(
          "executable",
          "executable " + exe + " does not exist",
          "install gVisor's runsc (apt-get install runsc) or set \"executable\"");
    }
  }

  private static List<Check> devices(Config config) {
    List<Check> checks = new ArrayList<>();
    for (Map.Entry<String, DeviceSet> p : config.platforms().entrySet()) {
      String platform = p.getKey();
      boolean isDefault = platform.equals(config.defaultPlatform());
      List<String> bad = new ArrayList<>();
      List<Path> devices = p.getValue().devices();
      for (Path device : devices) {
        try {
          int mode = (Integer) Files.getAttribute(device, "unix:mode");
          if (!isDevice(mode)) {
            bad.add(device + " is not a device file");
          }
        } catch (IOException e) {
          bad.add(device + " does not exist");
        }
      }
      List<Path> sysfs = p.getValue().sysfs();
      for (Path dir : sysfs) {
        try {
          // Followed, as prestart's bind follows it: /sys is the kernel's, and its PCI device
          // directories are symlinks.
          if (!Files.readAttributes(dir, BasicFileAttributes.class).isDirectory()) {
            bad.add(dir + " is not a directory");
          }
        } catch (IOException e) {
          bad.add(dir + " does not exist");
        }
      }
      String name = "platform " + platform;
      if (bad.isEmpty()) {
        String what =
            devices.isEmpty()
                ? "platform " + platform + " needs no device"
                : "platform " + platform + ": " + devices + " are devices";
        checks.add(Check.ok(name, sysfs.isEmpty() ? what : what + ", " + sysfs + " directories"));
      } else if (isDefault) {
        checks.add(
            Check.error(
                name,
                "platform " + platform + " (the default): " + String.join(", ", bad),
                "every container without an annotation fails; set another defaultPlatform or"
                    + " provide what is missing"));
      } else {
        checks.add(
            Check.warning(
                name,
                "platform " + platform + ": " + String.join(", ", bad),
                "containers asking for " + platform + " fail at prestart"));
      }
    }
    return checks;
  }

  /** What prestart will find of each configured file: every chroot gets them all. */
  private static List<Check> files(Config config) {
    List<Check> checks = new ArrayList<>();
    for (ConfiguredFile file : config.files()) {
      String name = "file " + file.path();
      Path source = file.source();
      try {
        Path resolved = TrustedPath.resolveFile(name, source);
        if (resolved == null) {
          throw new NoSuchFileException(source.toString());
        }
        Map<String, Object> a =
            Files.readAttributes(resolved, "unix:uid,mode,size", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) != S_IFREG) {
          checks.add(
              Check.error(
                  name,
                  name + ": " + source + " is not a regular file (a symlink is not followed)",
                  "every prestart fails; name the file itself as \"source\""));
        } else if (!RegularFile.rootsAlone((Integer) a.get("uid"), mode)) {
          checks.add(
              Check.error(
                  name,
                  name + ": " + source + " can be written by someone other than root",
                  "every prestart fails; make it root's alone"));
        } else if ((Long) a.get("size") > CopiedFile.MAX_BYTES) {
          checks.add(
              Check.error(
                  name,
                  name + ": " + source + " is larger than " + CopiedFile.MAX_BYTES + " bytes",
                  "every prestart fails; copy a smaller file"));
        } else {
          checks.add(Check.ok(name, name + ": " + source + " is copied into every chroot"));
        }
      } catch (NoSuchFileException e) {
        checks.add(
            file.optional()
                ? Check.ok(name, name + ": " + source + " does not exist; skipped (optional)")
                : Check.error(
                    name,
                    name + ": " + source + " does not exist",
                    "every prestart fails; provide it or mark the entry \"optional\""));
      } catch (ChrootException e) {
        checks.add(Check.error(name, e.getMessage(), "every prestart fails; make it root's alone"));
      } catch (IOException e) {
        checks.add(Check.error(name, "cannot read " + source + ": " + e, "run doctor as root"));
      }
    }
    return checks;
  }

  private static List<Check> stateDir(Config config) {
    List<Check> checks = new ArrayList<>();
    Path dir = config.stateDir();
    String name = "state directory";
    MountTable table;
    try {
      table = MountTable.read();
    } catch (IOException | RuntimeException e) {
      checks.add(Check.warning(name, "cannot read " + MountTable.SELF + ": " + e, null));
      return checks;
    }
    try {
      PosixFileAttributes a =
          Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) {
        checks.add(
            Check.error(
                name, dir + " is not a directory", "remove it; prestart makes the directory"));
        return checks;
      }
      if (!a.owner().getName().equals("root")
          || a.permissions().contains(PosixFilePermission.GROUP_WRITE)
          || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
        checks.add(
            Check.error(
                name,
                dir + " is owned by " + a.owner().getName() + " or writable by others",
                "chown root " + dir + " && chmod go-w " + dir));
      } else {
        checks.add(Check.ok(name, dir + " is owned by root and writable by no one else"));
      }
      MountEntry at = table.topmostAt(dir);
      if (at == null) {
        checks.add(
            Check.ok(
                name,
                dir + " is not a mount point yet; the next prestart makes it a private mount"));
      } else if (at.propagates()) {
        checks.add(
            Check.error(
                name,
                dir + " is a shared mount (" + String.join(" ", at.optionalFields()) + ")",
                "mount --make-private " + dir + ": chroot mounts propagate to other namespaces"));
      } else {
        checks.add(Check.ok(name, dir + " is a private mount"));
      }
    } catch (NoSuchFileException e) {
      checks.add(Check.ok(name, dir + " does not exist yet; the first prestart makes it"));
    } catch (IOException e) {
      checks.add(Check.error(name, "cannot read " + dir + ": " + e, "run doctor as root"));
      return checks;
    }
    MountEntry holder = null;
    for (MountEntry e : table.entries()) {
      if (dir.startsWith(e.mountPoint())
          && (holder == null
              || e.mountPoint().getNameCount() >= holder.mountPoint().getNameCount())) {
        holder = e;
      }
    }
    if (holder != null && holder.fsType().equals("tmpfs")) {
      checks.add(Check.ok(name, dir + " is on tmpfs: chroots do not survive a reboot"));
    } else {
      checks.add(
          Check.warning(
              name,
              dir + " is on " + (holder == null ? "an unknown file system" : holder.fsType()),
              "chroots survive a reboot there: run gc periodically (the systemd timer) or use a"
                  + " stateDir under /run"));
    }
    return checks;
  }

  private List<Check> hooksFiles(Config config) {
    List<Check> checks = new ArrayList<>();
    Path launcher = installation == null ? null : installation.launcher();
    try {
      checks.addAll(
          HooksFileCheck.check("podman", HooksDirs.podman(containersConf, root), launcher, config));
    } catch (IOException e) {
      checks.add(Check.error("podman hooks.d", "cannot read podman's configuration: " + e, null));
    }
    boolean crio = CRIO.stream().anyMatch(p -> Files.isExecutable(root.resolve(p)));
    if (crio) {
      try {
        checks.addAll(HooksFileCheck.check("CRI-O", HooksDirs.crio(root), launcher, config));
      } catch (IOException e) {
        checks.add(Check.error("CRI-O hooks.d", "cannot read CRI-O's configuration: " + e, null));
      }
    } else {
      checks.add(Check.ok("CRI-O hooks.d", "CRI-O is not installed: nothing to check"));
    }
    return checks;
  }

  private List<Check> jvm() {
    List<Check> checks = new ArrayList<>();
    if (installation == null) {
      checks.add(
          Check.error(
              "launcher",
              "not started by the launcher: cannot tell which installation to check",
              "run it as oci-chroot-hook doctor"));
      return checks;
    }
    Path home = installation.home();
    Path java;
    try {
      java = installation.configuredJava();
    } catch (IOException e) {
      checks.add(
          Check.error("jvm", "cannot read " + home.resolve("launcher.conf") + ": " + e, null));
      return checks;
    }
    if (java != null && !Files.isExecutable(java)) {
      checks.add(
          Check.error(
              "jvm",
              "the JVM " + java + " named in " + home.resolve("launcher.conf") + " is gone",
              "re-run ./install (the launcher falls back to /usr/bin/java, without the archive)"));
      return checks;
    }
    if (java == null) {
      try {
        java = Path.of("/usr/bin/java").toRealPath();
      } catch (IOException e) {
        checks.add(
            Check.error("jvm", "no launcher.conf and no /usr/bin/java", "install a JDK >= 17"));
        return checks;
      }
    }
    checks.add(Check.ok("jvm", "the launcher runs " + java));
    Path archive = installation.archive(java);
    String rebuild =
        "run "
            + installation.tools().resolve("build-archive")
            + " "
            + home
            + " "
            + java
            + " as root";
    if (!Files.isRegularFile(archive)) {
      checks.add(
          Check.error(
              "archive", "no start-up archive " + archive + ": every start is slower", rebuild));
      return checks;
    }
    // The launcher's rule (see the launcher and jvm-flags): stale when the JVM's modules, the jar
    // or
    // the lib directory is newer than the archive.
    List<Path> inputs =
        List.of(
            java.getParent().getParent().resolve("lib/modules"),
            home.resolve("oci-chroot-hook.jar"),
            home.resolve("lib"));
    for (Path input : inputs) {
      try {
        if (Files.getLastModifiedTime(input).compareTo(Files.getLastModifiedTime(archive)) > 0) {
          checks.add(
              Check.error(
                  "archive",
                  "start-up archive " + archive + " is stale: " + input + " is newer",
                  "the launcher rebuilds it in the background at the next start; or " + rebuild));
          return checks;
        }
      } catch (IOException e) {
        // an input that is missing cannot be newer (bash's -nt says the same)
      }
    }
    checks.add(Check.ok("archive", "start-up archive " + archive + " is fresh"));
    return checks;
  }

  private static Check logFile(Config config) {
    Path log = config.logFile();
    try {
      BasicFileAttributes a =
          Files.readAttributes(log, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return Check.error(
            "log", "log file " + log + " is not a regular file", "remove it or set \"logFile\"");
      }
      if (!Files.isWritable(log)) {
        return Check.error("log", "log file " + log + " is not writable", "check its permissions");
      }
      return Check.ok("log", "log file " + log + " is writable");
    } catch (NoSuchFileException e) {
      Path parent = log.getParent();
      if (Files.isDirectory(parent) && Files.isWritable(parent)) {
        return Check.ok("log", "log file " + log + " will be created in " + parent);
      }
      return Check.error(
          "log",
          "log file " + log + " cannot be created: " + parent + " is missing or not writable",
          "create " + parent + " or set \"logFile\"");
    } catch (IOException e) {
      return Check.error("log", "log file " + log + ": " + e, null);
    }
  }

  private static Check orphans(Config config) {
    Path dir = config.stateDir();
    if (!Files.isDirectory(dir)) {
      return Check.ok("orphans", "no chroots: " + dir + " does not exist");
    }
    ChrootScanner scanner = new ChrootScanner(dir, ProcessStart.host(), Instant.now());
    int total = 0;
    int orphaned = 0;
    int unknown = 0;
    for (String id : scanner.ids(null)) {
      total++;
      Verdict v = scanner.inspect(id, null).evidence().decide(Operations.DEFAULT_MIN_AGE);
      if (v.remove()) {
        orphaned++;
      } else if (v.status() == Verdict.Status.UNKNOWN) {
        unknown++;
      }
    }
    if (!scanner.problems().isEmpty()) {
      return Check.warning(
          "orphans",
          "cannot read everything in " + dir + ": " + scanner.problems().get(0),
          "run doctor as root");
    }
    String counts = total + " chroots, " + unknown + " without evidence (see list)";
    if (orphaned > 0) {
      return Check.error(
          "orphans",
          orphaned
              + " orphaned chroots older than "
              + Ages.format(Operations.DEFAULT_MIN_AGE)
              + " ("
              + counts
              + ")",
          "run oci-chroot-hook gc (or enable oci-chroot-hook-gc.timer)");
    }
    return Check.ok("orphans", "no orphaned chroots (" + counts + ")");
  }
}
