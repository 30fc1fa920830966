/* SPDX-License-Identifier: MIT */
/* libcleanroom: start programs in sandboxes that hold only what a config
 * declares, and nothing else of the process that starts them.
 *
 * The whole public API is this header; `cleanroom` (the command line) and
 * the Python package use nothing else. Link with `pkg-config --cflags
 * --libs cleanroom` (or find_package(cleanroom) in CMake).
 *
 * A sandbox has a lifecycle:
 *
 *     cr_config *cfg = NULL;      -- load once, run many times
 *     cr_sandbox *sb = NULL;
 *     cr_error *err = NULL;
 *     const cr_result *res;
 *     if (cr_config_load_file("run.json", &cfg, &err) < 0 ||
 *         cr_sandbox_create(cfg, NULL, &sb, &err) < 0 ||  -- built, up to the payload's start
 *         cr_sandbox_start(sb, NULL, &err) < 0 ||         -- or with a cr_job: args, env, fds...
 *         cr_sandbox_wait(sb, -1, &res, &err) < 0)        -- or poll(cr_sandbox_fd(sb)) first
 *       fprintf(stderr, "cleanroom: %s\n", cr_error_message(err));
 *     else
 *       printf("exit %d\n", res->exit_code);
 *     cr_sandbox_free(sb);
 *     cr_config_free(cfg);
 *     cr_error_free(err);
 *
 * and cr_run() does create, start and wait in one call.
 *
 * Conventions:
 *   - A function that can fail returns -1 (or NULL) and, when `err` is not
 *     NULL, stores a new error in *err (which should be NULL before; an
 *     error there is replaced); the caller frees it with cr_error_free().
 *     On success it returns 0 (or a pointer) and leaves *err alone.
 *   - Objects are opaque and made and freed by the library, except
 *     struct cr_result, which the library allocates and whose fields you
 *     may read: later versions only append fields, so never allocate,
 *     copy or embed one yourself.
 *   - Strings passed in are copied; strings handed out stay valid as long
 *     as the object they belong to.
 *   - The library reads no environment variable and prints nothing:
 *     cr_options carry the cache folder, the cgroup parent and debug
 *     timing, and diagnostics go to the log function set there (none by
 *     default). Only the audit (cr_options_set_audit) looks at `environ`,
 *     for the names of what the sandbox did not get.
 *
 * Threading and processes:
 *   - Different sandboxes may be created, started, waited for and freed
 *     from different threads at the same time. One sandbox is used by one
 *     thread at a time, except that cr_sandbox_kill() and cr_sandbox_fd()
 *     may be called from any thread while another waits. A config and
 *     options may be shared by threads as long as none changes them.
 *   - The sandbox's processes are started with clone3 (no atfork handler
 *     runs) and use only async-signal-safe code, so a multithreaded host
 *     may create sandboxes. They are children of the process: the host
 *     must not reap children it did not start (waitpid(-1) in a SIGCHLD
 *     handler) while a sandbox exists.
 *   - While any sandbox exists the process is not dumpable (no
 *     /proc/PID/mem, no ptrace by other processes of the user); the last
 *     sandbox freed restores what it was.
 *   - A sandbox ends when the process that created it ends (SIGKILL
 *     included), and when it is freed.
 *   - cr_options_set_forward_signals(): from create to free the creating
 *     thread has SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
 *     SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU and SIGCONT blocked, and
 *     cr_sandbox_wait() (in that thread) passes them on; every other thread
 *     must keep them blocked too. Off by default. */
#ifndef CLEANROOM_CLEANROOM_H
#define CLEANROOM_CLEANROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CLEANROOM_VERSION_MAJOR 0
#define CLEANROOM_VERSION_MINOR 2
#define CLEANROOM_VERSION_PATCH 0
#define CLEANROOM_VERSION_STRING "0.2.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if */
#define CLEANROOM_VERSION_NUMBER \
  (CLEANROOM_VERSION_MAJOR * 10000 + CLEANROOM_VERSION_MINOR * 100 + CLEANROOM_VERSION_PATCH)

#if defined(__GNUC__)
#define CR_API __attribute__((visibility("default")))
#else
#define CR_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cr_error cr_error;
typedef struct cr_config cr_config;
typedef struct cr_options cr_options;
typedef struct cr_job cr_job;
typedef struct cr_sandbox cr_sandbox;
typedef struct cr_result cr_result;

