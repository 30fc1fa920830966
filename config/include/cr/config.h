/* SPDX-License-Identifier: MIT */
/* The resolved, validated description of one run.
 *
 * config/ turns JSON into this plain struct; nothing else in cleanroom reads
 * JSON config. Every string is owned by the struct (free with
 * cr_config_free). Host paths are absolute (relative ones in a file were
 * resolved against the file's folder); sandbox paths are absolute and
 * normalised (no "." / ".." components, no repeated or trailing "/"). */
#ifndef CR_CONFIG_H
#define CR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cleanroom/cleanroom.h"
#include "cr/error.h"

/* Namespaces, as bits of cr_config.namespaces. */
enum cr_namespace {
  CR_NS_USER = 1u << 0,
  CR_NS_PID = 1u << 1,
  CR_NS_MOUNT = 1u << 2,
  CR_NS_NET = 1u << 3,
  CR_NS_IPC = 1u << 4,
  CR_NS_UTS = 1u << 5,
  CR_NS_CGROUP = 1u << 6,
  CR_NS_TIME = 1u << 7,
};
/* user, pid and mount cannot be left out: without them there is no fresh
 * root, no reaper, and no rootless operation. */
#define CR_NS_REQUIRED (CR_NS_USER | CR_NS_PID | CR_NS_MOUNT)

enum cr_fs_type {
  CR_FS_BIND,    /* source, target, writable, optional */
  CR_FS_TMPFS,   /* target, size (0 = kernel default), mode */
  CR_FS_PROC,    /* target */
  CR_FS_DEV,     /* target, dev_pts, dev_shm */
  CR_FS_SYMLINK, /* target, link_to */
  CR_FS_FILE,    /* target, content (content_len bytes), mode */
};

struct cr_fs_entry {
  enum cr_fs_type type;
  char *source;  /* bind: absolute host path */
  char *target;  /* absolute sandbox path */
  char *link_to; /* symlink: what the link points to (JSON "to") */
  char *content; /* file: inline content */
  size_t content_len;
  bool writable;         /* bind: read-write (default read-only) */
  bool optional;         /* bind: skip when the source does not exist */
  bool dev_pts;          /* dev: also a private /dev/pts (JSON "pts") */
  bool dev_shm;          /* dev: also a tmpfs /dev/shm (JSON "shm", default true) */
  uint64_t size;         /* tmpfs: bytes, 0 = kernel default (or size_percent) */
  unsigned size_percent; /* tmpfs: 1-100 % of the host's RAM ("25%"), 0 = not a percentage */
  uint64_t shm_size;     /* dev: size of /dev/shm in bytes (or shm_size_percent) */
  unsigned shm_size_percent;
  mode_t mode; /* tmpfs: default 01777 for /tmp-like, file: default 0444 */
};

enum cr_fd_kind {
  CR_FD_NULL,    /* /dev/null, read-write */
  CR_FD_INHERIT, /* the launcher's own fd `inherit_fd` */
  CR_FD_PATH,    /* a host file opened with `open_flags` */
};

struct cr_fd_entry {
  int fd; /* the fd number in the child */
  enum cr_fd_kind kind;
  int inherit_fd; /* CR_FD_INHERIT */
  char *path;     /* CR_FD_PATH: absolute host path */
  int open_flags; /* CR_FD_PATH: O_RDONLY, O_WRONLY|O_CREAT|O_TRUNC, O_WRONLY|O_CREAT|O_APPEND, O_RDWR|O_CREAT */
};

struct cr_env_var {
  char *name;
  char *value;
};

enum cr_seccomp_kind {
  CR_SECCOMP_BUILTIN, /* builtin_name: "default" or "strict" */
  CR_SECCOMP_FILE,    /* path: absolute path of a profile file */
  CR_SECCOMP_INLINE,  /* inline_json: the profile object, printed as JSON text */
  CR_SECCOMP_NONE,    /* no filter (explicit "none") */
};

