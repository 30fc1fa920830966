/* SPDX-License-Identifier: MIT */
/* policies_eval: the user-space evaluator (cr_bpf_eval, what `check
 * --explain` reports) against the kernel's own answer, for every native
 * syscall number and a set of argument patterns, under the built-in
 * profiles and one with argument rules, kills and traps. So the evaluator
 * cannot drift from what seccomp does.
 *
 * How the kernel answers without running anything: the child installs a
 * marker filter first (ERRNO 4000 for every call but exit, exit_group and
 * prctl),
 * then the filter under test. The kernel takes the strongest action of
 * all filters, and for the same action the newest filter's data: a call
 * the filter under test allows (or logs, traces, notifies) fails with
 * 4000, one it refuses with ERRNO fails with that errno, one it kills or
 * traps ends the child by SIGSYS. No call under test ever executes. */
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define MARKER 4000
#define MAX_NR 520
#define KILLED (-1)

static const uint64_t patterns[][6] = {
    {0, 0, 0, 0, 0, 0},
    {1, 2, 3, 4, 5, 6},
    {0x10000000, 0, 0, 0, 0, 0}, /* CLONE_NEWUSER */
    {0x7e020000, 0x20000, 0, 0, 0, 0},
    {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull},
    {0xffffffffull, 0x100000000ull, 0x80000000ull, 64, 0x5401, 0x8},
    {16, 3, 0, 0, 0, 0},
    {0xffffffff00000008ull, 10, 0x541c, 0, 0, 0},
};
#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

struct shared {
  int next; /* the case the child is at */
  int answer[MAX_NR * N_PATTERNS];
};

/* Numbers seccomp passes through unfiltered (Linux 6.11+ on x86-64: the
 * uretprobe and uprobe trampolines' own calls, SIGILL from anywhere else). */
static bool unfiltered_nr(int nr) {
#if defined(__x86_64__)
  return nr == 335 || nr == 336;
#else
  (void)nr;
  return false;
#endif
}

static bool skip_nr(int nr) {
  /* the marker lets exit, exit_group and prctl run */
  return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_prctl || unfiltered_nr(nr);
}

static void install_or_die(const struct sock_filter *insns, unsigned short len) {
  struct sock_fprog prog = {.len = len, .filter = (struct sock_filter *)insns};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) _exit(100);
}

/* Only memory writes after the filters: every other syscall is refused. */
static void child(struct shared *sh, const struct cr_bpf *bpf) {
  static const struct sock_filter marker[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 1, 0), /* to install the filter under test */
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | MARKER),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(100);
  install_or_die(marker, sizeof marker / sizeof marker[0]);
  if (bpf->len) install_or_die(bpf->insns, bpf->len);
  for (int i = sh->next; i < (int)(MAX_NR * N_PATTERNS); i++) {
    int nr = i / (int)N_PATTERNS;
    const uint64_t *a = patterns[i % N_PATTERNS];
    __atomic_store_n(&sh->next, i, __ATOMIC_SEQ_CST);
    if (skip_nr(nr)) continue;
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    sh->answer[i] = r == -1 ? errno : 0;
  }
  /* not _exit: a sanitizer's leak check there would need syscalls */
  syscall(SYS_exit_group, 0);
}

/* The kernel's answers: a child per run, restarted after each kill. */
static void kernel_answers(struct shared *sh, const struct cr_bpf *bpf) {
  memset(sh, 0, sizeof *sh);
  for (;;) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) exit(1);
    if (pid == 0) child(sh, bpf);
    int st;
    while (waitpid(pid, &st, 0) < 0) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return;
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS) {
      fprintf(stderr, "FAIL: child status %d at case %d\n", st, sh->next);
      exit(1);
    }
    sh->answer[sh->next] = KILLED;
    sh->next++;
  }
}

