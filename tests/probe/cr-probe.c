/* SPDX-License-Identifier: MIT */
/* cr-probe: reports, as JSON on stdout, what a process actually sees.
 *
 * The end-to-end tests run it inside sandboxes (and, for comparison, on the
 * host). Every observation is made directly with the system call or /proc
 * file that defines it; nothing is inferred. Errors are reported, never
 * fatal: a field whose call failed carries {"errno": N, "error": "ENAME"}.
 *
 *   cr-probe [dump]              everything below as one JSON object
 *   cr-probe exit N              exit with status N
 *   cr-probe kill-self SIG       die of signal SIG (name or number)
 *   cr-probe sleep SECONDS [..]  print "ready PID PIDNS", then sleep; on a
 *                                forwarded signal print "got SIGNAME", exit 0
 *   cr-probe read PATH           open + read PATH: {open_ok, read_ok, hex, ...}
 *   cr-probe readlink PATH       readlink PATH
 *   cr-probe stat PATH           lstat PATH
 *   cr-probe ls PATH             list a directory
 *   cr-probe ps                  every /proc/[0-9]* with comm, state, ppid
 *   cr-probe write PATH TEXT     create/truncate PATH and write TEXT
 *   cr-probe fdio SPEC...        SPEC = N:r (read fd N to EOF) | N:w:TEXT
 *   cr-probe connect-unix NAME   connect a unix stream socket (@NAME = abstract)
 *   cr-probe bind-tcp PORT       bind a TCP socket to 0.0.0.0:PORT
 *   cr-probe shm-create KEY | shm-get KEY | shm-rm ID   SysV shared memory
 *   cr-probe orphans             make an orphan that exits, report zombies
 *   cr-probe daemon SECONDS MARKER   leave a setsid'd grandchild sleeping
 *   cr-probe tiocsti             try to push a byte into fd 0's tty input
 *   cr-probe exec-with OPTS -- PROG ARG...   (host side) set up inherited
 *                                state, then exec PROG; OPTS: --open DST:PATH,
 *                                --dup SRC:DST, --ignore SIG, --block SIG,
 *                                --umask OCT, --personality HEX,
 *                                --timerslack NS, --keyring NAME, --ctty,
 *                                --nofile N, --seccomp-listener (an
 *                                allow-all filter that holds the chain's
 *                                one listener, as a container manager's)
 *
 * The dump lists /proc/self/fd through a directory fd of its own; that fd is
 * reported as "listing_fd" and left out of "fds". */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/nsfs.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "file_type.h"

extern char **environ;

#define KEYCTL_GET_KEYRING_ID_ 0
#define KEYCTL_JOIN_SESSION_KEYRING_ 1
#define KEYCTL_DESCRIBE_ 6
#define KEY_SPEC_SESSION_KEYRING_ (-3)

/* ---- small helpers ---------------------------------------------------- */

