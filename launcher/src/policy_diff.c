/* SPDX-License-Identifier: MIT */
/* cr_policy_diff: what two compiled policies answer differently, for
 * `cleanroom policy diff A B` (a learned profile reviewed against
 * "default", say). Both programs run in the user-space evaluator
 * (policies/eval.c) for every system call of the native architecture, with
 * zero arguments and then, for each argument a program examines, with
 * every constant either program compares with or masks by: a cBPF program
 * can only tell values apart at those constants, so two programs that agree
 * on all of them agree on the arguments that matter. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/cleanup.h"
#include "launch.h"

#define DIFF_MAX_NR 1024 /* syscall numbers tried on the native ABI */
#define DIFF_MAX_CONSTANTS 4096
#define DIFF_MAX_CASES 16 /* differing argument cases listed per syscall */

struct constants {
  uint32_t v[DIFF_MAX_CONSTANTS];
  size_t n;
};

static int by_value(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

static void add_constant(struct constants *c, uint32_t v) {
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i] == v) return;
  if (c->n < DIFF_MAX_CONSTANTS) c->v[c->n++] = v;
}

/* Per argument, every constant a jump compares it with or an ALU step
 * applies to it, and the next value (a JGT/JGE boundary): a scan that
 * follows which word the accumulator was last loaded from. */
static void collect_constants(const struct cr_bpf *bpf, struct constants per_arg[6]) {
  int arg = -1; /* the accumulator holds args[arg] (either half), or something else */
  for (size_t i = 0; i < bpf->len; i++) {
    const struct sock_filter *in = &bpf->insns[i];
    int cls = BPF_CLASS(in->code);
    if (cls == BPF_LD) {
      size_t off = offsetof(struct seccomp_data, args);
      arg = BPF_MODE(in->code) == BPF_ABS && in->k >= off && in->k < off + 6 * sizeof(uint64_t)
                ? (int)((in->k - off) / sizeof(uint64_t))
                : -1;
    } else if (arg >= 0 && ((cls == BPF_JMP && BPF_OP(in->code) != BPF_JA) || cls == BPF_ALU)) {
      add_constant(&per_arg[arg], in->k);
      add_constant(&per_arg[arg], in->k + 1);
    }
  }
}

/* An answer as a word: "allowed", "EPERM", "ENOSYS", "kill", "trap", ... */
static void answer_text(uint32_t action, char *buf, size_t size) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW: snprintf(buf, size, "allowed"); return;
    case SECCOMP_RET_LOG: snprintf(buf, size, "allowed (logged)"); return;
    case SECCOMP_RET_USER_NOTIF: snprintf(buf, size, "supervised"); return;
    case SECCOMP_RET_TRACE: snprintf(buf, size, "traced"); return;
    case SECCOMP_RET_TRAP: snprintf(buf, size, "trap (SIGSYS)"); return;
    case SECCOMP_RET_ERRNO: {
      int e = (int)(action & SECCOMP_RET_DATA);
      const char *name = strerrorname_np(e);
      if (name)
        snprintf(buf, size, "%s", name);
      else
        snprintf(buf, size, "errno %d", e);
      return;
    }
    default: snprintf(buf, size, "kill"); return;
  }
}

struct answer {
  uint32_t action;
  uint32_t args_read;
};

static int run_one(const struct cr_bpf *bpf, const struct seccomp_data *data, struct answer *out,
                   cr_error **err) {
  if (!bpf->len) { /* "none" */
    *out = (struct answer){.action = SECCOMP_RET_ALLOW};
    return 0;
  }
  struct cr_bpf_outcome o;
  if (cr_bpf_eval(bpf->insns, bpf->len, data, &o, err) < 0) return -1;
  *out = (struct answer){.action = o.action, .args_read = o.args_read};
  return 0;
}

/* One syscall: the answers at zero arguments, then the differing argument
 * cases; NULL (and no error) when both answer alike everywhere. */
