/* SPDX-License-Identifier: MIT */
/* libseccomp 2.5.4 can only export a program to a file descriptor
 * (seccomp_export_bpf_mem came in 2.6), so it is written to a memfd and read
 * back into memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cr/cleanup.h"
#include "internal.h"

static int read_all(int fd, void *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) {
      errno = EIO; /* the memfd shrank: cannot happen, but never loop */
      return -1;
    }
    done += (size_t)n;
  }
  return 0;
}

int cr_export_bpf(scmp_filter_ctx filter, const char *where, struct cr_bpf *out, cr_error **err) {
  cr_autoclose int fd = memfd_create("cleanroom-bpf", MFD_CLOEXEC);
  if (fd < 0) return cr_fail(err, errno, where, "memfd_create for the BPF export");
  int rc = seccomp_export_bpf(filter, fd);
  if (rc < 0) return cr_fail(err, -rc, where, "libseccomp could not generate the BPF program");
  struct stat st;
  if (fstat(fd, &st) < 0) return cr_fail(err, errno, where, "fstat of the BPF export");
  size_t size = (size_t)st.st_size;
  size_t len = size / sizeof(struct sock_filter);
  if (size % sizeof(struct sock_filter) != 0 || len == 0)
    return cr_fail(err, 0, where, "libseccomp exported %zu bytes, not a BPF program", size);
  if (len > BPF_MAXINSNS)
    return cr_fail(err, 0, where, "the filter has %zu instructions, more than the kernel's %d", len,
                   BPF_MAXINSNS);
  cr_autofree struct sock_filter *insns = malloc(size);
  if (!insns) return cr_fail(err, ENOMEM, where, "BPF program of %zu bytes", size);
  if (read_all(fd, insns, size) < 0) return cr_fail(err, errno, where, "reading the BPF export");
  out->insns = cr_steal_ptr(&insns);
  out->len = (unsigned short)len;
  return 0;
}
