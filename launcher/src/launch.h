/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the objects behind the public handles (options,
 * jobs, sandboxes) and the launcher side of a launch: start.c (clone, id
 * maps, helper, the start), supervise.c (waiting, signals, job control,
 * the result). The protocol they follow is in protocol.h. */
#ifndef CR_LAUNCHER_LAUNCH_H
#define CR_LAUNCHER_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cleanroom/cleanroom.h"
#include "cr/log.h"
#include "plan.h"

struct cr_options {
  char *cache_dir;
  char *cgroup_parent;
  struct cr_log log;
  bool forward_signals;
  bool debug_timing;
  bool audit;                 /* cr_options_set_audit */
  bool learn;                 /* cr_options_set_learn */
  uint32_t id_base, id_count; /* cr_options_set_id_range */
};

struct cr_job {
  char **args; /* NULL: the config's */
  size_t n_args;
  char **env; /* NULL: the config's */
  size_t n_env;
  char *cwd;              /* NULL: the config's */
  struct cr_fd_slot *fds; /* sources are the job's own duplicates */
  size_t n_fds;
  bool has_time_limit;
  uint64_t time_limit_ms;
};

enum cr_sandbox_state { CR_SB_CREATED, CR_SB_STARTED, CR_SB_ENDED };

/* What the launcher follows of a running sandbox. */
struct cr_supervision {
  uint64_t setup_started_ms; /* for wall_ms */
  uint64_t deadline_ms;      /* the init's time limit plus a second: then the launcher ends it */
  bool deadline_fired;
  uint64_t grace_until_ms; /* 0 = no termination in progress */
  int interrupts;
  bool killed;           /* CR_SIG_KILL_SANDBOX sent */
  uint64_t hard_kill_ms; /* when the init has not ended the sandbox by then: SIGKILL */
  bool got_record;
  struct cr_record record; /* the first failure, or the end of the payload */
};

struct cr_sandbox {
  uint64_t id; /* the handle the caller holds (sandbox.c) */
  struct cr_plan plan;
  enum cr_sandbox_state state;
  struct cr_log log;
  bool forward_signals;
  pid_t init;     /* -1 once reaped */
  pid_t init_pid; /* what it was, for cr_sandbox_pid */
  int init_pidfd;
  /* forward_signals: the creating thread's mask before, and the signalfd */
  bool mask_saved;
  sigset_t old_mask;
  int sigfd;
  struct cr_supervision sv;
  struct cr_audit *audit; /* cr_options_set_audit, else NULL */
  /* cr_options_set_learn: the init's learned table (a LEARNED record), and
   * whether it came */
  struct cr_learned_wire *learned;
  bool got_learned;
  struct cr_result *result; /* once ended */
  cr_error *run_err;        /* why the run failed, once ended */
};

/* ---- start.c ---- */
/* Everything up to the payload's start, and until the init said READY;
 * with `start_now` (cr_run) the start goes at once, nothing waits for
 * READY, and setup failures surface in wait. */
int cr_launch_create(struct cr_sandbox *sb, bool start_now, cr_error **err);
/* The start message, with the job when there is one. */
int cr_launch_start(struct cr_sandbox *sb, const struct cr_job *job, cr_error **err);

/* ---- supervise.c ---- */
/* Until the sandbox ends or timeout_ms (-1: for ever): 1 ended, 0 not yet. */
int cr_supervise(struct cr_sandbox *sb, int timeout_ms);
/* Reap the init and make the result (sb->result, sb->run_err). */
void cr_conclude(struct cr_sandbox *sb);
/* Ask the init to end the sandbox (it still reports), with SIGKILL after a second. */
void cr_supervise_kill(struct cr_sandbox *sb);
/* Job control (forward_signals): wait, stopped, while cleanroom is in the
 * background of a terminal the sandbox could read. */
int cr_wait_for_foreground(struct cr_sandbox *sb, cr_error **err);
/* Read the records waiting now; returns true when one of `kind` came. */
bool cr_read_records(struct cr_sandbox *sb, int kind);

uint64_t cr_now_ms(void);

/* ---- results (result.c): allocated with room for their own error text ---- */
struct cr_result *cr_result_new(void);
/* res->error becomes the result's own copy of the message. */
void cr_result_set_error(struct cr_result *res, const cr_error *err);
/* A setup that failed with `err` (exit 125). */
void cr_result_set_failed(struct cr_result *res, const cr_error *err);
/* The audit's sections (cJSON objects, owned by the result from now on,
 * also when -1: one could not be printed, or is NULL). */
struct cJSON;
int cr_result_set_audit(struct cr_result *res, struct cJSON *withheld, struct cJSON *carried);
/* What the filter refused (the init's table, strict's refused execs):
 * res->denied, res->seccomp_killed_at. -1: out of memory (both unset). */
struct cr_denied_table;
int cr_result_set_denied(struct cr_result *res, const struct cr_denied_table *t, uint64_t execs_refused);
/* denied.c: the report's "denied" list; the syscall the payload was killed
 * at (malloc'd), NULL when none. */
struct cJSON *cr_denied_to_json(const struct cr_denied_table *t, uint64_t execs_refused);
char *cr_denied_killed_at(const struct cr_denied_table *t);
/* A call's "syscall" (name or null), "nr" and "arch" (`arch_name`, or the
 * number when NULL), for the denied and learned lists. */
void cr_add_syscall_fields(struct cJSON *o, uint32_t arch, uint32_t nr, const char *arch_name);
/* learn.c: the learned table (NULL: none came) as the result's "learned"
 * JSON text (malloc'd), with the payload's own calls `bpf` allows. */
struct cr_learned_wire;
char *cr_learned_to_json(const struct cr_learned_wire *t, const struct cr_bpf *bpf);
/* report.c: res->learned becomes `text` (taken over). */
void cr_result_set_learned(struct cr_result *res, char *text);

/* ---- dumpability (start.c): the process is not dumpable while sandboxes exist ---- */
int cr_dumpable_enter(cr_error **err);
void cr_dumpable_leave(void);

/* userns_hint.c: why a user namespace could not be made or used, and the fix
 * (NULL when none of the known causes is found). `privileged`: cleanroom
 * runs as root. */
const char *cr_userns_hint(const char *proc_root, int err, bool privileged, char *buf, size_t size);
/* Only AppArmor's restriction (a namespace made, but no capability in it). */
const char *cr_userns_restricted_hint(const char *proc_root, char *buf, size_t size);

/* ---- check.c ---- */
/* The config's seccomp policy, compiled as a run compiles it (a profile
 * file opened with the sandbox's host identity); *bpf empty for "none". */
int cr_config_compile_policy(const struct cr_config *cfg, const struct cr_options *opts, struct cr_bpf *bpf,
                             cr_error **err);

/* policy_api.c: the compiled program of a cr_policy (policy_diff.c) */
const struct cr_bpf *cr_policy_program(const struct cr_policy *p);

#endif