/* The version of the library that runs ("0.2.0"), which may be newer than
 * the header a program was built with. */
CR_API const char *cr_version(void);

/* ---- errors -------------------------------------------------------------- */

/* "WHERE: WHAT[: strerror(errno)]"; a config with several errors gives one
 * line per error, joined by '\n'. Never NULL. */
CR_API const char *cr_error_message(const cr_error *err);
/* The step or file that failed ("$.filesystem[2]", "clone", "run.json"). */
CR_API const char *cr_error_where(const cr_error *err);
/* What went wrong, without WHERE and strerror; may hold several lines. */
CR_API const char *cr_error_what(const cr_error *err);
/* The errno value, 0 when the error is not a system error. */
CR_API int cr_error_errno(const cr_error *err);
CR_API void cr_error_free(cr_error *err);
/* An error of the caller's own, in the library's form (for a host that
 * reports its failures as the library does, e.g. in cr_report_write).
 * Never NULL: without memory it is a static "out of memory" one, which
 * cr_error_free() ignores. */
CR_API cr_error *cr_error_new(int errnum, const char *where, const char *what);

/* ---- options: what a program hands the library instead of environment ---- */

enum cr_log_level {
  CR_LOG_ERROR = 0,
  CR_LOG_WARNING = 1, /* e.g. an optional limit not applied, unknown syscalls in a profile */
  CR_LOG_DEBUG = 2,   /* debug timing */
};

/* Called from the thread that called into the library; `message` is one
 * line without "cleanroom: " or a newline. */
typedef void (*cr_log_fn)(void *data, int level, const char *message);

CR_API int cr_options_new(cr_options **out, cr_error **err);
CR_API void cr_options_free(cr_options *opts);
/* Where compiled seccomp filters are cached (a folder of the caller's own,
 * writable by nobody else; made when missing). NULL, the default: no cache,
 * every launch compiles its filter (several milliseconds). */
CR_API int cr_options_set_cache_dir(cr_options *opts, const char *dir, cr_error **err);
/* The cgroup (a path as in /proc/self/cgroup, e.g. one delegated to the
 * user) under which the cgroups of limits.memory, .pids and .cpu are made,
 * unless the config names one. NULL, the default: the process's own. */
CR_API int cr_options_set_cgroup_parent(cr_options *opts, const char *cgroup, cr_error **err);
CR_API void cr_options_set_log(cr_options *opts, cr_log_fn fn, void *data);
/* Pass signals sent to the process on to the sandbox, and job control
 * (see the threading notes above). */
CR_API void cr_options_set_forward_signals(cr_options *opts, bool forward);
/* Clock marks of each launch's steps, at CR_LOG_DEBUG when the run ends. */
CR_API void cr_options_set_debug_timing(cr_options *opts, bool on);
/* The audit: each result says what the process had that the sandbox did
 * not get (cr_result.withheld: open fds with their kind and target or
 * address, environment variable names, ignored and blocked signals, umask,
 * cwd, soft limits, session and terminal, session keyring, personality,
 * THP, timer slack, memory policy, nice, scheduler, I/O priority, CPU
 * affinity, oom_score_adj) and what reached it as a ceiling
 * (cr_result.carried: hard limits, no_new_privs, the process's own seccomp
 * filters, a nice, scheduler, I/O priority, cpuset or oom_score_adj the
 * sandbox could not reset), as JSON objects, also in the report. Names and
 * numbers only, never a variable's value. The process's state is read at
 * create (the fd table first), on the creating thread; for the names, the
 * library reads `environ`. Off by default: it costs a system call or two
 * per open fd. */
CR_API void cr_options_set_audit(cr_options *opts, bool on);
/* Learn mode: every system call of the payload's programs is observed
 * (the filter notifies the sandbox's init, which lets through what the
 * config's seccomp policy allows, answers the rest as the policy would,
 * and records each kind of call), and cr_result.learned says which; then
 * cr_learned_profile() writes a profile of them. Each call costs a round
 * trip to the init. The policy "none" cannot be learned from (no filter):
 * create fails. Off by default. */
