/*
 * The C reference for the benchmark: the system calls the hook makes, and nothing else.
 *   reference prestart STATE_DIR ID EXECUTABLE [DEVICE...]   < state.json
 *   reference poststop STATE_DIR ID                          < state.json
 * prestart reads the state, takes the state directory's lock, creates STATE_DIR/ID/{journal.json,root},
 * and for proc, the executable and each device writes the journal (temp file, fsync, rename), creates
 * the target, opens it O_PATH|O_NOFOLLOW, checks /proc/self/fd/N, mounts onto it, and remounts binds
 * with their flags. poststop reads the state and the journal, unmounts in reverse, reads mountinfo to
 * check nothing is left, and removes the files and directories. It writes the same journal as the
 * hook, so the benchmark also uses it to make many live chroots quickly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *arg) {
  fprintf(stderr, "reference: %s(%s): %s\n", what, arg, strerror(errno));
  exit(1);
}

static void read_all(int fd, char *buf, size_t size) {
  size_t n = 0;
  ssize_t r;
  while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0) n += r;
  buf[n] = 0;
}

static void write_journal(const char *dir, const char *id, const char *mounts, int complete) {
  char tmp[PATH_MAX], path[PATH_MAX], body[4096];
  snprintf(tmp, sizeof tmp, "%s/journal.json.tmp", dir);
  snprintf(path, sizeof path, "%s/journal.json", dir);
  int n = snprintf(body, sizeof body,
      "{\"version\":1,\"id\":\"%s\",\"bundle\":\"/srv/bundles/demo\",\"platform\":\"kvm\",\"complete\":%s,"
      "\"mounts\":{%s}}\n", id, complete ? "true" : "false", mounts);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) die("open", tmp);
  if (write(fd, body, n) != n) die("write", tmp);
  if (fsync(fd) != 0) die("fsync", tmp);
  close(fd);
  if (rename(tmp, path) != 0) die("rename", path);
}

static void safe_mount(const char *source, const char *target, int dir, const char *fstype,
                       unsigned long flags, unsigned long remount) {
  int fd = open(target, O_PATH | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
  if (fd < 0) die("open", target);
  char fdpath[64], actual[PATH_MAX];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(fdpath, actual, sizeof actual - 1);
  if (len < 0) die("readlink", fdpath);
  actual[len] = 0;
  if (strcmp(actual, target) != 0) { fprintf(stderr, "reference: %s is %s\n", target, actual); exit(1); }
  if (mount(source, fdpath, fstype, flags, NULL) != 0) die("mount", target);
  close(fd);
  if (remount) {
    fd = open(target, O_PATH | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0) die("open", target);
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    if (mount(NULL, fdpath, NULL, remount, NULL) != 0) die("remount", target);
    close(fd);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: reference prestart|poststop STATE_DIR ID [EXECUTABLE [DEVICE...]]\n"); return 2; }
  static char state[1 << 20];
  read_all(0, state, sizeof state);
  const char *stage = argv[1], *state_dir = argv[2], *id = argv[3];
  char lock[PATH_MAX], dir[PATH_MAX], root[PATH_MAX], path[PATH_MAX], mounts[2048] = "";
  snprintf(lock, sizeof lock, "%s/.lock", state_dir);
  snprintf(dir, sizeof dir, "%s/%s", state_dir, id);
  snprintf(root, sizeof root, "%s/root", dir);
  mkdir(state_dir, 0711);
  int lockfd = open(lock, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lockfd < 0 || flock(lockfd, LOCK_EX) != 0) die("lock", lock);

  if (strcmp(stage, "prestart") == 0) {
    if (argc < 5) { fprintf(stderr, "reference: prestart needs EXECUTABLE\n"); return 2; }
    if (mkdir(dir, 0711) != 0) die("mkdir", dir);
    write_journal(dir, id, "", 0);
    if (mkdir(root, 0755) != 0) die("mkdir", root);
    strcat(mounts, "\"proc\":\"proc\"");
    write_journal(dir, id, mounts, 0);
    snprintf(path, sizeof path, "%s/proc", root);
    if (mkdir(path, 0555) != 0) die("mkdir", path);
    safe_mount("proc", path, 1, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
    strcat(mounts, ",\"runsc\":\"executable\"");
    write_journal(dir, id, mounts, 0);
    snprintf(path, sizeof path, "%s/runsc", root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
    if (fd < 0) die("open", path);
    close(fd);
    safe_mount(argv[4], path, 0, NULL, MS_BIND, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV);
    for (int i = 5; i < argc; i++) {
      const char *device = argv[i] + 1; /* "/dev/kvm" -> "dev/kvm" */
      snprintf(path, sizeof path, "%s/dev", root);
      if (mkdir(path, 0755) != 0 && errno != EEXIST) die("mkdir", path);
      snprintf(path, sizeof path, "%s/%s", root, device);
      strcat(mounts, ",\""); strcat(mounts, device); strcat(mounts, "\":\"device\"");
      write_journal(dir, id, mounts, 0);
      fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
      if (fd < 0) die("open", path);
      close(fd);
      safe_mount(argv[i], path, 0, NULL, MS_BIND, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC);
    }
    write_journal(dir, id, mounts, 1);
    return 0;
  }

  /* poststop: the journal, then unmount deepest first, prove it from mountinfo, remove. */
  snprintf(path, sizeof path, "%s/journal.json", dir);
  int jfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (jfd < 0) return errno == ENOENT ? 0 : (die("open", path), 1);
  char journal[4096];
  read_all(jfd, journal, sizeof journal);
  close(jfd);
  const char *targets[] = {"dev/kvm", "runsc", "proc"};
  for (int i = 0; i < 3; i++) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", targets[i]);
    if (!strstr(journal, key)) continue;
    snprintf(path, sizeof path, "%s/%s", root, targets[i]);
    if (umount2(path, UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
      if (errno != EBUSY || umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) != 0) die("umount2", path);
    }
  }
  static char mountinfo[4 << 20];
  int mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  read_all(mfd, mountinfo, sizeof mountinfo);
  close(mfd);
  char needle[PATH_MAX];
  snprintf(needle, sizeof needle, " %s/", dir);
  if (strstr(mountinfo, needle)) { fprintf(stderr, "reference: still mounted under %s\n", dir); return 1; }
  const char *files[] = {"root/dev/kvm", "root/runsc", "journal.json"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  const char *dirs[] = {"root/dev", "root/proc", "root", ""};
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
    if (rmdir(path) != 0 && errno != ENOENT) die("rmdir", path);
  }
  return 0;
}