static const char *errname(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

static void add_err(cJSON *o, int e) {
  cJSON_AddNumberToObject(o, "errno", e);
  cJSON_AddStringToObject(o, "error", errname(e));
}

/* "ok": false with the errno of the failed call. */
static void add_failure(cJSON *o, int e) {
  cJSON_AddBoolToObject(o, "ok", false);
  add_err(o, e);
}

/* An exact unsigned integer (cJSON numbers are doubles). */
static void add_u64(cJSON *o, const char *key, unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  cJSON_AddRawToObject(o, key, buf);
}

static void add_i64(cJSON *o, const char *key, long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", v);
  cJSON_AddRawToObject(o, key, buf);
}

static void emit(cJSON *o) {
  char *s = cJSON_PrintUnformatted(o);
  if (!s) {
    fputs("cr-probe: out of memory\n", stderr);
    exit(70);
  }
  fputs(s, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  free(s);
  cJSON_Delete(o);
}

static void add_stat(cJSON *o, const struct stat *st) {
  add_u64(o, "dev", (unsigned long long)st->st_dev);
  add_u64(o, "ino", (unsigned long long)st->st_ino);
  cJSON_AddStringToObject(o, "type", file_type_name(st->st_mode));
  char mode[16];
  snprintf(mode, sizeof mode, "%04o", (unsigned)(st->st_mode & 07777));
  cJSON_AddStringToObject(o, "mode", mode);
  add_u64(o, "uid", st->st_uid);
  add_u64(o, "gid", st->st_gid);
  add_i64(o, "size", (long long)st->st_size);
  if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
    char rdev[32];
    snprintf(rdev, sizeof rdev, "%u:%u", major(st->st_rdev), minor(st->st_rdev));
    cJSON_AddStringToObject(o, "rdev", rdev);
  }
}

/* Reads a whole file (up to `max` bytes). Returns NULL with errno set. */
static char *slurp(const char *path, size_t max, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    errno = ENOMEM;
    return NULL;
  }
  for (;;) {
    if (n == cap) {
      if (cap >= max) break;
      cap *= 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        free(buf);
        close(fd);
        errno = ENOMEM;
        return NULL;
      }
      buf = nb;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      close(fd);
      errno = e;
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static int parse_signal(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s && !*end) return (int)v;
  if (strncmp(s, "SIG", 3) == 0) s += 3;
  for (int sig = 1; sig < NSIG; sig++) {
    const char *n = sigabbrev_np(sig);
    if (n && strcmp(n, s) == 0) return sig;
  }
  return -1;
}

static const char *signame(int sig, char *buf, size_t len) {
  const char *n = sigabbrev_np(sig);
  if (n)
    snprintf(buf, len, "SIG%s", n);
  else
    snprintf(buf, len, "SIG%d", sig);
  return buf;
}

/* ---- the dump --------------------------------------------------------- */

static cJSON *probe_fds(int *listing_fd) {
  cJSON *arr = cJSON_CreateArray();
  DIR *d = opendir("/proc/self/fd");
  if (!d) {
    *listing_fd = -1;
    cJSON *e = cJSON_CreateObject();
    add_err(e, errno);
    cJSON_AddItemToArray(arr, e);
    return arr;
  }
  int lfd = dirfd(d);
  *listing_fd = lfd;
  struct dirent *de;
  while ((de = readdir(d))) {
    char *end;
    long n = strtol(de->d_name, &end, 10);
    if (de->d_name[0] == '.' || *end) continue;
    if (n == lfd) continue;
    int fd = (int)n;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "fd", fd);
    char link[64], target[PATH_MAX + 1];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t r = readlink(link, target, PATH_MAX);
    if (r >= 0) {
      target[r] = '\0';
      cJSON_AddStringToObject(o, "target", target);
    } else {
      cJSON_AddNullToObject(o, "target");
    }
    struct stat st;
    if (fstat(fd, &st) == 0) add_stat(o, &st);
    int fdflags = fcntl(fd, F_GETFD);
    cJSON_AddBoolToObject(o, "cloexec", fdflags >= 0 && (fdflags & FD_CLOEXEC));
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
      int acc = fl & O_ACCMODE;
      cJSON_AddStringToObject(o, "access",
                              acc == O_RDONLY   ? "r"
                              : acc == O_WRONLY ? "w"
                              : acc == O_RDWR   ? "rw"
                                                : "path");
      cJSON_AddBoolToObject(o, "append", (fl & O_APPEND) != 0);
      cJSON_AddBoolToObject(o, "nonblock", (fl & O_NONBLOCK) != 0);
#ifdef O_PATH
      cJSON_AddBoolToObject(o, "o_path", (fl & O_PATH) == O_PATH);
#endif
    }
    cJSON_AddItemToArray(arr, o);
  }
  closedir(d);
  return arr;
}

static cJSON *probe_status(void) {
  static const char *keys[] = {
      "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",    "NoNewPrivs", "Seccomp", "Seccomp_filters",
      "SigBlk", "SigIgn", "SigCgt", "SigPnd", "ShdPnd",    "Uid",        "Gid",     "Groups",
      "NStgid", "NSpid",  "NSpgid", "NSsid",  "TracerPid", NULL};
  cJSON *o = cJSON_CreateObject();
  char *txt = slurp("/proc/self/status", 1 << 20, NULL);
  if (!txt) {
    add_err(o, errno);
    return o;
  }
  char *save = NULL;
  for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = '\0';
    char *val = colon + 1;
    while (*val == ' ' || *val == '\t') val++;
    for (int i = 0; keys[i]; i++)
      if (strcmp(keys[i], line) == 0) cJSON_AddStringToObject(o, line, val);
  }
  free(txt);
  return o;
}

static cJSON *probe_ns(void) {
  static const char *names[] = {
      "user", "pid", "mnt", "net", "ipc", "uts", "cgroup", "time", "pid_for_children", "time_for_children",
      NULL};
  cJSON *o = cJSON_CreateObject();
  for (int i = 0; names[i]; i++) {
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
    ssize_t r = readlink(path, target, sizeof target - 1);
    if (r >= 0) {
      target[r] = '\0';
      cJSON_AddStringToObject(o, names[i], target);
    } else {
      cJSON_AddNullToObject(o, names[i]);
    }
  }
  return o;
}

/* Whether each namespace belongs to the process's own user namespace (the
 * sandbox's), or to an outer one (NS_GET_USERNS refuses those: EPERM). */
static cJSON *probe_ns_owner(void) {
  static const char *names[] = {"net", "ipc", "uts", "mnt", "pid", "cgroup", NULL};
  cJSON *o = cJSON_CreateObject();
  struct stat own;
  if (stat("/proc/self/ns/user", &own) < 0) {
    add_err(o, errno);
    return o;
  }
  for (int i = 0; names[i]; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int owner = fd >= 0 ? ioctl(fd, NS_GET_USERNS) : -1;
    struct stat st;
    if (owner >= 0 && fstat(owner, &st) == 0)
      cJSON_AddStringToObject(o, names[i],
                              st.st_ino == own.st_ino && st.st_dev == own.st_dev ? "own" : "other");
    else
      cJSON_AddStringToObject(o, names[i], errno == EPERM ? "outer" : errname(errno));
    if (owner >= 0) close(owner);
    if (fd >= 0) close(fd);
  }
  return o;
}