CR_API void cr_options_set_learn(cr_options *opts, bool on);
/* When the caller is root: the host ids the sandbox's other ids map to.
 * The sandbox's own uid/gid map to process.host_uid/host_gid; every other
 * id below `count` maps to base + id, so that chown, setuid and setgroups
 * to another id answer EPERM (no capability) where programs expect it,
 * not EINVAL (no such id). Nothing ever runs as or owns these host ids: no
 * sandboxed process has a capability to take them, so sandboxes sharing
 * the range share nothing through it. Default base CR_ID_RANGE_BASE,
 * count CR_ID_RANGE_COUNT; count 0 maps the sandbox's own ids only.
 * EINVAL when the range would hold host id 0 or wrap. An ordinary caller's
 * other ids are the subordinate ids /etc/subuid and /etc/subgid grant it
 * (up to `count` of them, `base` unused), mapped by /usr/bin/newuidmap and
 * newgidmap; without a grant or those helpers, or with count 0, its own
 * ids only. */
#define CR_ID_RANGE_BASE 2147352576u /* 0x7ffe0000 */
#define CR_ID_RANGE_COUNT 65536u
CR_API int cr_options_set_id_range(cr_options *opts, uint32_t base, uint32_t count, cr_error **err);

/* ---- configs ------------------------------------------------------------- */

/* A config file on top of the built-in default (section by section).
 * Relative host paths resolve against the file's folder. All errors of the
 * file are reported at once, one per line, each naming its JSON path
 * ("$.filesystem[2].source: no such file or directory: /nope"). */
CR_API int cr_config_load_file(const char *path, cr_config **out, cr_error **err);
/* Config JSON text on top of the default; relative host paths resolve
 * against base_dir (NULL: the current folder). `name` names it in errors. */
CR_API int cr_config_load_string(const char *json, const char *name, const char *base_dir, cr_config **out,
                                 cr_error **err);
/* The built-in default alone (what `cleanroom run -- CMD` uses). */
CR_API int cr_config_load_default(cr_config **out, cr_error **err);
CR_API void cr_config_free(cr_config *cfg);
CR_API int cr_config_copy(const cr_config *cfg, cr_config **out, cr_error **err);

/* Replace whole sections of the config with those of the JSON object
 * `json` (as a config file replaces the default's), validated as a file is:
 * errors name their JSON path. Relative host paths resolve against the
 * config's folder. */
CR_API int cr_config_update(cr_config *cfg, const char *json, cr_error **err);

/* Quick changes, each validated like the JSON it stands for: */
/* argv; args[0] is looked up in the sandbox's PATH unless it holds a '/'. */
CR_API int cr_config_set_args(cr_config *cfg, size_t argc, const char *const *argv, cr_error **err);
/* One environment variable; value NULL removes it. */
CR_API int cr_config_set_env(cr_config *cfg, const char *name, const char *value, cr_error **err);
CR_API int cr_config_set_cwd(cr_config *cfg, const char *cwd, cr_error **err);
/* A bind of the host path `source` at `target` (NULL: the same path). */
CR_API int cr_config_add_bind(cr_config *cfg, const char *source, const char *target, bool writable,
                              cr_error **err);
/* A tmpfs at `target`; size as in the config ("64M", "25%"), NULL: the kernel's default. */
CR_API int cr_config_add_tmpfs(cr_config *cfg, const char *target, const char *size, cr_error **err);
/* Fd `target` of the sandbox: the caller's fd `source` ("inherit"), any order. */
CR_API int cr_config_set_fd(cr_config *cfg, int target, int source, cr_error **err);
/* "none" or "host". */
CR_API int cr_config_set_network(cr_config *cfg, const char *network, cr_error **err);
/* "default", "strict", "none", or a profile file. */
CR_API int cr_config_set_seccomp(cr_config *cfg, const char *policy, cr_error **err);
/* 0 removes the limit. */
CR_API int cr_config_set_time_limit_ms(cr_config *cfg, uint64_t ms, cr_error **err);
CR_API int cr_config_set_memory_limit(cr_config *cfg, uint64_t bytes, cr_error **err);
CR_API int cr_config_set_pids_limit(cr_config *cfg, uint64_t pids, cr_error **err);
/* Any key: `key` a dotted path of object keys ("limits.memory",
 * "process.umask", "hostname"), `json` its new value as JSON text
 * ("\"512M\"", "64"); objects on the way are made. */
CR_API int cr_config_set_key(cr_config *cfg, const char *key, const char *json, cr_error **err);

/* What `cleanroom check` does: also compiles the seccomp policy (with
 * `opts`' cache, may be NULL), so a config that passes will not fail on it. */
