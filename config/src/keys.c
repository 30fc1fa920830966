/* SPDX-License-Identifier: MIT */
/* Every key and enumerated value of the config format, in one place. */
#include "keys.h"

#include <fcntl.h>
#include <sys/resource.h>

#include "cr/cleanup.h"
#include "cr/config.h"

static const char *const root_keys[] = {"process", "namespaces",   "hostname", "filesystem", "fds",
                                        "seccomp", "capabilities", "network",  "limits",     "report"};
static const char *const process_keys[] = {"path",     "args",     "env",   "cwd",           "uid",  "gid",
                                           "host_uid", "host_gid", "umask", "oom_score_adj", "nice", "cpus"};
static const char *const bind_keys[] = {"type", "source", "target", "writable", "optional"};
static const char *const tmpfs_keys[] = {"type", "target", "size", "mode"};
static const char *const proc_keys[] = {"type", "target"};
static const char *const dev_keys[] = {"type", "target", "pts", "shm", "shm_size"};
static const char *const symlink_keys[] = {"type", "target", "to"};
static const char *const file_keys[] = {"type", "target", "content", "mode"};
static const char *const fd_keys[] = {"fd", "null", "inherit", "path", "mode"};
static const char *const limits_keys[] = {"time_ms", "kill_grace_ms", "memory",        "pids",
                                          "cpu",     "optional",      "cgroup_parent", "rlimits"};
static const char *const rlimit_names[] = {"AS",      "CORE",     "CPU",        "DATA",   "FSIZE", "LOCKS",
                                           "MEMLOCK", "MSGQUEUE", "NICE",       "NOFILE", "NPROC", "RSS",
                                           "RTPRIO",  "RTTIME",   "SIGPENDING", "STACK"};
static const char *const rlimit_pair_keys[] = {"soft", "hard"};

static const char *const namespace_names[] = {"user", "pid", "mount", "net", "ipc", "uts", "cgroup", "time"};
static const char *const fs_type_names[] = {"bind", "tmpfs", "proc", "dev", "symlink", "file"};
static const char *const seccomp_builtins[] = {"default", "strict", "none"};
static const char *const network_names[] = {"none", "host"};
static const char *const limit_names[] = {"memory", "pids", "cpu"};
static const char *const fd_modes[] = {"r", "w", "a", "rw"};

const unsigned cr_namespace_bits[] = {CR_NS_USER, CR_NS_PID, CR_NS_MOUNT,  CR_NS_NET,
                                      CR_NS_IPC,  CR_NS_UTS, CR_NS_CGROUP, CR_NS_TIME};
const int cr_rlimit_resources[] = {RLIMIT_AS,     RLIMIT_CORE,   RLIMIT_CPU,        RLIMIT_DATA,
                                   RLIMIT_FSIZE,  RLIMIT_LOCKS,  RLIMIT_MEMLOCK,    RLIMIT_MSGQUEUE,
                                   RLIMIT_NICE,   RLIMIT_NOFILE, RLIMIT_NPROC,      RLIMIT_RSS,
                                   RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK};
const int cr_fd_mode_flags[] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND,
                                O_RDWR | O_CREAT};

_Static_assert(CR_ARRAY_SIZE(cr_namespace_bits) == CR_ARRAY_SIZE(namespace_names), "namespaces");
_Static_assert(CR_ARRAY_SIZE(cr_rlimit_resources) == CR_ARRAY_SIZE(rlimit_names), "rlimits");
_Static_assert(CR_ARRAY_SIZE(cr_fd_mode_flags) == CR_ARRAY_SIZE(fd_modes), "fd modes");
_Static_assert(CR_ARRAY_SIZE(fs_type_names) == CR_FS_FILE + 1, "fs types");

#define KEYSET(def, is_enum, array) \
  { def, is_enum, array, CR_ARRAY_SIZE(array) }

const struct cr_keyset cr_config_keysets[CR_KEYSET_COUNT] = {
    [CR_KEYS_ROOT] = KEYSET("", false, root_keys),
    [CR_KEYS_PROCESS] = KEYSET("process", false, process_keys),
    [CR_KEYS_FS_BIND] = KEYSET("fs_bind", false, bind_keys),
    [CR_KEYS_FS_TMPFS] = KEYSET("fs_tmpfs", false, tmpfs_keys),
    [CR_KEYS_FS_PROC] = KEYSET("fs_proc", false, proc_keys),
    [CR_KEYS_FS_DEV] = KEYSET("fs_dev", false, dev_keys),
    [CR_KEYS_FS_SYMLINK] = KEYSET("fs_symlink", false, symlink_keys),
    [CR_KEYS_FS_FILE] = KEYSET("fs_file", false, file_keys),
    [CR_KEYS_FD] = KEYSET("fd", false, fd_keys),
    [CR_KEYS_LIMITS] = KEYSET("limits", false, limits_keys),
    [CR_KEYS_RLIMITS] = KEYSET("rlimits", false, rlimit_names),
    [CR_KEYS_RLIMIT_PAIR] = KEYSET("rlimit_pair", false, rlimit_pair_keys),
    [CR_ENUM_NAMESPACE] = KEYSET("namespace", true, namespace_names),
    [CR_ENUM_FS_TYPE] = KEYSET("fs_type", true, fs_type_names),
    [CR_ENUM_SECCOMP_BUILTIN] = KEYSET("seccomp_builtin", true, seccomp_builtins),
    [CR_ENUM_NETWORK] = KEYSET("network", true, network_names),
    [CR_ENUM_LIMIT_NAME] = KEYSET("limit_name", true, limit_names),
    [CR_ENUM_FD_MODE] = KEYSET("fd_mode", true, fd_modes),
};
