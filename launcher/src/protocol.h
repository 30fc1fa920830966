/* SPDX-License-Identifier: MIT */
/* The launch protocol: the processes of one sandbox, the channels between
 * them (each end named after who holds it), and what goes over them.
 *
 * Processes
 *
 *   launcher  the host's thread in cr_sandbox_create/start/wait/kill/free
 *             (sandbox.c, start.c, supervise.c). It prepares everything
 *             that can fail before any process starts (plan.c).
 *   watchdog  only when a cgroup limit is set: forked before any cgroup
 *             exists; removes the cgroups if the launcher dies
 *             (cgroup_watchdog.c).
 *   init      pid 1 of the sandbox, cloned by the launcher with the new
 *             namespaces (child/init.c). It builds the root filesystem
 *             (child/mounts.c), waits for the start, forks the payload,
 *             then only reaps, forwards signals, enforces limits.time_ms
 *             and reports.
 *   helper    vfork-style child of the launcher, run while the launcher
 *             is suspended in create (child/helper.c): joins the sandbox's
 *             user and mount namespaces, releases the init, makes the
 *             network namespace, detaches the old root.
 *   payload   forked by the init; takes away what it inherited, installs
 *             the filter and execs (child/payload.c).
 *
 * Channels (all close-on-exec; no end is ever at fd 0, 1 or 2)
 *
 *   maps_written  pipe        launcher, helper -> init
 *       one byte: "your id maps are written", sent by the helper once it
 *       has joined the sandbox. EOF: the launcher is gone.
 *   records       SOCK_SEQPACKET, one direction   init, payload -> launcher
 *       struct cr_record messages (below): a setup failure, an exec
 *       failure, "ready", "stopped", the payload's end. The launcher reads
 *       them without blocking: during create up to READY (unless create
 *       was told to start at once), for job control up to STOPPED, and all
 *       that are left once the init has ended.
 *   helper_sock   SOCK_SEQPACKET pair   helper <-> init, payload
 *       helper -> init:     the network namespace (an fd), when one is made
 *       init -> helper:     "root pivoted" (one byte)
 *       helper -> payload:  "old root gone" (one byte; the payload's own copy)
 *   start         SOCK_SEQPACKET, one direction   launcher -> init
 *       struct cr_start_msg, with SCM_RIGHTS when a job comes with it: a
 *       sealed memfd holding the job (struct cr_job_wire), then the job's
 *       fds in the order of its fd targets. EOF before a start: the sandbox
 *       was freed unstarted. Not made for cr_run, whose init starts the
 *       config's process as soon as the sandbox is built.
 *   init_pidfd    pidfd of the init, held by the launcher
 *       readable when the init has ended: cr_sandbox_fd(); signals to the
 *       init go through it.
 *   launcher_pidfd  pidfd of the launcher's process, held by the init and
 *       the watchdog: readable when the whole process has ended. After
 *       setup the init relies on it rather than on the parent-death signal,
 *       which fires when the creating thread ends.
 *   watchdog_sock SOCK_STREAM pair   launcher <-> watchdog
 *       one byte "done" from the launcher after it removed the cgroups;
 *       EOF without it: clean up.
 *   notify        SOCK_SEQPACKET pair   payload -> init
 *       made when the filter notifies: exec_once ("strict"), or a profile
 *       that refuses something on purpose (the reporting program,
 *       policies/reporting.c; not for "none"). One message: the seccomp
 *       listener fd (SCM_RIGHTS), sent right after the filter is installed.
 *   listener      the seccomp listener fd, held by the init
 *       SECCOMP_IOCTL_NOTIF_RECV after poll said readable (never blocks;
 *       ENOENT: the caller died meanwhile), SECCOMP_IOCTL_NOTIF_SEND with
 *       the real filter's answer (cr/bpf_run.h on the notification's data):
 *       exec_once's one exec continues; an errno is returned; a kill is a
 *       SIGKILL of the caller's process. Each refusal is counted in the
 *       denied table sent with PAYLOAD_ENDED.
 *       Learn mode (the learning program: every answer notifies): an
 *       allowed call continues (SECCOMP_USER_NOTIF_FLAG_CONTINUE), an
 *       errno or kill is answered as above; every answered call but a
 *       refusal is recorded in the learned table, sent as a LEARNED record
 *       right before PAYLOAD_ENDED.
 *
 * Signals to the init (it blocks them and reads a signalfd)
 *
 *   CR_SIG_KILL_SANDBOX  end the sandbox: kill everything, reap, report
 *   CR_SIG_STOP_SANDBOX  job control: stop every other process, then record
 *                        STOPPED; SIGCONT continues them
 *   SIGINT ... SIGWINCH  forwarded to the payload
 *
 * Order of one launch
 *
 *   launcher: plan (fds, filter, cgroups, channels) -> clone3 init (all
 *   namespaces but net and ipc) -> v1 cgroups -> id maps -> helper
 *   helper:   open /proc/sys -> join userns+mntns -> maps_written -> net
 *             namespace (lo up, ping_group_range) -> send it
 *             -> wait "root pivoted" -> detach old root -> "old root gone"
 *   init:     wait maps_written -> become the sandbox ids -> open bind
 *             sources -> pivot into an empty tmpfs -> build the root ->
 *             hostname, bounding set, what fork passes on (scheduling:
 *             child/sched.c), ipc namespace ->
 *             join the net namespace -> READY -> wait for the start (cr_run:
 *             neither) -> fork the payload -> supervise
 *   payload:  session, signal mask, fd table -> wait "old root gone" ->
 *             cwd, rlimits, capabilities, no_new_privs -> filter (and,
 *             when it notifies, its listener to the init) -> execve */