CR_API int cr_config_check(const cr_config *cfg, const cr_options *opts, cr_error **err);
/* The resolved config as JSON text in the config format (loading it gives
 * the same config); free it with cr_free(). NULL on ENOMEM. */
CR_API char *cr_config_to_json(const cr_config *cfg);
/* The built-in default config as JSON text (static). */
CR_API const char *cr_config_default_json(void);

/* ---- jobs: what one start of a created sandbox runs ------------------------ */

/* Unset parts come from the config. */
CR_API int cr_job_new(cr_job **out, cr_error **err);
CR_API void cr_job_free(cr_job *job);
CR_API int cr_job_set_args(cr_job *job, size_t argc, const char *const *argv, cr_error **err);
/* The whole environment, "NAME=VALUE" strings. */
CR_API int cr_job_set_env(cr_job *job, size_t n, const char *const *env, cr_error **err);
CR_API int cr_job_set_cwd(cr_job *job, const char *cwd, cr_error **err);
/* The caller's fd `source` becomes fd `target` of the payload, on top of the
 * config's fd table (a target set again is replaced; any order). The job
 * holds its own duplicate: the caller may close `source`. */
CR_API int cr_job_set_fd(cr_job *job, int target, int source, cr_error **err);
/* 0: none (the config's limits.time_ms otherwise applies). */
CR_API int cr_job_set_time_limit_ms(cr_job *job, uint64_t ms, cr_error **err);

/* ---- sandboxes ------------------------------------------------------------- */

/* Build a sandbox for `cfg` up to the point where only the payload's start
 * is left: namespaces, id maps, root filesystem, network, cgroups, filter.
 * `opts` may be NULL. The config may be freed or reused afterwards. */
CR_API int cr_sandbox_create(const cr_config *cfg, const cr_options *opts, cr_sandbox **out, cr_error **err);
/* Start the payload, once; `job` (NULL: the config's process) may be freed
 * afterwards. A time limit counts from here. */
CR_API int cr_sandbox_start(cr_sandbox *sb, const cr_job *job, cr_error **err);
/* An fd that becomes readable (POLLIN) when the sandbox has ended, for
 * poll/epoll/select; then cr_sandbox_wait(sb, 0, ...) returns at once. */
CR_API int cr_sandbox_fd(const cr_sandbox *sb);
/* The host pid of the sandbox's init (its pid 1), in the caller's pid
 * namespace, -1 for a handle that is not a sandbox. An identifier for as
 * long as the handle exists (a pool's key, a log line); once the sandbox
 * has ended the number may be another process's: signal the sandbox with
 * cr_sandbox_kill(), which cannot reach anyone else. */
CR_API pid_t cr_sandbox_pid(const cr_sandbox *sb);
/* SIGKILL ends the whole sandbox (its report still counts); any other
 * signal goes to the payload. Before the start only SIGKILL is taken. */
CR_API int cr_sandbox_kill(cr_sandbox *sb, int sig, cr_error **err);
/* Wait up to timeout_ms (-1: for ever, 0: not at all) for the sandbox to
 * end. Returns 1 and sets *res (owned by the sandbox) when it has ended,
 * 0 when the time ran out, -1 on error (e.g. not started). */
CR_API int cr_sandbox_wait(cr_sandbox *sb, int timeout_ms, const cr_result **res, cr_error **err);
/* Ends a sandbox still running (SIGKILL) and releases everything it held.
 * A sandbox handle is never used again: a call with a freed one is refused
 * (EINVAL), not undefined. */
CR_API void cr_sandbox_free(cr_sandbox *sb);

/* ---- results --------------------------------------------------------------- */

/* How a cgroup limit was enforced (cr_result.cgroup_memory, _pids, _cpu). */
enum cr_cgroup_use {
  CR_CGROUP_UNUSED = 0,  /* the limit was not asked for */
  CR_CGROUP_V1,          /* enforced by a cgroup v1 hierarchy */
  CR_CGROUP_V2,          /* enforced by cgroup v2 */
  CR_CGROUP_NOT_APPLIED, /* optional, and no cgroup could enforce it */
};

/* Exit statuses, as container runtimes use them. */
enum {
  CR_EXIT_LAUNCHER_FAILED = 125, /* bad config, setup error */
  CR_EXIT_CANNOT_EXECUTE = 126,  /* the payload exists but cannot be executed */
  CR_EXIT_NOT_FOUND = 127,       /* the payload was not found */
};