/* What the kernel must answer for the evaluator's action. */
static int expected(uint32_t action) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW:
    case SECCOMP_RET_LOG:
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_USER_NOTIF: return MARKER;
    case SECCOMP_RET_ERRNO:
      return (int)(action & SECCOMP_RET_DATA) > 4095 ? 4095 : (int)(action & SECCOMP_RET_DATA);
    default: return KILLED;
  }
}

static void compare(const char *name, const struct cr_bpf *bpf) {
  static struct shared *sh;
  if (!sh) sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) exit(1);
  kernel_answers(sh, bpf);
  size_t checked = 0, differ = 0;
  for (int i = 0; i < (int)(MAX_NR * N_PATTERNS); i++) {
    int nr = i / (int)N_PATTERNS;
    if (skip_nr(nr)) continue;
    const uint64_t *a = patterns[i % N_PATTERNS];
    struct seccomp_data data = {.nr = nr, .arch = cr_seccomp_arch_native()};
    memcpy(data.args, a, sizeof data.args);
    struct cr_bpf_outcome out = {.action = SECCOMP_RET_ALLOW};
    cr_error *err = NULL;
    if (bpf->len && cr_bpf_eval(bpf->insns, bpf->len, &data, &out, &err) < 0) {
      CHECK(false, "%s: nr %d: %s", name, nr, cr_error_message(err));
      cr_error_free(err);
      return;
    }
    checked++;
    if (expected(out.action) != sh->answer[i] && differ++ < 10)
      CHECK(false, "%s: nr %d args #%zu: evaluator 0x%08x, kernel %d", name, nr, (size_t)(i % N_PATTERNS),
            out.action, sh->answer[i]);
  }
  printf("%s: %zu calls compared with the kernel, %zu differ\n", name, checked, differ);
}

/* The reporting program (policies/reporting.c) answers USER_NOTIF exactly
 * where the real one answers what the report names, but for the payload's
 * own calls, and the real answer everywhere else; the init learns which
 * arguments decided from args_read. */
static bool own_call(int nr) {
  return nr == SYS_sendmsg || nr == SYS_sendto || nr == SYS_close || nr == SYS_execve || nr == SYS_execveat ||
         nr == SYS_exit || nr == SYS_exit_group;
}

static void reporting_matches(const char *name, const struct cr_bpf *bpf) {
  CHECK(bpf->reporting && bpf->reporting_len >= bpf->len, "%s: has a reporting program", name);
  if (!bpf->reporting) return;
  size_t notified = 0;
  for (int i = 0; i < (int)(MAX_NR * N_PATTERNS); i++) {
    int nr = i / (int)N_PATTERNS;
    struct seccomp_data data = {.nr = nr, .arch = cr_seccomp_arch_native()};
    memcpy(data.args, patterns[i % N_PATTERNS], sizeof data.args);
    struct cr_bpf_outcome real, rep;
    cr_error *err = NULL;
    if (cr_bpf_eval(bpf->insns, bpf->len, &data, &real, &err) < 0 ||
        cr_bpf_eval(bpf->reporting, bpf->reporting_len, &data, &rep, &err) < 0) {
      CHECK(false, "%s: nr %d: %s", name, nr, cr_error_message(err));
      cr_error_free(err);
      return;
    }
    bool notify = cr_bpf_action_reported(real.action) && !own_call(nr);
    uint32_t want = notify ? SECCOMP_RET_USER_NOTIF : real.action;
    notified += notify;
    if (rep.action != want) {
      CHECK(false, "%s: nr %d args #%zu: reporting 0x%08x, want 0x%08x", name, nr, (size_t)(i % N_PATTERNS),
            rep.action, want);
      return;
    }
  }
  printf("%s: the reporting program notifies %zu of the calls tried\n", name, notified);
}