#ifndef CR_LAUNCHER_PROTOCOL_H
#define CR_LAUNCHER_PROTOCOL_H

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>

#include "cr/config.h"

#define CR_SIG_KILL_SANDBOX (SIGRTMIN + 3)
#define CR_SIG_STOP_SANDBOX (SIGRTMIN + 4)

/* The channel ends of one sandbox; -1 where closed or not (yet) made. */
struct cr_channels {
  int maps_written_launcher, maps_written_init;
  int records_launcher, records_sandbox;
  int helper_sock_helper, helper_sock_sandbox;
  int start_launcher, start_init;
  int launcher_pidfd; /* the init's copy (the launcher's own process) */
};

/* ---- records: init, payload -> launcher ---------------------------------- */

/* What the sandbox could not reset to a fresh process's value and kept from
 * the launcher's thread, a ceiling (child/sched.c, init.c); sent with
 * PAYLOAD_ENDED. A bit per attribute carried, then the values it has. */
enum cr_carried_bit {
  CR_CARRIED_NICE = 1u << 0,
  CR_CARRIED_SCHED = 1u << 1,
  CR_CARRIED_IOPRIO = 1u << 2,
  CR_CARRIED_CPUS = 1u << 3, /* fewer CPUs than are online: a cpuset */
  CR_CARRIED_OOM_SCORE_ADJ = 1u << 4,
};
struct cr_carried {
  uint32_t bits;
  int32_t nice;
  int32_t sched_policy;
  int32_t ioprio;
  int32_t oom_score_adj;
  uint64_t cpus[CR_CPU_SET_WORDS];
};

/* The refusals the init answered (a listener's notifications, init.c),
 * sent with PAYLOAD_ENDED: one entry per architecture, syscall, answer and
 * the values of the arguments the filter looked at (at most
 * CR_DENIED_ARGS, the lowest indices), in the order first seen; once the
 * table is full, later kinds only count in `other`. */
#define CR_DENIED_MAX 32
#define CR_DENIED_ARGS 3
struct cr_denied_entry {
  uint32_t arch;   /* AUDIT_ARCH_* */
  int32_t nr;      /* the syscall's number on that architecture */
  uint32_t action; /* SECCOMP_RET_ERRNO | errno, SECCOMP_RET_KILL_PROCESS or _THREAD */
  uint32_t count;
  uint32_t n_args; /* arguments the filter looked at, of those below */
  uint32_t arg_index[CR_DENIED_ARGS];
  uint64_t arg_value[CR_DENIED_ARGS];
};
struct cr_denied_table {
  uint32_t n;                      /* entries used */
  uint32_t other;                  /* refusals that found no room */
  uint32_t killed_at;              /* 1: the payload's process was killed at killed_arch/killed_nr, 0: not */
  uint32_t killed_arch, killed_nr; /* kept apart from the entries: they may be full */
  uint32_t unreported; /* 1: no listener came (cleanroom runs under a filter that has one): nothing counted */
  struct cr_denied_entry e[CR_DENIED_MAX];
};