struct cr_seccomp_spec {
  enum cr_seccomp_kind kind;
  char *builtin_name;
  char *path;
  char *inline_json;
  char *origin; /* CR_SECCOMP_INLINE: the config's name, for errors under "$.seccomp" */
};

enum cr_network { CR_NETWORK_NONE, CR_NETWORK_HOST };

/* Limits a cgroup enforces; bits of cr_limits.optional. */
enum cr_limit_kind {
  CR_LIMIT_MEMORY = 1u << 0,
  CR_LIMIT_PIDS = 1u << 1,
  CR_LIMIT_CPU = 1u << 2,
};

struct cr_rlimit {
  int resource; /* RLIMIT_* */
  rlim_t soft;  /* RLIM_INFINITY for "unlimited" */
  rlim_t hard;
};

struct cr_limits {
  uint64_t time_ms;       /* 0 = no wall-clock limit */
  uint64_t kill_grace_ms; /* default 2000 */
  uint64_t memory;        /* bytes, 0 = no limit */
  uint64_t pids;          /* 0 = no limit */
  double cpu;             /* cores, 0 = no limit */
  unsigned optional;      /* cr_limit_kind bits the run may go without */
  char
      *cgroup_parent; /* cgroup path (as in /proc/self/cgroup) new cgroups go under; NULL = cleanroom's own */
  struct cr_rlimit *rlimits;
  size_t n_rlimits;
};

#define CR_CPU_SET_WORDS 16 /* CPUs 0..1023, the kernel's cpu_set_t */

struct cr_process {
  char *path;  /* absolute path of the program inside the sandbox; NULL = search args[0] in env PATH */
  char **args; /* NULL-terminated argv, n_args >= 1 */
  size_t n_args;
  struct cr_env_var *env; /* the whole environment */
  size_t n_env;
  char *cwd;                   /* absolute sandbox path */
  uint32_t uid, gid;           /* ids inside the user namespace */
  uint32_t host_uid, host_gid; /* host ids they map to when the caller is root */
  mode_t umask;
  bool has_oom_score_adj; /* oom_score_adj set for the sandbox */
  int oom_score_adj;      /* -1000..1000; lowering it needs privilege the sandbox lacks */
  bool has_nice;
  int nice;                        /* -20..19, set by the sandbox itself (no host privilege) */
  bool has_cpus;                   /* the CPUs the sandbox may run on; absent: every CPU it may use */
  uint64_t cpus[CR_CPU_SET_WORDS]; /* bit N = CPU N */
};

struct cr_config {
  char *name;        /* what errors call it: the file as given, the string's name, "built-in default" */
  char *source_path; /* the config file, NULL for the built-in default */
  char *base_dir;    /* folder relative host paths resolved against */
  struct cr_process process;
  unsigned namespaces; /* cr_namespace bits */
  char *hostname;      /* NULL when no uts namespace */
  struct cr_fs_entry *fs;
  size_t n_fs;
  struct cr_fd_entry *fds; /* the whole fd table of the child, sorted by fd */
  size_t n_fds;
  struct cr_seccomp_spec seccomp;
  uint64_t capabilities; /* bit N = capability N kept (default 0) */
  enum cr_network network;
  struct cr_limits limits;
  char *report_path; /* absolute host path or NULL */
};

/* The public functions of config/ are declared in cleanroom/cleanroom.h
 * (cr_config_load_file, _load_string, _load_default, _update, the setters,
 * _to_json, _copy, _free). */

/* A CPU set as "0-3,6" (cpusets' list format), "" when empty; `size` of
 * CR_CPU_LIST_MAX always suffices. */
#define CR_CPU_LIST_MAX (CR_CPU_SET_WORDS * 64 * 5)
const char *cr_cpu_list_format(const uint64_t *set, char *buf, size_t size);

/* The built-in default config, as JSON text (config/default.json). */
extern const char cr_default_config_json[];

#endif