/* Allocated by the library; fields are only ever appended. */
struct cr_result {
  int exit_code;     /* the payload's status, 128+N for signal N, or 125/126/127 */
  int term_signal;   /* signal that ended the payload, 0 when it exited */
  bool setup_failed; /* cleanroom failed before the payload ran (exit 125/126/127) */
  uint64_t wall_ms;  /* from the start of setup to the end of the sandbox */
  uint64_t user_ms;  /* cpu time of the sandbox's processes */
  uint64_t sys_ms;
  uint64_t max_rss_kb; /* largest resident set of a sandbox process */
  bool time_limit_hit;
  bool oom_killed;     /* the kernel's OOM killer ended a process of the memory cgroup */
  bool pids_limit_hit; /* a fork failed because of limits.pids */
  int cgroup_memory;   /* enum cr_cgroup_use, one per cgroup limit */
  int cgroup_pids;
  int cgroup_cpu;
  const char *cgroup_version; /* "v2", "v1", "hybrid", or NULL when no cgroup was used */
  uint64_t peak_memory_kb;    /* peak memory use of the memory cgroup, 0 when none */
  const char *error;          /* why the run failed (as cr_error_message), NULL when it did not */
  /* "strict" (a supervised exec): the execve/execveat calls refused after
   * the payload's own; the report lists them under "denied" */
  uint64_t execs_refused;
  /* cr_options_set_audit(): JSON objects (the report's "withheld" and
   * "carried"); NULL without the audit */
  const char *withheld;
  const char *carried;
  /* The system calls the seccomp filter refused on purpose, as the
   * report's "denied" (a JSON array, "[]" when none; NULL when the payload
   * never ran): per syscall, architecture, answer (an errno other than
   * ENOSYS, or a kill) and the argument values the filter looked at, a
   * count; strict's refused execs too. Shape: cleanroom.json(5). */
  const char *denied;
  /* The syscall the filter killed the payload's process at ("ptrace"),
   * NULL when it did not; term_signal is then SIGSYS, as the kernel's own
   * kill would leave it. */
  const char *seccomp_killed_at;
  /* cr_options_set_learn(): the calls the payload's programs made that the
   * policy allowed or answered ENOSYS, as JSON (shape: cleanroom(1),
   * `learn`); NULL without learn mode or when the payload never ran. */
  const char *learned;
  /* The refusals could not be counted ("denied" is then empty and the
   * report's "denied_reported" false): cleanroom runs under a seccomp
   * filter that has a listener already (one per filter chain), so the
   * sandbox's filter went in without one. The policy applied all the same. */
  bool denied_unreported;
};

/* Create, start (the config's process) and wait: returns 0 when the payload
 * ran, whatever its status, and -1 when cleanroom or the payload's exec
 * failed; *res is set in both cases (free it with cr_result_free), *err
 * says what failed. */
CR_API int cr_run(const cr_config *cfg, const cr_options *opts, cr_result **res, cr_error **err);
CR_API void cr_result_free(cr_result *res);

/* The run report (JSON, as `cleanroom run --report` writes), free with
 * cr_free(). `res` NULL: the report of a setup that failed with `run_err`. */
CR_API char *cr_result_to_json(const cr_result *res, const cr_error *run_err);
/* Write the report to `path` atomically, with the caller's rights. */
CR_API int cr_report_write(const char *path, const cr_result *res, const cr_error *run_err, cr_error **err);
/* Check before a run that a report can be written at `path`. */
CR_API int cr_report_check(const char *path, cr_error **err);
/* The same for the config's own "report" path, checked and written with the
 * sandbox's host identity (a config's file names are not a key to the
 * caller's rights), and without the audit (whoever wrote the config may
 * read it); nothing when the config names none. */
CR_API int cr_report_check_config(const cr_config *cfg, cr_error **err);
CR_API int cr_report_write_config(const cr_config *cfg, const cr_result *res, const cr_error *run_err,
                                  cr_error **err);

/* ---- seccomp policies --------------------------------------------------------- */

typedef struct cr_policy cr_policy;

/* A policy compiled on its own (for `cleanroom policy check|export`): a
 * built-in name ("default", "strict", "none") or a profile file (OCI/Docker
 * format), for a sandbox that keeps no capability. Warnings (unknown
 * syscalls skipped) go to `opts`' log; `opts` may be NULL. */