static cJSON *probe_stat_fields(void) {
  cJSON *o = cJSON_CreateObject();
  char *txt = slurp("/proc/self/stat", 1 << 16, NULL);
  if (!txt) {
    add_err(o, errno);
    return o;
  }
  char *p = strrchr(txt, ')');
  char state;
  int ppid, pgrp, session, tty_nr, tpgid;
  if (p && sscanf(p + 1, " %c %d %d %d %d %d", &state, &ppid, &pgrp, &session, &tty_nr, &tpgid) == 6) {
    char st[2] = {state, 0};
    cJSON_AddStringToObject(o, "state", st);
    cJSON_AddNumberToObject(o, "ppid", ppid);
    cJSON_AddNumberToObject(o, "pgrp", pgrp);
    cJSON_AddNumberToObject(o, "session", session);
    cJSON_AddNumberToObject(o, "tty_nr", tty_nr);
    cJSON_AddNumberToObject(o, "tpgid", tpgid);
  }
  free(txt);
  return o;
}

static cJSON *probe_signals(void) {
  cJSON *o = cJSON_CreateObject();
  sigset_t set;
  cJSON *blocked = cJSON_AddArrayToObject(o, "blocked");
  if (sigprocmask(SIG_BLOCK, NULL, &set) == 0) {
    for (int s = 1; s < NSIG; s++)
      if (sigismember(&set, s) == 1) cJSON_AddItemToArray(blocked, cJSON_CreateNumber(s));
  }
  cJSON *ignored = cJSON_AddArrayToObject(o, "ignored");
  cJSON *handled = cJSON_AddArrayToObject(o, "handled");
  for (int s = 1; s < NSIG; s++) {
    struct sigaction sa;
    if (sigaction(s, NULL, &sa) != 0) continue;
    if (sa.sa_handler == SIG_IGN)
      cJSON_AddItemToArray(ignored, cJSON_CreateNumber(s));
    else if (sa.sa_handler != SIG_DFL)
      cJSON_AddItemToArray(handled, cJSON_CreateNumber(s));
  }
  return o;
}

static cJSON *probe_lines(const char *path) {
  char *txt = slurp(path, 1 << 22, NULL);
  if (!txt) {
    cJSON *o = cJSON_CreateObject();
    add_err(o, errno);
    return o;
  }
  cJSON *arr = cJSON_CreateArray();
  char *save = NULL;
  for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    cJSON_AddItemToArray(arr, cJSON_CreateString(line));
  free(txt);
  return arr;
}

static cJSON *probe_interfaces(void) {
  cJSON *arr = cJSON_CreateArray();
  struct if_nameindex *ifs = if_nameindex();
  if (!ifs) {
    cJSON *e = cJSON_CreateObject();
    add_err(e, errno);
    cJSON_AddItemToArray(arr, e);
    return arr;
  }
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int serr = errno;
  for (struct if_nameindex *i = ifs; i->if_index; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", i->if_name);
    cJSON_AddNumberToObject(o, "index", i->if_index);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", i->if_name);
    if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
      cJSON_AddBoolToObject(o, "up", (ifr.ifr_flags & IFF_UP) != 0);
      cJSON_AddBoolToObject(o, "loopback", (ifr.ifr_flags & IFF_LOOPBACK) != 0);
      cJSON_AddBoolToObject(o, "running", (ifr.ifr_flags & IFF_RUNNING) != 0);
      cJSON_AddNumberToObject(o, "flags", (unsigned short)ifr.ifr_flags);
    } else {
      add_err(o, s < 0 ? serr : errno);
    }
    cJSON_AddItemToArray(arr, o);
  }
  if (s >= 0) close(s);
  if_freenameindex(ifs);
  return arr;
}

static cJSON *probe_keyring(void) {
  cJSON *o = cJSON_CreateObject();
  long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID_, KEY_SPEC_SESSION_KEYRING_, 0);
  if (id < 0) {
    add_err(o, errno);
    return o;
  }
  cJSON_AddNumberToObject(o, "id", (double)id);
  char desc[512];
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE_, id, desc, sizeof desc - 1);
  if (n > 0) {
    desc[(size_t)n < sizeof desc ? (size_t)n : sizeof desc - 1] = '\0';
    cJSON_AddStringToObject(o, "describe", desc);
  }
  return o;
}

static cJSON *probe_rlimits(void) {
  static const struct {
    const char *name;
    int res;
  } rl[] = {{"AS", RLIMIT_AS},
            {"CORE", RLIMIT_CORE},
            {"CPU", RLIMIT_CPU},
            {"DATA", RLIMIT_DATA},
            {"FSIZE", RLIMIT_FSIZE},
            {"LOCKS", RLIMIT_LOCKS},
            {"MEMLOCK", RLIMIT_MEMLOCK},
            {"MSGQUEUE", RLIMIT_MSGQUEUE},
            {"NICE", RLIMIT_NICE},
            {"NOFILE", RLIMIT_NOFILE},
            {"NPROC", RLIMIT_NPROC},
            {"RSS", RLIMIT_RSS},
            {"RTPRIO", RLIMIT_RTPRIO},
            {"RTTIME", RLIMIT_RTTIME},
            {"SIGPENDING", RLIMIT_SIGPENDING},
            {"STACK", RLIMIT_STACK},
            {NULL, 0}};
  cJSON *o = cJSON_CreateObject();
  for (int i = 0; rl[i].name; i++) {
    struct rlimit r;
    if (getrlimit(rl[i].res, &r) != 0) continue;
    cJSON *pair = cJSON_CreateArray();
    rlim_t v[2] = {r.rlim_cur, r.rlim_max};
    for (int k = 0; k < 2; k++) {
      if (v[k] == RLIM_INFINITY) {
        cJSON_AddItemToArray(pair, cJSON_CreateString("unlimited"));
      } else {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v[k]);
        cJSON_AddItemToArray(pair, cJSON_CreateRaw(buf));
      }
    }
    cJSON_AddItemToObject(o, rl[i].name, pair);
  }
  return o;
}

