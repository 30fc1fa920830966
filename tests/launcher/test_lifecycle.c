/* SPDX-License-Identifier: MIT */
/* The sandbox lifecycle through the public API only (cleanroom/cleanroom.h):
 * create, start (with and without a job), the pollable fd, kill, wait with
 * a timeout, free, and the errors of each. Run as root and as uid 65534
 * (tests/launcher/CMakeLists.txt), under the sanitizers too. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cleanroom/cleanroom.h"

static cr_options *opts;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *msg(const cr_error *err) { return err ? cr_error_message(err) : "(no error)"; }

/* The built-in default with these args. */
static cr_config *config(const char *script) {
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  const char *args[] = {"/bin/sh", "-c", script};
  if (cr_config_load_default(&cfg, &err) < 0 || cr_config_set_args(cfg, 3, args, &err) < 0) {
    fprintf(stderr, "config: %s\n", msg(err));
    exit(1);
  }
  return cfg;
}

static cr_sandbox *create_started(const cr_config *cfg, const cr_job *job) {
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  if (cr_sandbox_create(cfg, opts, &sb, &err) < 0 || cr_sandbox_start(sb, job, &err) < 0) {
    CHECK(0, "create/start: %s", msg(err));
    cr_error_free(err);
    cr_sandbox_free(sb);
    return NULL;
  }
  return sb;
}