/* Learn mode: the calls the init let through or answered ENOSYS (init.c),
 * one entry per architecture, syscall, answer and the values of the
 * arguments it keeps, in the order first seen. It keeps every argument the
 * base filter looked at for that call (so a rule on them is never wider
 * than the filter), and on the native architecture those the default
 * profile rules on: socket's family (0), ioctl's request (1),
 * personality's value (0), clone's flags (0). Once the table is full, `overflow` counts the
 * calls that found no room: learn then fails rather than write a profile
 * that would miss them. Sent as its own record (CR_RECORD_LEARNED: this
 * struct, `n` entries long, not a struct cr_record_head) right before
 * PAYLOAD_ENDED. */
#define CR_LEARNED_MAX 2048
struct cr_learned_entry {
  uint32_t arch;      /* AUDIT_ARCH_* */
  int32_t nr;         /* the syscall's number on that architecture */
  uint32_t action;    /* SECCOMP_RET_ALLOW, or SECCOMP_RET_ERRNO | ENOSYS */
  uint32_t args_kept; /* bit i: args[i] is part of the entry */
  uint64_t args[6];   /* the kept ones' values, 0 for the others */
};
_Static_assert(sizeof(struct cr_learned_entry) == 64, "entries are compared whole: no padding");
struct cr_learned_wire {
  uint32_t kind; /* CR_RECORD_LEARNED */
  uint32_t n;
  uint32_t overflow;
  uint32_t reserved;
  struct cr_learned_entry e[CR_LEARNED_MAX];
};

enum cr_record_kind {
  CR_RECORD_SETUP_FAILED = 1, /* a setup step failed: exit 125 */
  CR_RECORD_EXEC_FAILED,      /* execve of the payload failed: 126 / 127 */
  CR_RECORD_READY,            /* the sandbox is built; the init waits for the start */
  CR_RECORD_STOPPED,          /* job control: the sandbox's processes are stopped */
  CR_RECORD_PAYLOAD_ENDED,    /* wait status and resource usage of the sandbox */
  CR_RECORD_LEARNED,          /* learn mode: struct cr_learned_wire, before PAYLOAD_ENDED */
};

/* Room for a path (PATH_MAX) and what is said around it: a message is
 * never cut short. */
#define CR_RECORD_WHERE_MAX 4352
#define CR_RECORD_WHAT_MAX 8704

struct cr_record_head {
  uint32_t kind;
  int32_t errnum;
  int32_t wstatus;               /* PAYLOAD_ENDED */
  uint32_t time_limit_hit;       /* PAYLOAD_ENDED: the init ended the sandbox at its time limit */
  uint32_t execs_refused;        /* PAYLOAD_ENDED: exec_once: execve/execveat calls the init refused */
  struct rusage usage;           /* PAYLOAD_ENDED: of every process the init reaped */
  struct cr_carried carried;     /* PAYLOAD_ENDED */
  struct cr_denied_table denied; /* PAYLOAD_ENDED */
  uint32_t where_len;            /* bytes of WHERE, then WHAT, after the head (no NUL) */
  uint32_t what_len;
};

/* What the launcher keeps of one record. */
struct cr_record {
  struct cr_record_head head;
  char where[CR_RECORD_WHERE_MAX + 1];
  char what[CR_RECORD_WHAT_MAX + 1];
};

/* ---- the start: launcher -> init ------------------------------------------ */

struct cr_start_msg {
  uint32_t magic;   /* CR_START_MAGIC */
  uint32_t has_job; /* a memfd (and the job's fds) come with it */
};
#define CR_START_MAGIC 0x63727374u /* "crst" */

/* The job in its memfd: this head, then n_fds int32 fd targets, then the
 * strings: n_args argv strings, n_env "NAME=VALUE" strings and the cwd, each
 * NUL-terminated. A count of UINT32_MAX (or no cwd) means "the config's". */
struct cr_job_wire {
  uint32_t magic; /* CR_JOB_MAGIC */
  uint32_t n_args;
  uint32_t n_env;
  uint32_t n_fds;
  uint32_t has_cwd;
  uint32_t has_time_limit;
  uint64_t time_limit_ms;
  uint64_t strings_len;
};
#define CR_JOB_MAGIC 0x63726a62u /* "crjb" */
#define CR_JOB_UNSET UINT32_MAX
/* fds a job may carry: one SCM_RIGHTS message holds the memfd and them */
#define CR_JOB_MAX_FDS 250

#endif