static int cmd_dump(int argc, char **argv) {
  cJSON *o = cJSON_CreateObject();
  /* fds first: nothing of the probe's own is open yet except the listing. */
  int listing_fd = -1;
  cJSON *fds = probe_fds(&listing_fd);
  cJSON_AddItemToObject(o, "fds", fds);
  cJSON_AddNumberToObject(o, "listing_fd", listing_fd);

  cJSON *av = cJSON_AddArrayToObject(o, "argv");
  for (int i = 0; i < argc; i++) cJSON_AddItemToArray(av, cJSON_CreateString(argv[i]));
  cJSON *env = cJSON_AddObjectToObject(o, "env");
  cJSON *envl = cJSON_AddArrayToObject(o, "environ");
  for (char **e = environ; e && *e; e++) {
    cJSON_AddItemToArray(envl, cJSON_CreateString(*e));
    char *eq = strchr(*e, '=');
    if (!eq) continue;
    char *name = strndup(*e, (size_t)(eq - *e));
    if (name && !cJSON_GetObjectItemCaseSensitive(env, name)) cJSON_AddStringToObject(env, name, eq + 1);
    free(name);
  }

  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  getresuid(&ru, &eu, &su);
  getresgid(&rg, &eg, &sg);
  cJSON_AddNumberToObject(o, "uid", ru);
  cJSON_AddNumberToObject(o, "euid", eu);
  cJSON_AddNumberToObject(o, "suid", su);
  cJSON_AddNumberToObject(o, "gid", rg);
  cJSON_AddNumberToObject(o, "egid", eg);
  cJSON_AddNumberToObject(o, "sgid", sg);
  gid_t groups[NGROUPS_MAX];
  int ng = getgroups(NGROUPS_MAX, groups);
  cJSON *ga = cJSON_AddArrayToObject(o, "groups");
  for (int i = 0; i < ng; i++) cJSON_AddItemToArray(ga, cJSON_CreateNumber(groups[i]));

  cJSON_AddItemToObject(o, "status", probe_status());
  cJSON_AddItemToObject(o, "ns", probe_ns());
  cJSON_AddItemToObject(o, "ns_owner", probe_ns_owner());

  cJSON_AddNumberToObject(o, "pid", getpid());
  cJSON_AddNumberToObject(o, "ppid", getppid());
  cJSON_AddNumberToObject(o, "sid", getsid(0));
  cJSON_AddNumberToObject(o, "pgid", getpgid(0));
  cJSON_AddItemToObject(o, "stat", probe_stat_fields());

  cJSON *tty = cJSON_AddObjectToObject(o, "dev_tty");
  int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t >= 0) {
    cJSON_AddBoolToObject(tty, "ok", true);
    close(t);
  } else {
    cJSON_AddBoolToObject(tty, "ok", false);
    add_err(tty, errno);
  }
  cJSON *ts = cJSON_AddObjectToObject(o, "tcgetsid0");
  pid_t tsid = tcgetsid(0);
  if (tsid >= 0)
    cJSON_AddNumberToObject(ts, "sid", tsid);
  else
    add_err(ts, errno);
  cJSON_AddBoolToObject(o, "isatty0", isatty(0) == 1);

  cJSON_AddItemToObject(o, "signals", probe_signals());

  mode_t m = umask(0);
  umask(m);
  char um[8];
  snprintf(um, sizeof um, "%04o", (unsigned)m);
  cJSON_AddStringToObject(o, "umask", um);

  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd))
    cJSON_AddStringToObject(o, "cwd", cwd);
  else
    cJSON_AddNullToObject(o, "cwd");
  struct utsname u;
  if (uname(&u) == 0) {
    cJSON_AddStringToObject(o, "hostname", u.nodename);
    cJSON_AddStringToObject(o, "domainname", u.domainname);
  }
  char exe[PATH_MAX + 1];
  ssize_t er = readlink("/proc/self/exe", exe, PATH_MAX);
  if (er >= 0) {
    exe[er] = '\0';
    cJSON_AddStringToObject(o, "exe", exe);
  }

  cJSON_AddItemToObject(o, "mountinfo", probe_lines("/proc/self/mountinfo"));
  cJSON_AddItemToObject(o, "cgroup", probe_lines("/proc/self/cgroup"));
  cJSON_AddItemToObject(o, "interfaces", probe_interfaces());
  cJSON_AddItemToObject(o, "session_keyring", probe_keyring());

  int pers = personality(0xffffffff);
  cJSON_AddNumberToObject(o, "personality", pers);
  cJSON_AddNumberToObject(o, "timerslack_ns", (double)prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
  cJSON_AddNumberToObject(o, "dumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  cJSON_AddNumberToObject(o, "no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  int sub = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
  cJSON_AddNumberToObject(o, "child_subreaper", sub);
  int pdeath = 0;
  prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
  cJSON_AddNumberToObject(o, "pdeathsig", pdeath);
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  cJSON_AddNumberToObject(o, "nice", errno ? 999 : nice);
  cJSON_AddItemToObject(o, "rlimits", probe_rlimits());
  emit(o);
  return 0;
}

/* ---- sub-commands ----------------------------------------------------- */

static int cmd_read(const char *path) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    cJSON_AddBoolToObject(o, "open_ok", false);
    cJSON_AddBoolToObject(o, "read_ok", false);
    add_err(o, errno);
    emit(o);
    return 0;
  }
  cJSON_AddBoolToObject(o, "open_ok", true);
  size_t cap = 1 << 20, n = 0;
  unsigned char *buf = malloc(cap);
  int rerr = 0;
  while (buf && n < cap) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      rerr = errno;
      break;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  cJSON_AddBoolToObject(o, "read_ok", rerr == 0);
  if (rerr) add_err(o, rerr);
  cJSON_AddNumberToObject(o, "size", (double)n);
  char *hex = malloc(2 * n + 1);
  if (hex && buf) {
    for (size_t i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", buf[i]);
    hex[2 * n] = '\0';
    cJSON_AddStringToObject(o, "hex", hex);
  }
  free(hex);
  free(buf);
  emit(o);
  return 0;
}

