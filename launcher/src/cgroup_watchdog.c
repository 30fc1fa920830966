/* SPDX-License-Identifier: MIT */
/* The cgroup watchdog, and the file operations it shares with the launcher:
 * system calls only, as the watchdog is a copy of the launcher (of a
 * possibly multithreaded host).
 *
 * The watchdog is forked before any cgroup directory exists and blocks on
 * a socket only the launcher holds, and on the launcher process's pidfd.
 * When the launcher dies (even of SIGKILL) it kills everything left in the
 * cgroups and removes them; after a normal run the launcher tells it to
 * just exit. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "child/child.h"

size_t cr_cg_join_path(char *buf, size_t size, const char *dir, const char *file) {
  buf[0] = '\0';
  cr_strlcat(buf, dir, size);
  cr_strlcat(buf, "/", size);
  return cr_strlcat(buf, file, size);
}

int cr_cg_write_file(const char *dir, const char *file, const char *text) {
  char path[PATH_MAX];
  if (cr_cg_join_path(path, sizeof path, dir, file) >= sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = cr_write_all(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* SIGKILL every process listed in DIR/cgroup.procs; returns how many were
 * listed, or -1 when the file cannot be read. */
static int kill_listed(const char *dir) {
  char path[PATH_MAX], buf[4096];
  if (cr_cg_join_path(path, sizeof path, dir, "cgroup.procs") >= sizeof path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int listed = 0;
  long pid = 0;
  bool in_number = false;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        pid = pid * 10 + (buf[i] - '0');
        in_number = true;
      } else {
        if (in_number && pid > 0) {
          kill((pid_t)pid, SIGKILL);
          listed++;
        }
        pid = 0;
        in_number = false;
      }
    }
  }
  if (in_number && pid > 0) {
    kill((pid_t)pid, SIGKILL);
    listed++;
  }
  close(fd);
  return listed;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

int cr_cg_remove(const char *dir, int version) {
  if (version == 2) (void)cr_cg_write_file(dir, "cgroup.kill", "1"); /* Linux >= 5.14 */
  long waited = 0, step = 1;
  for (;;) {
    if (rmdir(dir) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || waited >= 5000) return -1;
    (void)kill_listed(dir);
    sleep_ms(step);
    waited += step;
    if (step < 64) step *= 2;
  }
}

/* Outside the sandbox, immune to the signals a terminal or a process-group
 * kill sends, holding nothing but its end of the socket and the launcher's
 * pidfd. */
void cr_watchdog_main(const struct cr_cgroups *cg, int sock, int launcher_pidfd) {
  (void)cr_set_signal_dispositions(SIG_IGN, SIGCHLD);
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);
  (void)setsid();
  /* raw: a sanitizer's prctl interceptor records the name under a lock
   * another thread of the host may have held at the clone */
  (void)syscall(SYS_prctl, PR_SET_NAME, "cleanroom-wd", 0, 0, 0);
  int keep[2];
  size_t n_keep = 0;
  if (launcher_pidfd >= 0 && launcher_pidfd < sock) keep[n_keep++] = launcher_pidfd;
  keep[n_keep++] = sock;
  if (launcher_pidfd > sock) keep[n_keep++] = launcher_pidfd;
  (void)cr_close_fds_except(keep, n_keep); /* sorted, as it wants them */
  /* the launcher's socket says "done"; EOF, or the launcher's process gone
   * (a forked copy of the host may still hold the socket), says clean up */
  struct pollfd pfds[2] = {{.fd = sock, .events = POLLIN}, {.fd = launcher_pidfd, .events = POLLIN}};
  for (;;) {
    int n = poll(pfds, launcher_pidfd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0 && (pfds[0].revents & POLLIN)) {
      char c;
      ssize_t got;
      do got = read(sock, &c, 1);
      while (got < 0 && errno == EINTR);
      if (got == 1) _exit(0); /* the launcher cleaned up itself */
    }
    break;
  }
  for (size_t i = 0; i < cg->n_dirs; i++) (void)cr_cg_remove(cg->dirs[i].path, cg->dirs[i].version);
  _exit(0);
}