static void reporting_program(void) {
  struct cr_bpf bpf = {0};
  cr_error *err = NULL;
  compile_builtin("default", 0, &bpf, NULL);
  CHECK(cr_bpf_add_reporting(&bpf, &err) == 0, "default: reporting program");
  reporting_matches("default", &bpf);
  struct cr_bpf rep = {.insns = bpf.reporting, .len = bpf.reporting_len};
  if (bpf.reporting) compare("default's reporting program", &rep); /* the kernel takes it, and agrees */
  cr_bpf_free(&bpf);
  compile_builtin("strict", 0, &bpf, NULL);
  CHECK(cr_bpf_add_reporting(&bpf, &err) == 0, "strict: reporting program");
  reporting_matches("strict", &bpf);
  /* the argument that decided: socket's family, under strict */
  struct seccomp_data data = {.nr = SYS_socket, .arch = cr_seccomp_arch_native(), .args = {16, 3}};
  struct cr_bpf_outcome out;
  CHECK(cr_bpf_eval(bpf.insns, bpf.len, &data, &out, &err) == 0 && out.args_read == 1u &&
            out.action == (SECCOMP_RET_ERRNO | 97),
        "strict: socket(AF_NETLINK) is EAFNOSUPPORT, decided by args[0] alone (read 0x%x)", out.args_read);
  cr_bpf_free(&bpf);
  /* own calls of the payload refused: outright (execveat: answered before
   * the copy), or by their arguments (close: the real program answers) */
  const char *own_refused[] = {
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"execveat\", \"keyctl\"], "
      "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"close\"], \"action\": "
      "\"SCMP_ACT_ERRNO\", \"errnoRet\": 7, \"args\": [{\"index\": 0, \"value\": 999, \"op\": "
      "\"SCMP_CMP_EQ\"}]}, {\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}",
  };
  char msg[512];
  for (size_t i = 0; i < sizeof own_refused / sizeof own_refused[0]; i++) {
    CHECK(compile_text(own_refused[i], 0, &bpf, NULL, msg, sizeof msg, NULL, 0) == 0 &&
              cr_bpf_add_reporting(&bpf, &err) == 0,
          "own calls refused %zu: compiles", i);
    reporting_matches(i ? "close refused by its argument" : "execveat refused", &bpf);
    rep = (struct cr_bpf){.insns = bpf.reporting, .len = bpf.reporting_len};
    if (bpf.reporting)
      compare(i ? "its reporting program (the copy)" : "its reporting program (answered first)", &rep);
    cr_bpf_free(&bpf);
  }
  /* the handover refused: no reporting program (one that refuses only
   * with ENOSYS still has one: the other ABIs are killed, and reported) */
  const char *handover_refused =
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"sendmsg\", \"keyctl\"], "
      "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}";
  CHECK(compile_text(handover_refused, 0, &bpf, NULL, msg, sizeof msg, NULL, 0) == 0 &&
            cr_bpf_add_reporting(&bpf, &err) == 0 && !bpf.reporting,
        "sendmsg refused: no reporting program");
  cr_bpf_free(&bpf);
  cr_error_free(err);
}

static const char rules_profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
    "{\"names\": [\"getpid\", \"read\", \"write\", \"exit\", \"exit_group\", \"prctl\"], \"action\": \"SCMP_ACT_ALLOW\"},"
    "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
    "{\"names\": [\"getuid\"], \"action\": \"SCMP_ACT_TRAP\"},"
    "{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_LOG\"},"
    "{\"names\": [\"getpgrp\"], \"action\": \"SCMP_ACT_KILL_THREAD\"},"
    "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
    "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
    " \"args\": [{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_GE\"}]},"
    "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
    " \"args\": [{\"index\": 0, \"value\": 268435456, \"valueTwo\": 268435456, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
    "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 25,"
    " \"args\": [{\"index\": 1, \"value\": 21532, \"op\": \"SCMP_CMP_EQ\"}]},"
    "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"args\": [{\"index\": 0, \"value\": 4294967296, \"op\": \"SCMP_CMP_LT\"},"
    "            {\"index\": 2, \"value\": 7, \"op\": \"SCMP_CMP_LE\"}]},"
    "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77,"
    " \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]},"
    "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"args\": [{\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_GT\"}]}"
    "]}";