static int cmd_readlink(const char *path) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", path);
  char target[PATH_MAX + 1];
  ssize_t r = readlink(path, target, PATH_MAX);
  if (r >= 0) {
    target[r] = '\0';
    cJSON_AddBoolToObject(o, "ok", true);
    cJSON_AddStringToObject(o, "target", target);
  } else {
    add_failure(o, errno);
  }
  emit(o);
  return 0;
}

static int cmd_stat(const char *path) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", path);
  struct stat st;
  if (lstat(path, &st) == 0) {
    cJSON_AddBoolToObject(o, "ok", true);
    add_stat(o, &st);
  } else {
    add_failure(o, errno);
  }
  emit(o);
  return 0;
}

static int cmd_ls(const char *path) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", path);
  DIR *d = opendir(path);
  if (!d) {
    add_failure(o, errno);
    emit(o);
    return 0;
  }
  cJSON *arr = cJSON_CreateArray();
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    cJSON_AddItemToArray(arr, cJSON_CreateString(de->d_name));
    errno = 0;
  }
  int e = errno;
  closedir(d);
  cJSON_AddBoolToObject(o, "ok", e == 0);
  if (e) add_err(o, e);
  cJSON_AddItemToObject(o, "entries", arr);
  emit(o);
  return 0;
}

static int cmd_ps(void) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "self", getpid());
  cJSON *arr = cJSON_AddArrayToObject(o, "processes");
  DIR *d = opendir("/proc");
  if (!d) {
    add_err(o, errno);
    emit(o);
    return 0;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (!de->d_name[0] || *end) continue;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "pid", (double)pid);
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char *txt = slurp(path, 1 << 16, NULL);
    if (txt) {
      char *l = strchr(txt, '('), *r = strrchr(txt, ')');
      if (l && r && r > l) {
        *r = '\0';
        cJSON_AddStringToObject(p, "comm", l + 1);
        char state;
        int ppid;
        if (sscanf(r + 1, " %c %d", &state, &ppid) == 2) {
          char st[2] = {state, 0};
          cJSON_AddStringToObject(p, "state", st);
          cJSON_AddNumberToObject(p, "ppid", ppid);
        }
      }
      free(txt);
    }
    cJSON_AddItemToArray(arr, p);
  }
  closedir(d);
  emit(o);
  return 0;
}

static int cmd_write(const char *path, const char *text) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "path", path);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    add_failure(o, errno);
    emit(o);
    return 0;
  }
  size_t len = strlen(text);
  ssize_t w = write(fd, text, len);
  int e = (w == (ssize_t)len) ? 0 : (w < 0 ? errno : EIO);
  if (close(fd) != 0 && !e) e = errno;
  cJSON_AddBoolToObject(o, "ok", e == 0);
  if (e) add_err(o, e);
  emit(o);
  return 0;
}