/* ---- the basic life ---- */
static void test_create_start_wait(void) {
  cr_config *cfg = config("exit 3");
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  const cr_result *res = NULL;
  CHECK(cr_sandbox_create(cfg, opts, &sb, &err) == 0, "create: %s", msg(err));
  cr_config_free(cfg); /* the sandbox has its own copy */
  CHECK(cr_sandbox_fd(sb) >= 0, "no pollable fd");
  /* the init's host pid: a child of ours, pid 1 of its own pid namespace */
  pid_t pid = cr_sandbox_pid(sb);
  char path[64], status[4096] = "";
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = pid > 0 ? fopen(path, "re") : NULL;
  if (f) {
    status[fread(status, 1, sizeof status - 1, f)] = '\0';
    fclose(f);
  }
  char ppid_line[64], nspid_line[64];
  snprintf(ppid_line, sizeof ppid_line, "\nPPid:\t%d\n", (int)getpid());
  snprintf(nspid_line, sizeof nspid_line, "\nNSpid:\t%d\t1\n", (int)pid);
  CHECK(strstr(status, ppid_line) && strstr(status, nspid_line),
        "cr_sandbox_pid %d is not the sandbox's init: %s", (int)pid, status);
  /* waiting before the start is an error, not a hang */
  CHECK(cr_sandbox_wait(sb, 0, &res, &err) < 0 && err, "wait before start accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_kill(sb, SIGTERM, &err) < 0 && err, "a signal before the start accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_start(sb, NULL, &err) == 0, "start: %s", msg(err));
  CHECK(cr_sandbox_start(sb, NULL, &err) < 0 && cr_error_errno(err) == EALREADY, "a second start accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1, "wait: %s", msg(err));
  CHECK(res && res->exit_code == 3 && !res->setup_failed && !res->error, "exit %d",
        res ? res->exit_code : -1);
  /* waiting again gives the same result at once */
  const cr_result *again = NULL;
  CHECK(cr_sandbox_wait(sb, 0, &again, &err) == 1 && again == res, "second wait");
  cr_sandbox_free(sb);
  /* a freed handle is refused, not undefined */
  CHECK(cr_sandbox_wait(sb, 0, &res, &err) < 0 && cr_error_errno(err) == EINVAL, "wait after free accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_start(sb, NULL, &err) < 0, "start after free accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_kill(sb, SIGKILL, &err) < 0, "kill after free accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_sandbox_fd(sb) == -1, "fd after free");
  CHECK(cr_sandbox_pid(sb) == -1, "pid after free");
  cr_sandbox_free(sb); /* twice: ignored */
  cr_sandbox_free(NULL);
}

/* ---- two sandboxes from one thread with poll; one killed while the other finishes ---- */
static void test_two_with_poll(void) {
  cr_config *slow = config("sleep 30"), *quick = config("sleep 0.2; exit 7");
  cr_sandbox *a = create_started(slow, NULL), *b = create_started(quick, NULL);
  cr_config_free(slow);
  cr_config_free(quick);
  if (!a || !b) {
    cr_sandbox_free(a);
    cr_sandbox_free(b);
    return;
  }
  cr_error *err = NULL;
  const cr_result *ra = NULL, *rb = NULL;
  double t0 = now_s();
  struct pollfd pfds[2] = {{.fd = cr_sandbox_fd(a), .events = POLLIN},
                           {.fd = cr_sandbox_fd(b), .events = POLLIN}};
  bool killed = false;
  while (!ra || !rb) {
    int n = poll(pfds, 2, 5000);
    CHECK(n > 0, "poll timed out (a %p, b %p)", (void *)ra, (void *)rb);
    if (n <= 0) break;
    if (pfds[1].revents & POLLIN) {
      CHECK(cr_sandbox_wait(b, 0, &rb, &err) == 1, "wait b: %s", msg(err));
      pfds[1].fd = -1;
      /* the quick one is done: end the slow one */
      CHECK(cr_sandbox_kill(a, SIGKILL, &err) == 0, "kill a: %s", msg(err));
      killed = true;
    }
    if (pfds[0].revents & POLLIN) {
      CHECK(killed, "the slow sandbox ended on its own");
      CHECK(cr_sandbox_wait(a, 0, &ra, &err) == 1, "wait a: %s", msg(err));
      pfds[0].fd = -1;
    }
  }
  CHECK(rb && rb->exit_code == 7, "b: exit %d", rb ? rb->exit_code : -1);
  CHECK(ra && ra->term_signal == SIGKILL && ra->exit_code == 137 && !ra->setup_failed, "a: exit %d signal %d",
        ra ? ra->exit_code : -1, ra ? ra->term_signal : -1);
  CHECK(now_s() - t0 < 10, "the kill did not end the slow sandbox promptly");
  cr_sandbox_free(a);
  cr_sandbox_free(b);
}

/* ---- wait with a timeout ---- */
static void test_wait_timeout(void) {
  cr_config *cfg = config("sleep 1");
  cr_sandbox *sb = create_started(cfg, NULL);
  cr_config_free(cfg);
  if (!sb) return;
  cr_error *err = NULL;
  const cr_result *res = NULL;
  double t0 = now_s();
  CHECK(cr_sandbox_wait(sb, 100, &res, &err) == 0 && !res, "wait(100 ms) of a 1 s sandbox returned %p",
        (void *)res);
  double waited = now_s() - t0;
  CHECK(waited >= 0.09 && waited < 0.9, "wait(100 ms) took %.3f s", waited);
  CHECK(cr_sandbox_wait(sb, 0, &res, &err) == 0, "wait(0) of a running sandbox");
  CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1 && res && res->exit_code == 0, "wait(-1): %s", msg(err));
  cr_sandbox_free(sb);
}

/* ---- a job per start: one config, different args, env, cwd, fds, time limits ---- */
static char *read_all(int fd) {
  static char buf[4096];
  size_t n = 0;
  ssize_t got;
  while (n + 1 < sizeof buf && (got = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)got;
  buf[n] = '\0';
  return buf;
}

static void test_jobs(void) {
  cr_config *cfg = config("echo config");
  for (int i = 0; i < 3; i++) {
    int out[2], in[2];
    CHECK(pipe(out) == 0 && pipe(in) == 0, "pipe");
    char script[256], x[32], want[256];
    snprintf(script, sizeof script, "read line <&3; echo \"$X $line $(pwd) $#\" >&5; exit %d", 10 + i);
    snprintf(x, sizeof x, "X=job-%d", i);
    const char *args[] = {"/bin/sh", "-c", script, "a", "b"};
    const char *env[] = {"PATH=/usr/bin:/bin", x};
    cr_job *job = NULL;
    cr_error *err = NULL;
    /* fds in any order: 5 before 3 */
    CHECK(cr_job_new(&job, &err) == 0 && cr_job_set_args(job, 3 + (size_t)i % 3, args, &err) == 0 &&
              cr_job_set_env(job, 2, env, &err) == 0 && cr_job_set_cwd(job, i ? "/usr" : "/tmp", &err) == 0 &&
              cr_job_set_fd(job, 5, out[1], &err) == 0 && cr_job_set_fd(job, 3, in[0], &err) == 0,
          "job: %s", msg(err));
    close(out[1]); /* the job holds its own duplicates */
    close(in[0]);
    if (write(in[1], "hello\n", 6) != 6) CHECK(0, "write");
    close(in[1]);
    cr_sandbox *sb = create_started(cfg, job);
    cr_job_free(job); /* may go once started */
    const cr_result *res = NULL;
    if (sb) CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1, "wait: %s", msg(err));
    /* sh -c SCRIPT a b: a is $0, so $# is 0, 0, 1 */
    snprintf(want, sizeof want, "job-%d hello %s %d\n", i, i ? "/usr" : "/tmp", i > 1 ? i - 1 : 0);
    const char *got = read_all(out[0]);
    CHECK(res && res->exit_code == 10 + i, "job %d: exit %d", i, res ? res->exit_code : -1);
    CHECK(strcmp(got, want) == 0, "job %d: the payload wrote \"%s\", want \"%s\"", i, got, want);
    close(out[0]);
    cr_sandbox_free(sb);
  }
  /* a job's time limit */
  cr_job *job = NULL;
  cr_error *err = NULL;
  const char *args[] = {"sleep", "30"};
  CHECK(cr_job_new(&job, &err) == 0 && cr_job_set_args(job, 2, args, &err) == 0 &&
            cr_job_set_time_limit_ms(job, 300, &err) == 0,
        "job: %s", msg(err));
  double t0 = now_s();
  cr_sandbox *sb = create_started(cfg, job);
  cr_job_free(job);
  const cr_result *res = NULL;
  if (sb) CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1, "wait: %s", msg(err));
  CHECK(res && res->time_limit_hit && res->exit_code == 137, "time limit: exit %d hit %d",
        res ? res->exit_code : -1, res ? res->time_limit_hit : -1);
  CHECK(now_s() - t0 < 5, "the job's time limit did not end it");
  cr_sandbox_free(sb);
  cr_config_free(cfg);
}