static cJSON *diff_syscall(const struct cr_bpf *a, const struct cr_bpf *b, int nr,
                           const struct constants per_arg[6], cr_error **err) {
  struct seccomp_data data = {.nr = nr, .arch = cr_seccomp_arch_native()};
  struct answer za, zb;
  if (run_one(a, &data, &za, err) < 0 || run_one(b, &data, &zb, err) < 0) return NULL;
  uint32_t examined = (za.args_read | zb.args_read) & 0x3f;
  cJSON *cases = cJSON_CreateArray();
  size_t n_cases = 0, n_differ = 0;
  for (int arg = 0; arg < 6 && cases; arg++) {
    if (!(examined & (1u << arg))) continue;
    const struct constants *c = &per_arg[arg];
    for (size_t i = 0; i < c->n; i++) {
      struct seccomp_data probe = data;
      probe.args[arg] = c->v[i];
      struct answer pa, pb;
      if (run_one(a, &probe, &pa, err) < 0 || run_one(b, &probe, &pb, err) < 0) {
        cJSON_Delete(cases);
        return NULL;
      }
      if (pa.action == pb.action) continue;
      n_differ++;
      if (n_cases++ >= DIFF_MAX_CASES) continue;
      char ta[64], tb[64], key[8];
      answer_text(pa.action, ta, sizeof ta);
      answer_text(pb.action, tb, sizeof tb);
      snprintf(key, sizeof key, "%d", arg);
      cJSON *e = cJSON_CreateObject(), *args = cJSON_AddObjectToObject(e, "args");
      cJSON_AddNumberToObject(args, key, c->v[i]);
      cJSON_AddStringToObject(e, "a", ta);
      cJSON_AddStringToObject(e, "b", tb);
      cJSON_AddItemToArray(cases, e);
    }
  }
  if (za.action == zb.action && n_differ == 0) {
    cJSON_Delete(cases);
    return NULL;
  }
  cJSON *e = cJSON_CreateObject();
  cr_autofree char *name = cr_syscall_name(data.arch, nr);
  char ta[64], tb[64];
  answer_text(za.action, ta, sizeof ta);
  answer_text(zb.action, tb, sizeof tb);
  cJSON_AddStringToObject(e, "syscall", name ? name : "?");
  cJSON_AddNumberToObject(e, "nr", nr);
  cJSON_AddStringToObject(e, "a", ta);
  cJSON_AddStringToObject(e, "b", tb);
  cJSON_AddBoolToObject(e, "by_argument", examined != 0);
  cJSON_AddItemToObject(e, "cases", cases);
  cJSON_AddNumberToObject(e, "cases_total", (double)n_differ);
  return e;
}

int cr_policy_diff(const struct cr_policy *a, const struct cr_policy *b, char **json, cr_error **err) {
  *json = NULL;
  const struct cr_bpf *pa = cr_policy_program(a), *pb = cr_policy_program(b);
  struct constants *c = calloc(6, sizeof *c); /* per argument */
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "syscalls") : NULL;
  int rc = c && list ? 0 : cr_fail(err, ENOMEM, "policy diff", "allocate");
  if (rc == 0) {
    collect_constants(pa, c);
    collect_constants(pb, c);
    for (int arg = 0; arg < 6; arg++) {
      add_constant(&c[arg], 0);
      qsort(c[arg].v, c[arg].n, sizeof c[arg].v[0], by_value); /* cases listed in order */
    }
  }
  size_t differing = 0;
  for (int nr = 0; rc == 0 && nr < DIFF_MAX_NR; nr++) {
    char *name = cr_syscall_name(cr_seccomp_arch_native(), nr);
    if (!name) continue; /* no syscall of that number here */
    free(name);
    cr_error *e = NULL;
    cJSON *entry = diff_syscall(pa, pb, nr, c, &e);
    if (e) {
      rc = -1;
      if (err)
        *err = e;
      else
        cr_error_free(e);
    } else if (entry) {
      cJSON_AddItemToArray(list, entry);
      differing++;
    }
  }
  if (rc == 0) {
    cJSON_AddNumberToObject(root, "differing", (double)differing);
    if (!(*json = cJSON_Print(root))) rc = cr_fail(err, ENOMEM, "policy diff", "print");
  }
  cJSON_Delete(root);
  free(c);
  return rc;
}
