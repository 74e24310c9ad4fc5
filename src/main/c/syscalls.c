/*
 * The hook's four system calls for org.ocichroothook.sys.JniSyscalls: openat, close, mount and
 * umount2, through libc's own functions (never raw syscall numbers). Each returns its result, or
 * -errno read right after the call, so the errno cannot be lost to a later library or JVM call.
 *
 * Strings arrive as Java byte arrays of UTF-8 without a terminator; each is copied into a
 * NUL-terminated buffer. A NUL byte inside one (which would silently shorten the path) is refused
 * with EINVAL, one of PATH_MAX bytes or more with ENAMETOOLONG; a null array stays NULL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "org_ocichroothook_sys_JniSyscalls.h"

/* sys/Linux.java holds these values for the architectures it knows; refuse any other. */
#if defined(__x86_64__)
_Static_assert(O_DIRECTORY == 0200000 && O_NOFOLLOW == 0400000, "Linux.java: x86_64 open flags");
#elif defined(__aarch64__)
_Static_assert(O_DIRECTORY == 040000 && O_NOFOLLOW == 0100000, "Linux.java: aarch64 open flags");
#else
#error "oci-chroot-hook knows the open(2) flag values of x86_64 and aarch64 only (src/main/java/org/ocichroothook/sys/Linux.java)"
#endif
_Static_assert(O_CLOEXEC == 02000000 && O_PATH == 010000000, "Linux.java: open flags");
_Static_assert(AT_FDCWD == -100, "Linux.java: AT_FDCWD");
_Static_assert(MS_PRIVATE == 0x40000, "Linux.java: mount flags");
_Static_assert(MS_RDONLY == 0x1 && MS_NOSUID == 0x2 && MS_NODEV == 0x4 && MS_NOEXEC == 0x8
                   && MS_REMOUNT == 0x20 && MS_BIND == 0x1000 && MS_REC == 0x4000,
               "plan/MountFlags.java: mount flags");
_Static_assert(MNT_DETACH == 0x2 && UMOUNT_NOFOLLOW == 0x8, "Linux.java: umount2 flags");

/* Copies `array` into `buf` (PATH_MAX bytes) with a terminator; *out is NULL for a null array. */
static int c_string(JNIEnv *env, jbyteArray array, char *buf, const char **out) {
  if (array == NULL) {
    *out = NULL;
    return 0;
  }
  jsize len = (*env)->GetArrayLength(env, array);
  if (len >= PATH_MAX) {
    return -ENAMETOOLONG;
  }
  (*env)->GetByteArrayRegion(env, array, 0, len, (jbyte *)buf);
  if (memchr(buf, 0, (size_t)len) != NULL) {
    return -EINVAL;
  }
  buf[len] = 0;
  *out = buf;
  return 0;
}

JNIEXPORT jint JNICALL Java_org_ocichroothook_sys_JniSyscalls_openat0(
    JNIEnv *env, jclass cls, jint dirfd, jbyteArray path, jint flags, jint mode) {
  (void)cls;
  char buf[PATH_MAX];
  const char *p;
  int r = c_string(env, path, buf, &p);
  if (r != 0) {
    return r;
  }
  int fd = openat(dirfd, p, flags, (mode_t)mode);
  return fd >= 0 ? fd : -errno;
}

JNIEXPORT jint JNICALL Java_org_ocichroothook_sys_JniSyscalls_close0(JNIEnv *env, jclass cls,
                                                                     jint fd) {
  (void)env;
  (void)cls;
  return close(fd) == 0 ? 0 : -errno;
}

JNIEXPORT jint JNICALL Java_org_ocichroothook_sys_JniSyscalls_mount0(
    JNIEnv *env, jclass cls, jbyteArray source, jbyteArray target, jbyteArray fstype, jlong flags,
    jbyteArray data) {
  (void)cls;
  char b1[PATH_MAX], b2[PATH_MAX], b3[PATH_MAX], b4[PATH_MAX];
  const char *s, *t, *f, *d;
  int r;
  if ((r = c_string(env, source, b1, &s)) != 0 || (r = c_string(env, target, b2, &t)) != 0
      || (r = c_string(env, fstype, b3, &f)) != 0 || (r = c_string(env, data, b4, &d)) != 0) {
    return r;
  }
  return mount(s, t, f, (unsigned long)flags, d) == 0 ? 0 : -errno;
}

JNIEXPORT jint JNICALL Java_org_ocichroothook_sys_JniSyscalls_umount20(JNIEnv *env, jclass cls,
                                                                       jbyteArray target,
                                                                       jint flags) {
  (void)cls;
  char buf[PATH_MAX];
  const char *t;
  int r = c_string(env, target, buf, &t);
  if (r != 0) {
    return r;
  }
  return umount2(t, flags) == 0 ? 0 : -errno;
}