/* ---- errors a job and a start report ---- */
static void test_job_errors(void) {
  cr_job *job = NULL;
  cr_error *err = NULL;
  CHECK(cr_job_new(&job, &err) == 0, "job");
  CHECK(cr_job_set_args(job, 0, NULL, &err) < 0 && err, "no args accepted");
  cr_error_free(err), err = NULL;
  const char *bad_env[] = {"NOEQUALS"};
  CHECK(cr_job_set_env(job, 1, bad_env, &err) < 0 && err, "env without = accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_job_set_cwd(job, "relative", &err) < 0 && err, "a relative cwd accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_job_set_fd(job, 3, 987654, &err) < 0 && cr_error_errno(err) == EBADF, "a closed source accepted");
  cr_error_free(err), err = NULL;
  CHECK(cr_job_set_fd(job, -1, 0, &err) < 0 && err, "a negative target accepted");
  cr_error_free(err), err = NULL;
  /* a program that is not there: the wait says so (127), like cr_run */
  const char *args[] = {"/no/such/program"};
  CHECK(cr_job_set_args(job, 1, args, &err) == 0, "args");
  cr_config *cfg = config("true");
  cr_sandbox *sb = create_started(cfg, job);
  const cr_result *res = NULL;
  if (sb) CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1, "wait: %s", msg(err));
  CHECK(res && res->exit_code == 127 && res->setup_failed && res->error &&
            strstr(res->error, "/no/such/program"),
        "missing program: exit %d error %s", res ? res->exit_code : -1,
        res && res->error ? res->error : "(none)");
  cr_sandbox_free(sb);
  cr_job_free(job);
  /* freed before its start: nothing left running */
  sb = NULL;
  CHECK(cr_sandbox_create(cfg, opts, &sb, &err) == 0, "create: %s", msg(err));
  cr_sandbox_free(sb);
  /* killed before its start */
  sb = NULL;
  CHECK(cr_sandbox_create(cfg, opts, &sb, &err) == 0, "create: %s", msg(err));
  CHECK(cr_sandbox_kill(sb, SIGKILL, &err) == 0, "kill before start: %s", msg(err));
  CHECK(cr_sandbox_wait(sb, 5000, &res, &err) == 1 && res->exit_code == 137,
        "wait after a kill before start");
  cr_sandbox_free(sb);
  cr_config_free(cfg);
  /* a setup failure is create's error */
  cr_config *broken = NULL;
  CHECK(cr_config_load_string("{\"filesystem\": [{\"type\": \"bind\", \"source\": \"/proc/self/fd/../fd/0\", "
                              "\"target\": \"/x\"}]}",
                              "broken", NULL, &broken, &err) < 0,
        "a /proc/self/fd bind loaded");
  cr_error_free(err), err = NULL;
  CHECK(cr_config_load_default(&broken, &err) == 0, "default");
  CHECK(cr_config_set_cwd(broken, "/no/such/folder", &err) == 0, "cwd: %s", msg(err));
  sb = create_started(broken, NULL);
  if (sb)
    CHECK(cr_sandbox_wait(sb, -1, &res, &err) == 1 && res->exit_code == 125 && res->setup_failed &&
              strstr(res->error, "/no/such/folder"),
          "a missing cwd: exit %d %s", res ? res->exit_code : -1, res && res->error ? res->error : "");
  cr_sandbox_free(sb);
  cr_config_free(broken);
}