/* What libseccomp does not emit: JSET, scratch memory, ALU, X, RET A. */
static const struct sock_filter by_hand[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 16, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 15, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 14, 0),
    BPF_STMT(BPF_ST, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x4, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 11),
    BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 3),
    BPF_STMT(BPF_MISC | BPF_TXA, 0),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 12),
    BPF_STMT(BPF_LD | BPF_W | BPF_MEM, 3),
    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 2),
    BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, SECCOMP_RET_ERRNO | 20),
    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, SECCOMP_RET_ERRNO | 100, 1, 0),
    BPF_STMT(BPF_RET | BPF_A, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* Instructions outside seccomp's subset are errors, never guesses. */
static void refuses_unknown(void) {
  struct sock_filter bad[] = {BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
  struct sock_filter past_end[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
  struct sock_filter out_of_data[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), BPF_STMT(BPF_RET | BPF_K, 0)};
  struct seccomp_data data = {0};
  struct cr_bpf_outcome out;
  cr_error *err = NULL;
  CHECK(cr_bpf_eval(bad, 2, &data, &out, &err) < 0 && err, "a byte load is refused");
  cr_error_clear(&err);
  CHECK(cr_bpf_eval(past_end, 1, &data, &out, &err) < 0 && err, "a program without a return is refused");
  cr_error_clear(&err);
  CHECK(cr_bpf_eval(out_of_data, 2, &data, &out, &err) < 0 && err, "a load past seccomp_data is refused");
  cr_error_clear(&err);
  /* k + 4 would wrap to 0 and pass a naive bound */
  struct sock_filter wraps[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffffffc), BPF_STMT(BPF_RET | BPF_K, 0)};
  CHECK(cr_bpf_eval(wraps, 2, &data, &out, &err) < 0 && err, "a load at 0xfffffffc is refused");
  cr_error_clear(&err);
  /* what the kernel's seccomp_check_filter refuses */
  struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), BPF_STMT(BPF_RET | BPF_K, 0)};
  CHECK(cr_bpf_eval(mod, 2, &data, &out, &err) < 0 && err, "BPF_MOD is refused");
  cr_error_clear(&err);
  struct sock_filter shift[] = {BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), BPF_STMT(BPF_RET | BPF_K, 0)};
  CHECK(cr_bpf_eval(shift, 2, &data, &out, &err) < 0 && err, "a constant shift by 32 is refused");
  cr_error_clear(&err);
}

int main(void) {
  refuses_unknown();
  struct cr_bpf bpf = {0};
  const char *builtins[] = {"default", "strict"};
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    compile_builtin(builtins[i], 0, &bpf, NULL);
    compare(builtins[i], &bpf);
    cr_bpf_free(&bpf);
  }
  char msg[512];
  if (compile_text(rules_profile, 0, &bpf, NULL, msg, sizeof msg, NULL, 0) < 0) {
    fprintf(stderr, "FAIL: the rules profile does not compile: %s\n", msg);
    return 1;
  }
  compare("rules", &bpf);
  struct cr_bpf hand = {.insns = (struct sock_filter *)by_hand, .len = sizeof by_hand / sizeof by_hand[0]};
  compare("by hand", &hand);
  reporting_program();
  /* the arguments decide: the evaluator says so */
  struct seccomp_data data = {.nr = SYS_personality, .arch = cr_seccomp_arch_native()};
  struct cr_bpf_outcome out;
  cr_error *err = NULL;
  CHECK(cr_bpf_eval(bpf.insns, bpf.len, &data, &out, &err) == 0 && out.read_args,
        "personality reads its argument");
  data.nr = SYS_getpid;
  CHECK(cr_bpf_eval(bpf.insns, bpf.len, &data, &out, &err) == 0 && !out.read_args, "getpid reads none");
  cr_error_free(err);
  cr_bpf_free(&bpf);
  return finish("policies_eval");
}
