/*
 * A static program for SealedChrootIT, bound into a chroot as its sandbox executable: it reports
 * what a sandbox sees there, one "key=value" line each.
 *
 *   chroot-probe                 inside the chroot: its /proc, the seal, /dev/kvm
 *   chroot-probe pivot ROOT      enters ROOT as runc and gVisor do (a new mount namespace,
 *                                pivot_root, the old root detached), then runs /runsc there
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(void) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) {
    printf("exe=error %s\n", strerror(errno));
  } else {
    exe[n] = '\0';
    printf("exe=%s\n", exe);
  }
  char stat[64];
  int fd = open("/proc/self/stat", O_RDONLY);
  n = fd < 0 ? -1 : read(fd, stat, sizeof stat - 1);
  if (n <= 0) {
    printf("stat=error %s\n", strerror(errno));
  } else {
    stat[n] = '\0';
    printf("stat-pid-matches=%s\n", atoi(stat) == getpid() ? "yes" : "no");
  }
  if (fd >= 0) close(fd);
  int comm = open("/proc/self/comm", O_WRONLY | O_CLOEXEC);
  printf("write /proc/self/comm=%s\n", comm < 0 ? strerrorname_np(errno) : "ok");
  if (comm >= 0) close(comm);
  const char *writes[] = {"/probe", "/etc/probe", "/dev/probe"};
  for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
    int w = open(writes[i], O_WRONLY | O_CREAT | O_EXCL, 0600);
    printf("create %s=%s\n", writes[i], w < 0 ? strerrorname_np(errno) : "ok");
    if (w >= 0) close(w);
  }
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) {
    printf("kvm=%s\n", strerrorname_np(errno));
  } else {
    printf("kvm-api=%d\n", ioctl(kvm, 0xAE00 /* KVM_GET_API_VERSION */, 0));
    close(kvm);
  }
  return 0;
}

static int die(const char *what) {
  printf("%s=%s\n", what, strerrorname_np(errno));
  return 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && strcmp(argv[1], "pivot") == 0) {
    if (unshare(CLONE_NEWNS) != 0) return die("unshare");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return die("make-private");
    if (chdir(argv[2]) != 0) return die("chdir");
    if (syscall(SYS_pivot_root, ".", ".") != 0) return die("pivot_root");
    if (umount2(".", MNT_DETACH) != 0) return die("detach-old-root");
    if (chdir("/") != 0) return die("chdir-root");
    execl("/runsc", "/runsc", (char *)NULL);
    return die("exec");
  }
  return report();
}