/* ---- config setters, validated as JSON; fds in any order ---- */
static void test_config_setters(void) {
  cr_config *cfg = config("ls /proc/self/fd >&9; echo $GREETING >&9");
  cr_error *err = NULL;
  int out[2];
  CHECK(pipe(out) == 0, "pipe");
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  CHECK(cr_config_set_fd(cfg, 9, out[1], &err) == 0 && cr_config_set_fd(cfg, 4, null_fd, &err) == 0,
        "set_fd: %s", msg(err));
  CHECK(cr_config_set_env(cfg, "GREETING", "hi there", &err) == 0, "set_env: %s", msg(err));
  CHECK(cr_config_set_network(cfg, "bogus", &err) < 0 && strstr(cr_error_message(err), "$.network"),
        "a bad network mode: %s", msg(err));
  cr_error_free(err), err = NULL;
  CHECK(cr_config_set_env(cfg, "A=B", "x", &err) < 0 && strstr(cr_error_message(err), "$.process.env"),
        "a name with '=': %s", msg(err));
  cr_error_free(err), err = NULL;
  cr_result *res = NULL;
  CHECK(cr_run(cfg, opts, &res, &err) == 0 && res->exit_code == 0, "run: %s", msg(err));
  close(out[1]);
  const char *got = read_all(out[0]);
  CHECK(strstr(got, "\n4\n") && strstr(got, "\n9\n") && strstr(got, "hi there"), "the payload saw: %s", got);
  close(out[0]);
  close(null_fd);
  cr_result_free(res);
  cr_config_free(cfg);
}

/* cr_options_set_audit: a job's fd is given, not withheld; one the host
 * keeps is listed with its file; the sections exist only when asked for. */
static void test_audit(void) {
  cr_config *cfg = config("true");
  cr_error *err = NULL;
  int kept = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), given = open("/dev/null", O_RDONLY | O_CLOEXEC);
  cr_job *job = NULL;
  cr_result *res = NULL;
  CHECK(cr_run(cfg, opts, &res, &err) == 0 && res->withheld == NULL && res->carried == NULL,
        "sections without the audit: %s", msg(err));
  cr_result_free(res);
  cr_options_set_audit(opts, true);
  CHECK(cr_job_new(&job, &err) == 0 && cr_job_set_fd(job, 7, given, &err) == 0, "job: %s", msg(err));
  cr_sandbox *sb = NULL;
  const cr_result *r = NULL;
  CHECK(cr_sandbox_create(cfg, opts, &sb, &err) == 0 && cr_sandbox_start(sb, job, &err) == 0 &&
            cr_sandbox_wait(sb, -1, &r, &err) == 1,
        "run: %s", msg(err));
  char kept_entry[64], given_entry[64];
  snprintf(kept_entry, sizeof kept_entry, "{\"fd\":%d,\"kind\":\"file\",\"target\":\"/", kept);
  snprintf(given_entry, sizeof given_entry, "{\"fd\":%d,", given);
  CHECK(r && r->withheld && strstr(r->withheld, kept_entry), "withheld: %s",
        r && r->withheld ? r->withheld : "-");
  CHECK(r && r->withheld && !strstr(r->withheld, given_entry), "the job's fd is withheld: %s",
        r && r->withheld ? r->withheld : "-");
  CHECK(r && r->carried && strstr(r->carried, "\"rlimits\""), "carried: %s",
        r && r->carried ? r->carried : "-");
  char *report = r ? cr_result_to_json(r, NULL) : NULL;
  CHECK(report && strstr(report, "\"withheld\"") && strstr(report, "\"carried\""), "report: %s",
        report ? report : "-");
  cr_free(report);
  cr_sandbox_free(sb);
  cr_job_free(job);
  cr_options_set_audit(opts, false);
  close(kept);
  close(given);
  cr_config_free(cfg);
}

static void log_none(void *data, int level, const char *message) {
  (void)data;
  (void)level;
  (void)message;
}

int main(void) {
  cr_error *err = NULL;
  const char *cache = getenv("CLEANROOM_CACHE_DIR"); /* the test runner's; the library reads none */
  if (cr_options_new(&opts, &err) < 0 ||
      (cache && *cache && cr_options_set_cache_dir(opts, cache, &err) < 0)) {
    fprintf(stderr, "options: %s\n", msg(err));
    return 1;
  }
  cr_options_set_log(opts, log_none, NULL);
  CHECK(strcmp(cr_version(), CLEANROOM_VERSION_STRING) == 0, "version %s", cr_version());
  test_create_start_wait();
  test_two_with_poll();
  test_wait_timeout();
  test_jobs();
  test_job_errors();
  test_config_setters();
  test_audit();
  cr_options_free(opts);
  if (failures)
    fprintf(stderr, "lifecycle: %d failure(s)\n", failures);
  else
    printf("lifecycle: ok\n");
  return failures ? 1 : 0;
}