static int cmd_fdio(int n, char **specs) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; i < n; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "spec", specs[i]);
    char *end;
    long fd = strtol(specs[i], &end, 10);
    if (end[0] == ':' && end[1] == 'r' && end[2] == '\0') {
      char buf[65536];
      size_t got = 0;
      int e = 0;
      for (;;) {
        ssize_t r = read((int)fd, buf + got, sizeof buf - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
          e = errno;
          break;
        }
        if (r == 0 || got + (size_t)r >= sizeof buf - 1) {
          got += (size_t)r;
          break;
        }
        got += (size_t)r;
      }
      buf[got] = '\0';
      cJSON_AddBoolToObject(o, "ok", e == 0);
      if (e) add_err(o, e);
      cJSON_AddStringToObject(o, "content", buf);
    } else if (end[0] == ':' && end[1] == 'w' && end[2] == ':') {
      const char *text = end + 3;
      ssize_t w = write((int)fd, text, strlen(text));
      cJSON_AddBoolToObject(o, "ok", w == (ssize_t)strlen(text));
      if (w < 0) add_err(o, errno);
    } else {
      cJSON_AddBoolToObject(o, "ok", false);
      cJSON_AddStringToObject(o, "error", "bad spec");
    }
    cJSON_AddItemToArray(arr, o);
  }
  emit(arr);
  return 0;
}

static int cmd_connect_unix(const char *name) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", name);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    cJSON_AddBoolToObject(o, "ok", false);
    cJSON_AddStringToObject(o, "stage", "socket");
    add_err(o, errno);
    emit(o);
    return 0;
  }
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t len = strlen(name);
  if (len >= sizeof sa.sun_path) len = sizeof sa.sun_path - 1;
  memcpy(sa.sun_path, name, len);
  if (name[0] == '@') sa.sun_path[0] = '\0';
  socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '@' ? 0 : 1));
  if (connect(s, (struct sockaddr *)&sa, sl) == 0) {
    cJSON_AddBoolToObject(o, "ok", true);
  } else {
    cJSON_AddBoolToObject(o, "ok", false);
    cJSON_AddStringToObject(o, "stage", "connect");
    add_err(o, errno);
  }
  close(s);
  emit(o);
  return 0;
}

static int cmd_bind_tcp(const char *port) {
  cJSON *o = cJSON_CreateObject();
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    cJSON_AddBoolToObject(o, "ok", false);
    cJSON_AddStringToObject(o, "stage", "socket");
    add_err(o, errno);
    emit(o);
    return 0;
  }
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)atoi(port));
  sa.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
    cJSON_AddBoolToObject(o, "ok", true);
  } else {
    cJSON_AddBoolToObject(o, "ok", false);
    cJSON_AddStringToObject(o, "stage", "bind");
    add_err(o, errno);
  }
  close(s);
  emit(o);
  return 0;
}

static int cmd_shm(const char *op, const char *arg) {
  cJSON *o = cJSON_CreateObject();
  long v = strtol(arg, NULL, 0);
  int r;
  if (strcmp(op, "shm-create") == 0)
    r = shmget((key_t)v, 4096, IPC_CREAT | IPC_EXCL | 0600);
  else if (strcmp(op, "shm-get") == 0)
    r = shmget((key_t)v, 0, 0);
  else
    r = shmctl((int)v, IPC_RMID, NULL);
  if (r >= 0) {
    cJSON_AddBoolToObject(o, "ok", true);
    cJSON_AddNumberToObject(o, "id", r);
  } else {
    add_failure(o, errno);
  }
  emit(o);
  return 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static cJSON *zombies(void) {
  cJSON *arr = cJSON_CreateArray();
  DIR *d = opendir("/proc");
  if (!d) return arr;
  struct dirent *de;
  while ((de = readdir(d))) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (!de->d_name[0] || *end) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char *txt = slurp(path, 1 << 16, NULL);
    if (!txt) continue;
    char *r = strrchr(txt, ')');
    char state;
    int ppid;
    if (r && sscanf(r + 1, " %c %d", &state, &ppid) == 2 && state == 'Z') {
      cJSON *z = cJSON_CreateObject();
      cJSON_AddNumberToObject(z, "pid", (double)pid);
      cJSON_AddNumberToObject(z, "ppid", ppid);
      cJSON_AddItemToArray(arr, z);
    }
    free(txt);
  }
  closedir(d);
  return arr;
}

/* A child that forks a grandchild and exits at once; the grandchild exits
 * 200 ms later as an orphan. Whoever adopted it must reap it. */
static int cmd_orphans(void) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return 70;
  pid_t a = fork();
  if (a < 0) return 70;
  if (a == 0) {
    pid_t b = fork();
    if (b == 0) {
      sleep_ms(200);
      _exit(0);
    }
    if (write(p[1], &b, sizeof b) != (ssize_t)sizeof b) _exit(1);
    _exit(0);
  }
  close(p[1]);
  pid_t b = -1;
  if (read(p[0], &b, sizeof b) != (ssize_t)sizeof b) b = -1;
  close(p[0]);
  waitpid(a, NULL, 0);
  sleep_ms(800);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "self", getpid());
  cJSON_AddNumberToObject(o, "orphan", b);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", (int)b);
  cJSON_AddBoolToObject(o, "orphan_exists", access(path, F_OK) == 0);
  cJSON_AddItemToObject(o, "zombies", zombies());
  emit(o);
  return 0;
}

/* Leaves a grandchild in its own session, sleeping; its cmdline is ours, so
 * it carries MARKER. Prints the grandchild's pid and exits 0. */