CR_API int cr_policy_load(const char *policy, const cr_options *opts, cr_policy **out, cr_error **err);
CR_API void cr_policy_free(cr_policy *policy);
/* The classic BPF program (struct sock_filter[]), *len bytes; NULL and 0
 * for "none". */
CR_API const void *cr_policy_bpf(const cr_policy *policy, size_t *len);
/* Entries of syscalls[] that applied, syscall names given a rule, unknown
 * names skipped, BPF instructions. */
CR_API size_t cr_policy_rules(const cr_policy *policy);
CR_API size_t cr_policy_syscalls(const cr_policy *policy);
CR_API size_t cr_policy_skipped(const cr_policy *policy);
CR_API size_t cr_policy_instructions(const cr_policy *policy);
/* The policy lets exactly one execve through (the payload's own; "strict"). */
CR_API bool cr_policy_exec_once(const cr_policy *policy);
/* What `a` and `b` answer differently, as JSON (free with cr_free):
 * {"differing": N, "complete": bool, "arches": [{"arch", "syscalls",
 * "differing", "complete"}], "syscalls": [{"syscall", "nr", "arch", "a",
 * "b", "by_argument", "cases": [{"args": {"0": 16, "1": 3}, "a", "b"}],
 * "cases_total", "complete"}]}. Every number libseccomp names on each
 * architecture the kernel could pass here is tried ("arch": "x86_64",
 * "x32" with its numbers' 0x40000000 bit in "nr", "x86" on x86-64).
 * "a"/"b" are the answers with zero arguments ("allowed", "EPERM",
 * "ENOSYS", "kill", "trap (SIGSYS)", "supervised", ...); "cases" the
 * argument combinations where they differ, at most 16 listed, each naming
 * every argument either program reads for that call ("ip" for the
 * instruction pointer; a value above 2^53 as a "0x..." string). The
 * values tried per 32-bit half of an argument: 0, every constant either
 * program compares it with and its neighbour (k+1, k-1 for >=), every mask
 * and each of its bits; the halves and arguments combined. "complete" is
 * false when a call needed more than 200000 combinations (the first ones
 * are run) or a program computes on an argument beyond one mask, xor or
 * offset step. */
CR_API int cr_policy_diff(const cr_policy *a, const cr_policy *b, char **json, cr_error **err);

/* A minimal seccomp profile (OCI/Docker format, JSON text; free it with
 * cr_free()) of the calls a learn run's result holds: defaultAction
 * SCMP_ACT_ERRNO with EPERM, the native architecture only, the calls
 * seen allowed for the argument values seen (each argument the policy
 * looked at, and socket's family, personality's value, clone's flags,
 * ioctl's request), those seen answered ENOSYS with errnoRet 38, and the
 * payload's own calls (sendmsg, sendto, close, execve, execveat, exit,
 * exit_group), never observed, when the policy allows them whatever their
 * arguments. Nothing the policy refused is in it, unless `allow_refused`:
 * then the refused calls of the result's "denied" are allowed too, for the
 * argument values it kept (the user's choice to widen). `merge_json` (NULL: none) is a profile to grow: its entries
 * first, and one entry per distinct action, errnoRet, args, includes and
 * excludes, with the names of all; its other keys kept. `merge_name`
 * names it in errors. Fails (E2BIG) when the run made more distinct calls
 * than the sandbox could record, rather than write a profile that misses
 * some. */
CR_API int cr_learned_profile(const cr_result *res, const char *merge_json, const char *merge_name,
                              bool allow_refused, char **profile_json, cr_error **err);

/* ---- what a sandbox can reach -------------------------------------------------- */

/* What a sandbox of `cfg` would be able to reach, as JSON text (free it
 * with cr_free()): every path it sees (read-only or writable, and the unix
 * sockets under each bind, found with the sandbox's host identity), its
 * devices and fds, the network, the syscall groups the compiled seccomp
 * policy refuses, the limits that bound it and those that do not, and the
 * weak spots ("weak_spots": writable host binds, network host, seccomp
 * none, no pids/memory/time limit, sockets under binds...). The shape is
 * in cleanroom(1) under `check --explain`; later versions only add keys.
 * Compiles the policy as cr_config_check() does (with `opts`' cache, may
 * be NULL); fails as it does. Weak spots are not errors. */
CR_API int cr_config_explain(const cr_config *cfg, const cr_options *opts, char **json, cr_error **err);

/* Free memory the library handed out as char * (JSON text). */
CR_API void cr_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