static int cmd_daemon(const char *secs) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return 70;
  pid_t a = fork();
  if (a < 0) return 70;
  if (a == 0) {
    setsid();
    pid_t b = fork();
    if (b == 0) {
      int nul = open("/dev/null", O_RDWR);
      for (int fd = 0; fd < 3; fd++) {
        if (nul >= 0)
          dup2(nul, fd);
        else
          close(fd);
      }
      if (nul > 2) close(nul);
      close(p[1]);
      sleep_ms(atol(secs) * 1000);
      _exit(0);
    }
    if (write(p[1], &b, sizeof b) != (ssize_t)sizeof b) _exit(1);
    _exit(0);
  }
  close(p[1]);
  pid_t b = -1;
  if (read(p[0], &b, sizeof b) != (ssize_t)sizeof b) b = -1;
  close(p[0]);
  waitpid(a, NULL, 0);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "daemon", b);
  emit(o);
  return 0;
}

/* Waits for one of the forwarded signals with sigtimedwait: a handler plus
 * nanosleep would lose a signal that lands between its flag test and the
 * sleep. */
static int cmd_sleep(const char *secs) {
  static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, 0};
  sigset_t set;
  sigemptyset(&set);
  for (int i = 0; sigs[i]; i++) sigaddset(&set, sigs[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  char ns[256] = "";
  ssize_t r = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  ns[r > 0 ? r : 0] = '\0';
  printf("ready %d %s\n", (int)getpid(), ns);
  fflush(stdout);
  struct timespec ts = {atol(secs), 0};
  int sig;
  do sig = sigtimedwait(&set, NULL, &ts);
  while (sig < 0 && errno == EINTR);
  if (sig > 0) {
    char name[32];
    printf("got %s\n", signame(sig, name, sizeof name));
  } else {
    printf("slept\n");
  }
  fflush(stdout);
  return 0;
}

static int cmd_kill_self(const char *s) {
  int sig = parse_signal(s);
  if (sig <= 0) {
    fprintf(stderr, "cr-probe: bad signal %s\n", s);
    return 2;
  }
  struct rlimit nocore = {0, 0};
  setrlimit(RLIMIT_CORE, &nocore);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  if (sig == SIGSEGV) {
    volatile int *np = NULL;
    *np = 1;
  }
  fprintf(stderr, "cr-probe: still alive after signal %d\n", sig);
  return 99;
}

static int cmd_tiocsti(void) {
  cJSON *o = cJSON_CreateObject();
  char c = '#';
  if (ioctl(0, TIOCSTI, &c) == 0) {
    cJSON_AddBoolToObject(o, "ok", true);
  } else {
    add_failure(o, errno);
  }
  emit(o);
  return 0;
}

static int die(const char *what, const char *arg) {
  fprintf(stderr, "cr-probe: exec-with: %s %s: %s\n", what, arg, strerror(errno));
  return 127;
}

#if defined(__x86_64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* A filter (inherited by everything exec'd after) under which
 * prctl(option, ...) fails with EPERM: a fault injected into the sandbox
 * init's first step, the parent-death signal. */
static int deny_prctl(unsigned option) {
#ifdef PROBE_AUDIT_ARCH
  struct sock_filter insns[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, option, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof insns / sizeof insns[0], .filter = insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
#else
  (void)option;
  errno = ENOSYS;
  return -1;
#endif
}

/* An allow-all seccomp filter installed with a listener: the filter
 * chain's one listener is taken, as under a container manager that
 * intercepts syscalls. The listener is close-on-exec and lives as long as
 * an fd holds it: a child keeps it until this process (after its exec)
 * ends. */
static int take_the_listener(void) {
  struct sock_filter insns[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {.len = 1, .filter = insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) return -1;
  pid_t parent = getpid(), holder = fork();
  if (holder < 0) return -1;
  if (holder == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent) _exit(0);
    for (;;) pause();
  }
  close((int)fd);
  return 0;
}

static int cmd_exec_with(int argc, char **argv) {
  int i = 0;
  for (; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc && strcmp(opt, "--ctty") != 0) {
      fprintf(stderr, "cr-probe: exec-with: %s needs a value\n", opt);
      return 2;
    }
    const char *val = argv[i + 1];
    if (strcmp(opt, "--open") == 0 || strcmp(opt, "--dup") == 0) {
      char *end;
      long a = strtol(val, &end, 10);
      if (*end != ':') return die("bad spec", val);
      int src, dst;
      if (opt[2] == 'o') {
        dst = (int)a;
        src = open(end + 1, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (src < 0) return die("open", end + 1);
      } else {
        src = (int)a;
        dst = (int)strtol(end + 1, NULL, 10);
      }
      if (src != dst) {
        if (dup2(src, dst) < 0) return die("dup2", val);
        if (opt[2] == 'o') close(src);
      }
      int fl = fcntl(dst, F_GETFD);
      if (fl < 0 || fcntl(dst, F_SETFD, fl & ~FD_CLOEXEC) < 0) return die("fcntl", val);
      i++;
    } else if (strcmp(opt, "--ignore") == 0) {
      int sig = parse_signal(val);
      /* The raw system call: glibc refuses the two signals it keeps (32, 33). */
      struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        unsigned long long mask;
      } ign = {SIG_IGN, 0, NULL, 0};
      if (sig <= 0 || syscall(SYS_rt_sigaction, sig, &ign, NULL, sizeof ign.mask) != 0)
        return die("ignore", val);
      i++;
    } else if (strcmp(opt, "--block") == 0) {
      int sig = parse_signal(val);
      sigset_t set;
      sigemptyset(&set);
      if (sig <= 0 || sigaddset(&set, sig) != 0 || sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return die("block", val);
      i++;
    } else if (strcmp(opt, "--umask") == 0) {
      umask((mode_t)strtol(val, NULL, 8));
      i++;
    } else if (strcmp(opt, "--personality") == 0) {
      if (personality((unsigned long)strtoul(val, NULL, 16)) < 0) return die("personality", val);
      i++;
    } else if (strcmp(opt, "--timerslack") == 0) {
      if (prctl(PR_SET_TIMERSLACK, strtoul(val, NULL, 10), 0, 0, 0) != 0) return die("timerslack", val);
      i++;
    } else if (strcmp(opt, "--keyring") == 0) {
      if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING_, val) < 0) return die("keyring", val);
      i++;
    } else if (strcmp(opt, "--nofile") == 0) {
      struct rlimit rl;
      getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = strtoul(val, NULL, 10);
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return die("nofile", val);
      i++;
    } else if (strcmp(opt, "--deny-prctl") == 0) {
      if (deny_prctl((unsigned)strtoul(val, NULL, 10)) < 0) return die("deny-prctl", val);
      i++;
    } else if (strcmp(opt, "--seccomp-listener") == 0) {
      if (take_the_listener() < 0) return die("seccomp-listener", "");
    } else if (strcmp(opt, "--ctty") == 0) {
      if (getsid(0) != getpid() && setsid() < 0) return die("setsid", "");
      if (ioctl(0, TIOCSCTTY, 0) != 0) return die("TIOCSCTTY", "fd 0");
    } else {
      fprintf(stderr, "cr-probe: exec-with: unknown option %s\n", opt);
      return 2;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "cr-probe: exec-with: no program\n");
    return 2;
  }
  execvp(argv[i], argv + i);
  return die("exec", argv[i]);
}

static int usage(void) {
  fputs(
      "usage: cr-probe [dump | exit N | kill-self SIG | sleep SECONDS | read PATH | readlink PATH |\n"
      "                 stat PATH | ls PATH | ps | write PATH TEXT | fdio SPEC... |\n"
      "                 connect-unix NAME | bind-tcp PORT | shm-create KEY | shm-get KEY |\n"
      "                 shm-rm ID | orphans | daemon SECONDS MARKER | tiocsti |\n"
      "                 exec-with OPTIONS -- PROG ARG...]\n",
      stderr);
  return 2;
}

static int cmd_exit(const char *code) { return atoi(code); }
static int cmd_shm_create(const char *key) { return cmd_shm("shm-create", key); }
static int cmd_shm_get(const char *key) { return cmd_shm("shm-get", key); }
static int cmd_shm_rm(const char *id) { return cmd_shm("shm-rm", id); }

/* The sub-commands: `arity` arguments at least, or all of them (-1). */
struct command {
  const char *name;
  int arity;
  union {
    int (*none)(void);
    int (*one)(const char *);
    int (*two)(const char *, const char *);
    int (*all)(int, char **);
  } run;
};

static const struct command commands[] = {
    {"exit", 1, {.one = cmd_exit}},
    {"kill-self", 1, {.one = cmd_kill_self}},
    {"sleep", 1, {.one = cmd_sleep}},
    {"read", 1, {.one = cmd_read}},
    {"readlink", 1, {.one = cmd_readlink}},
    {"stat", 1, {.one = cmd_stat}},
    {"ls", 1, {.one = cmd_ls}},
    {"ps", 0, {.none = cmd_ps}},
    {"write", 2, {.two = cmd_write}},
    {"fdio", -1, {.all = cmd_fdio}},
    {"connect-unix", 1, {.one = cmd_connect_unix}},
    {"bind-tcp", 1, {.one = cmd_bind_tcp}},
    {"shm-create", 1, {.one = cmd_shm_create}},
    {"shm-get", 1, {.one = cmd_shm_get}},
    {"shm-rm", 1, {.one = cmd_shm_rm}},
    {"orphans", 0, {.none = cmd_orphans}},
    {"daemon", 1, {.one = cmd_daemon}},
    {"tiocsti", 0, {.none = cmd_tiocsti}},
    {"exec-with", -1, {.all = cmd_exec_with}},
};

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "dump") == 0) return cmd_dump(argc, argv);
  int nargs = argc - 2;
  char **args = argv + 2;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    const struct command *c = &commands[i];
    if (strcmp(argv[1], c->name) != 0) continue;
    if (nargs < c->arity) return usage();
    switch (c->arity) {
      case -1: return c->run.all(nargs, args);
      case 0: return c->run.none();
      case 1: return c->run.one(args[0]);
      default: return c->run.two(args[0], args[1]);
    }
  }
  return usage();
}
