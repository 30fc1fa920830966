/* SPDX-License-Identifier: MIT */
/* cr_policy_diff: what two compiled policies answer differently, for
 * `cleanroom policy diff A B` (a learned profile reviewed against
 * "default", say). Both programs run in the user-space interpreter
 * (cr/bpf_run.h) for every system call number libseccomp names on each
 * architecture the kernel could pass here (x86-64: x86_64, x32 and x86).
 *
 * The argument values tried for one call come from the programs
 * themselves: a symbolic walk of each program for that (arch, nr) follows
 * what the accumulator, X and the scratch words hold (a constant, or a
 * 32-bit half of an argument or of the instruction pointer, perhaps
 * masked, offset or xor'ed by a constant) through loads, ALU steps and both
 * ways of every jump that depends on an argument, and collects per half:
 * 0, each constant a jump compares it with and the neighbour across the
 * boundary (k and k+1; k-1 and k for JGE), each mask of an AND or JSET and
 * every single bit of it. Every argument either walk reads is probed, with
 * the cross product of its halves' values and of the other arguments'
 * values, up to DIFF_MAX_EVALS runs per call; past that, or when a program
 * computes on an argument in a way the walk does not follow (a second ALU
 * step, a shift, a comparison of two arguments, a return of the
 * accumulator), the call and the result say "complete": false. What is not
 * covered: a value that only several bits of a mask together, or a mask
 * and a range together, single out and that no constant names (a program
 * can tell such values apart, the probes may not reach them); numbers no
 * libseccomp table names. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/bpf_run.h"
#include "cr/cleanup.h"
#include "launch.h"

#define DIFF_MAX_NR 1024      /* syscall numbers tried per architecture, from its base */
#define DIFF_MAX_CASES 16     /* differing argument cases listed per syscall */
#define DIFF_MAX_EVALS 200000 /* argument combinations run per syscall and architecture */
#define DIFF_WORDS 16         /* 32-bit words of struct seccomp_data */
#define DIFF_FIRST_WORD 2     /* words 0 and 1 (nr, arch) are given; 2-3 the ip, 4-15 args */
#define DIFF_PARAMS 7         /* args[0..5] and the instruction pointer (6) */
#define DIFF_MAX_VALUES 1024  /* probe values per word */
#define DIFF_STATES 8         /* abstract states kept per instruction before merging */
#define X32_SYSCALL_BIT 0x40000000u

/* ---- architectures ---------------------------------------------------------------- */

struct diff_arch {
  uint32_t audit;  /* seccomp_data.arch */
  uint32_t nr_bit; /* or'ed into every number (x32) */
  uint32_t names;  /* libseccomp's token, for cr_syscall_name */
  uint32_t base;   /* first number (MIPS: 4000, 5000, 6000) */
};

/* The native architecture and those the kernel runs in compat mode on it. */
static size_t diff_arches(struct diff_arch out[4]) {
  uint32_t native = cr_seccomp_arch_native();
  size_t n = 0;
#define ARCH(audit, bit, names, base) \
  out[n++] = (struct diff_arch) { audit, bit, names, base }
  switch (native) {
    case AUDIT_ARCH_X86_64:
      ARCH(native, 0, native, 0);
      ARCH(native, X32_SYSCALL_BIT, AUDIT_ARCH_X86_64 & ~__AUDIT_ARCH_64BIT, 0); /* libseccomp's x32 */
      ARCH(AUDIT_ARCH_I386, 0, AUDIT_ARCH_I386, 0);
      break;
    case AUDIT_ARCH_AARCH64:
      ARCH(native, 0, native, 0);
      ARCH(AUDIT_ARCH_ARM, 0, AUDIT_ARCH_ARM, 0);
      break;
    case AUDIT_ARCH_S390X:
      ARCH(native, 0, native, 0);
      ARCH(AUDIT_ARCH_S390, 0, AUDIT_ARCH_S390, 0);
      break;
    case AUDIT_ARCH_PPC64:
      ARCH(native, 0, native, 0);
      ARCH(AUDIT_ARCH_PPC, 0, AUDIT_ARCH_PPC, 0);
      break;
    case AUDIT_ARCH_PARISC64:
      ARCH(native, 0, native, 0);
      ARCH(AUDIT_ARCH_PARISC, 0, AUDIT_ARCH_PARISC, 0);
      break;
    case AUDIT_ARCH_MIPS64:
    case AUDIT_ARCH_MIPSEL64: {
      uint32_t le = native & __AUDIT_ARCH_LE;
      ARCH(native, 0, native, 5000);
      ARCH(AUDIT_ARCH_MIPS64N32 | le, 0, AUDIT_ARCH_MIPS64N32 | le, 6000);
      ARCH(AUDIT_ARCH_MIPS | le, 0, AUDIT_ARCH_MIPS | le, 4000);
      break;
    }
    case AUDIT_ARCH_MIPS:
    case AUDIT_ARCH_MIPSEL: ARCH(native, 0, native, 4000); break;
    default: ARCH(native, 0, native, 0); break;
  }
#undef ARCH
  return n;
}

/* ---- probe values: a symbolic walk of one program ---------------------------------- */

struct values {
  uint32_t v[DIFF_MAX_VALUES];
  size_t n;
};

struct probes {
  struct values word[DIFF_WORDS];
  uint32_t read;   /* bit w: word w is loaded on some path */
  bool incomplete; /* a step the walk does not follow */
};

static void add_value(struct values *c, uint32_t v) {
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i] == v) return;
  if (c->n < DIFF_MAX_VALUES) c->v[c->n++] = v;
}

static void add_bits(struct values *c, uint32_t mask) {
  if (mask) add_value(c, mask);
  for (int b = 0; b < 32; b++)
    if (mask & (1u << b)) add_value(c, 1u << b);
}

/* What a register or scratch word holds. */
enum { V_CONST, V_WORD, V_UNKNOWN };
enum { X_NONE, X_AND, X_OR, X_XOR, X_ADD, X_OPAQUE }; /* V_WORD: word, then op k */
struct aval {
  uint8_t kind, word, xform, pad;
  uint32_t k;
};
struct astate {
  struct aval a, x, mem[BPF_MEMWORDS];
};

struct walk {
  const struct sock_filter *insns;
  size_t len;
  struct astate *states; /* DIFF_STATES per instruction */
  uint8_t *n_states;
  struct probes *out;
};

static void push_state(struct walk *w, size_t pc, const struct astate *s) {
  if (pc >= w->len) return; /* runs past the end: the evaluator refuses it */
  /* a register the instruction overwrites tells nothing: states that
   * differ only in it are one (libseccomp reloads A for every test) */
  struct astate live = *s;
  int cls = BPF_CLASS(w->insns[pc].code);
  if (cls == BPF_LD) live.a = (struct aval){.kind = V_UNKNOWN};
  if (cls == BPF_LDX) live.x = (struct aval){.kind = V_UNKNOWN};
  if (cls == BPF_RET && BPF_RVAL(w->insns[pc].code) == BPF_K) memset(&live, 0, sizeof live);
  s = &live;
  struct astate *at = &w->states[pc * DIFF_STATES];
  for (size_t i = 0; i < w->n_states[pc]; i++)
    if (memcmp(&at[i], s, sizeof *s) == 0) return;
  if (w->n_states[pc] < DIFF_STATES) {
    at[w->n_states[pc]++] = *s;
    return;
  }
  /* too many ways here: one state that knows nothing (every later jump
   * both ways, nothing collected from unknown values) */
  w->out->incomplete = true;
  struct astate top;
  memset(&top, 0, sizeof top);
  top.a.kind = top.x.kind = V_UNKNOWN;
  for (size_t i = 0; i < BPF_MEMWORDS; i++) top.mem[i].kind = V_UNKNOWN;
  at[0] = top;
  w->n_states[pc] = 1;
}

/* The values of the word that make `(word xform) OP k` go either way. */
static void add_comparison(struct probes *p, const struct aval *v, int op, uint32_t k) {
  struct values *c = &p->word[v->word];
  if (op == BPF_JSET) {
    switch (v->xform) {
      case X_NONE: add_bits(c, k); return;
      case X_AND: add_bits(c, k & v->k); return;
      case X_OR: add_bits(c, k & ~v->k); return;
      case X_XOR:
        add_value(c, v->k);
        for (int b = 0; b < 32; b++)
          if (k & (1u << b)) add_value(c, v->k ^ (1u << b));
        return;
      default:
        add_bits(c, k);
        p->incomplete = true;
        return;
    }
  }
  uint32_t at[2] = {k, k + 1};
  size_t n = k == UINT32_MAX ? 1 : 2;
  if (op == BPF_JGE) {
    at[0] = k;
    at[1] = k - 1;
    n = k == 0 ? 1 : 2;
  }
  for (size_t i = 0; i < n; i++) {
    switch (v->xform) {
      case X_NONE:
      case X_AND: add_value(c, at[i]); break;
      case X_OR:
        add_value(c, at[i]);
        add_value(c, at[i] & ~v->k);
        break;
      case X_XOR: add_value(c, at[i] ^ v->k); break;
      case X_ADD: add_value(c, at[i] - v->k); break;
      default:
        add_value(c, at[i]);
        p->incomplete = true;
        break;
    }
  }
}

static void walk_alu(struct walk *w, struct astate *s, const struct sock_filter *in) {
  struct aval *a = &s->a;
  const struct aval *src = BPF_SRC(in->code) == BPF_X ? &s->x : NULL;
  int op = BPF_OP(in->code);
  if (a->kind == V_CONST && (!src || src->kind == V_CONST)) {
    struct cr_bpf_vm vm = {.a = a->k, .x = src ? src->k : 0};
    if (cr_bpf_run_alu(&vm, in))
      *a = (struct aval){.kind = V_UNKNOWN}; /* refused: the evaluator says why */
    else
      a->k = vm.a;
    return;
  }
  if (src && src->kind != V_CONST) { /* A op X, X not a constant */
    if (a->kind == V_WORD || src->kind == V_WORD) w->out->incomplete = true;
    if (a->kind != V_WORD) *a = src->kind == V_WORD ? *src : (struct aval){.kind = V_UNKNOWN};
    if (a->kind == V_WORD) a->xform = X_OPAQUE;
    return;
  }
  if (a->kind != V_WORD) return; /* unknown stays unknown */
  uint32_t k = src ? src->k : in->k;
  struct values *c = &w->out->word[a->word];
  if (op == BPF_AND || op == BPF_OR || op == BPF_XOR) add_bits(c, k);
  int x = op == BPF_AND                    ? X_AND
          : op == BPF_OR                   ? X_OR
          : op == BPF_XOR                  ? X_XOR
          : op == BPF_ADD || op == BPF_SUB ? X_ADD
                                           : X_OPAQUE;
  uint32_t kk = op == BPF_SUB ? -k : k;
  if (a->xform == X_NONE && x != X_OPAQUE) {
    a->xform = (uint8_t)x;
    a->k = kk;
  } else if (a->xform == x && x == X_AND) {
    a->k &= kk;
  } else if (a->xform == x && x == X_XOR) {
    a->k ^= kk;
  } else if (a->xform == x && x == X_ADD) {
    a->k += kk;
  } else {
    a->xform = X_OPAQUE;
  }
}

static struct aval walk_abs(struct probes *p, uint32_t k, const struct seccomp_data *given) {
  if (k % 4 || k > sizeof *given - 4) return (struct aval){.kind = V_UNKNOWN};
  if (k / 4 < DIFF_FIRST_WORD) {
    uint32_t v;
    memcpy(&v, (const char *)given + k, 4);
    return (struct aval){.kind = V_CONST, .k = v};
  }
  p->read |= 1u << (k / 4);
  return (struct aval){.kind = V_WORD, .word = (uint8_t)(k / 4)};
}

/* The values worth trying for each word of one program run on `given`
 * (its nr and arch; the rest symbolic), added to w->out. */
static void walk_program(struct walk *w, const struct seccomp_data *given) {
  if (!w->len) return;
  memset(w->n_states, 0, w->len);
  struct astate s0;
  memset(&s0, 0, sizeof s0); /* the interpreter starts with zeros */
  push_state(w, 0, &s0);
  for (size_t pc = 0; pc < w->len; pc++) {
    const struct sock_filter *in = &w->insns[pc];
    for (size_t i = 0; i < w->n_states[pc]; i++) {
      struct astate s = w->states[pc * DIFF_STATES + i];
      switch (BPF_CLASS(in->code)) {
        case BPF_LD:
        case BPF_LDX: {
          struct aval *dst = BPF_CLASS(in->code) == BPF_LD ? &s.a : &s.x;
          switch (BPF_MODE(in->code)) {
            case BPF_ABS: *dst = walk_abs(w->out, in->k, given); break;
            case BPF_IMM: *dst = (struct aval){.kind = V_CONST, .k = in->k}; break;
            case BPF_LEN: *dst = (struct aval){.kind = V_CONST, .k = sizeof *given}; break;
            case BPF_MEM:
              *dst = in->k < BPF_MEMWORDS ? s.mem[in->k] : (struct aval){.kind = V_UNKNOWN};
              break;
            default: *dst = (struct aval){.kind = V_UNKNOWN}; break;
          }
          push_state(w, pc + 1, &s);
          break;
        }
        case BPF_ST:
        case BPF_STX:
          if (in->k < BPF_MEMWORDS) s.mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? s.a : s.x;
          push_state(w, pc + 1, &s);
          break;
        case BPF_ALU:
          walk_alu(w, &s, in);
          push_state(w, pc + 1, &s);
          break;
        case BPF_MISC:
          if (BPF_MISCOP(in->code) == BPF_TAX)
            s.x = s.a;
          else
            s.a = s.x;
          push_state(w, pc + 1, &s);
          break;
        case BPF_JMP: {
          int op = BPF_OP(in->code);
          if (op == BPF_JA) {
            push_state(w, pc + 1 + in->k, &s);
            break;
          }
          struct aval v = BPF_SRC(in->code) == BPF_X ? s.x : (struct aval){.kind = V_CONST, .k = in->k};
          if (s.a.kind == V_CONST && v.kind == V_CONST) {
            struct cr_bpf_vm vm = {.a = s.a.k, .x = v.k};
            size_t next = pc + 1;
            if (!cr_bpf_run_jump(&vm, in, pc, &next)) push_state(w, next, &s);
            break;
          }
          if (s.a.kind == V_WORD && v.kind == V_CONST) {
            add_comparison(w->out, &s.a, op, v.k);
          } else if (s.a.kind == V_CONST && v.kind == V_WORD) { /* k OP word */
            struct values *c = &w->out->word[v.word];
            if (op == BPF_JSET) {
              add_bits(c, s.a.k);
            } else {
              add_value(c, s.a.k);
              if (s.a.k) add_value(c, s.a.k - 1);
              if (s.a.k != UINT32_MAX) add_value(c, s.a.k + 1);
            }
            if (v.xform != X_NONE) w->out->incomplete = true;
          } else if (s.a.kind == V_WORD || v.kind == V_WORD) {
            w->out->incomplete = true; /* two arguments compared, or an unknown with one */
          }
          push_state(w, pc + 1 + in->jt, &s);
          push_state(w, pc + 1 + in->jf, &s);
          break;
        }
        case BPF_RET:
          if (BPF_RVAL(in->code) == BPF_A && s.a.kind == V_WORD) w->out->incomplete = true;
          break;
        default: break; /* refused by the evaluator */
      }
    }
  }
}

/* ---- running both programs ---------------------------------------------------------- */

static void answer_text(uint32_t action, char *buf, size_t size) {
  const char *name = cr_seccomp_answer_name(action, buf, size);
  if (name != buf) snprintf(buf, size, "%s", name);
}

static int run_one(const struct cr_bpf *bpf, const struct seccomp_data *data, uint32_t *action,
                   cr_error **err) {
  if (!bpf->len) { /* "none" */
    *action = SECCOMP_RET_ALLOW;
    return 0;
  }
  struct cr_bpf_run run;
  if (cr_bpf_run(bpf->insns, bpf->len, data, &run) < 0) {
    if (run.bad_pc >= bpf->len) return cr_fail(err, EINVAL, "seccomp evaluator", "%s", run.bad);
    return cr_fail(err, EINVAL, "seccomp evaluator", "instruction %zu: %s", run.bad_pc, run.bad);
  }
  *action = run.action;
  return 0;
}

static int by_value(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* The words of parameter p (args[p], or the ip for 6): high half first. */
static void param_words(int p, int out[2]) {
  size_t off = p < 6 ? offsetof(struct seccomp_data, args) + (size_t)p * 8
                     : offsetof(struct seccomp_data, instruction_pointer);
  uint64_t one = 1;
  uint32_t low;
  memcpy(&low, &one, sizeof low);
  bool little = low == 1;
  out[0] = (int)(off / 4) + (little ? 1 : 0);
  out[1] = (int)(off / 4) + (little ? 0 : 1);
}

static void add_param_value(cJSON *args, int p, uint64_t v) {
  char key[16];
  if (p < 6)
    snprintf(key, sizeof key, "%d", p);
  else
    snprintf(key, sizeof key, "ip");
  if (v <= (1ull << 53)) {
    cJSON_AddNumberToObject(args, key, (double)v);
  } else { /* not exact as a JSON number */
    char hex[24];
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)v);
    cJSON_AddStringToObject(args, key, hex);
  }
}

struct diff {
  const struct cr_bpf *a, *b;
  struct walk wa, wb;
  struct probes *probes;
  bool complete;
};

/* One syscall: the answers at zero arguments, then the differing argument
 * cases; NULL (and no error) when both answer alike everywhere tried. */
static cJSON *diff_syscall(struct diff *d, const struct diff_arch *arch, uint32_t nr, const char *name,
                           cr_error **err) {
  struct seccomp_data data = {.nr = (int)nr, .arch = arch->audit};
  struct probes *p = d->probes;
  for (int i = 0; i < DIFF_WORDS; i++) p->word[i].n = 0;
  p->read = 0;
  p->incomplete = false;
  d->wa.out = d->wb.out = p;
  walk_program(&d->wa, &data);
  walk_program(&d->wb, &data);

  /* the digits of an odometer: read words, each parameter's high half first */
  int digit_word[DIFF_WORDS], n_digits = 0;
  uint32_t params = 0;
  double combos = 1;
  for (int q = 0; q < DIFF_PARAMS; q++) {
    int words[2];
    param_words(q, words);
    if (!(p->read & ((1u << words[0]) | (1u << words[1])))) continue;
    params |= 1u << q;
    for (int i = 0; i < 2; i++) {
      struct values *c = &p->word[words[i]];
      if (!(p->read & (1u << words[i]))) c->n = 0;
      add_value(c, 0);
      qsort(c->v, c->n, sizeof c->v[0], by_value); /* cases listed in order */
      digit_word[n_digits++] = words[i];
      combos *= (double)c->n;
    }
  }
  bool complete = !p->incomplete && combos <= DIFF_MAX_EVALS;

  uint32_t za = 0, zb = 0;
  size_t at[DIFF_WORDS] = {0}, n_differ = 0, n_cases = 0;
  cJSON *cases = cJSON_CreateArray();
  if (!cases) {
    cr_fail(err, ENOMEM, "policy diff", "allocate");
    return NULL;
  }
  for (size_t run = 0; run < DIFF_MAX_EVALS; run++) {
    struct seccomp_data probe = data;
    for (int i = 0; i < n_digits; i++) {
      uint32_t v = p->word[digit_word[i]].v[at[i]];
      memcpy((char *)&probe + (size_t)digit_word[i] * 4, &v, 4);
    }
    uint32_t ra, rb;
    if (run_one(d->a, &probe, &ra, err) < 0 || run_one(d->b, &probe, &rb, err) < 0) {
      cJSON_Delete(cases);
      return NULL;
    }
    if (run == 0) { /* all zero */
      za = ra;
      zb = rb;
    }
    if (ra != rb && params) {
      n_differ++;
      if (n_cases++ < DIFF_MAX_CASES) {
        char ta[64], tb[64];
        answer_text(ra, ta, sizeof ta);
        answer_text(rb, tb, sizeof tb);
        cJSON *e = cJSON_CreateObject(), *args = cJSON_AddObjectToObject(e, "args");
        for (int q = 0; q < DIFF_PARAMS; q++)
          if (params & (1u << q)) add_param_value(args, q, q < 6 ? probe.args[q] : probe.instruction_pointer);
        cJSON_AddStringToObject(e, "a", ta);
        cJSON_AddStringToObject(e, "b", tb);
        cJSON_AddItemToArray(cases, e);
      }
    }
    int i = n_digits - 1; /* next combination, the last digit fastest */
    for (; i >= 0; i--) {
      if (++at[i] < p->word[digit_word[i]].n) break;
      at[i] = 0;
    }
    if (i < 0) break;
  }
  if (!complete) d->complete = false;
  if (za == zb && n_differ == 0) {
    cJSON_Delete(cases);
    return NULL;
  }
  cJSON *e = cJSON_CreateObject();
  char ta[64], tb[64];
  answer_text(za, ta, sizeof ta);
  answer_text(zb, tb, sizeof tb);
  cJSON_AddStringToObject(e, "syscall", name);
  cJSON_AddNumberToObject(e, "nr", nr);
  const char *arch_name = cr_seccomp_arch_name(arch->names);
  cJSON_AddStringToObject(e, "arch", arch_name ? arch_name : "?");
  cJSON_AddStringToObject(e, "a", ta);
  cJSON_AddStringToObject(e, "b", tb);
  cJSON_AddBoolToObject(e, "by_argument", params != 0);
  cJSON_AddItemToObject(e, "cases", cases);
  cJSON_AddNumberToObject(e, "cases_total", (double)n_differ);
  cJSON_AddBoolToObject(e, "complete", complete);
  return e;
}

static int walk_init(struct walk *w, const struct cr_bpf *bpf) {
  *w = (struct walk){.insns = bpf->insns, .len = bpf->len};
  if (!bpf->len) return 0;
  w->states = malloc(bpf->len * DIFF_STATES * sizeof *w->states);
  w->n_states = malloc(bpf->len);
  return w->states && w->n_states ? 0 : -1;
}

static void walk_free(struct walk *w) {
  free(w->states);
  free(w->n_states);
}

int cr_policy_diff(const struct cr_policy *a, const struct cr_policy *b, char **json, cr_error **err) {
  *json = NULL;
  struct diff d = {.a = cr_policy_program(a), .b = cr_policy_program(b), .complete = true};
  d.probes = malloc(sizeof *d.probes);
  cJSON *root = cJSON_CreateObject(), *list = root ? cJSON_AddArrayToObject(root, "syscalls") : NULL;
  cJSON *arch_list = root ? cJSON_AddArrayToObject(root, "arches") : NULL;
  int rc = d.probes && list && arch_list && walk_init(&d.wa, d.a) == 0 && walk_init(&d.wb, d.b) == 0
               ? 0
               : cr_fail(err, ENOMEM, "policy diff", "allocate");
  struct diff_arch arches[4];
  size_t n_arches = diff_arches(arches), differing = 0;
  for (size_t i = 0; rc == 0 && i < n_arches; i++) {
    const struct diff_arch *arch = &arches[i];
    size_t walked = 0, arch_differing = 0;
    bool was_complete = d.complete;
    d.complete = true;
    for (uint32_t n = 0; rc == 0 && n < DIFF_MAX_NR; n++) {
      uint32_t nr = (arch->base + n) | arch->nr_bit;
      cr_autofree char *name = cr_syscall_name(arch->names, (int)nr);
      if (!name) continue; /* no syscall of that number there */
      walked++;
      cr_error *e = NULL;
      cJSON *entry = diff_syscall(&d, arch, nr, name, &e);
      if (e) {
        rc = -1;
        if (err)
          *err = e;
        else
          cr_error_free(e);
      } else if (entry) {
        cJSON_AddItemToArray(list, entry);
        arch_differing++;
      }
    }
    const char *arch_name = cr_seccomp_arch_name(arch->names);
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "arch", arch_name ? arch_name : "?");
    cJSON_AddNumberToObject(entry, "syscalls", (double)walked);
    cJSON_AddNumberToObject(entry, "differing", (double)arch_differing);
    cJSON_AddBoolToObject(entry, "complete", d.complete);
    cJSON_AddItemToArray(arch_list, entry);
    d.complete = d.complete && was_complete;
    differing += arch_differing;
  }
  if (rc == 0) {
    cJSON_AddNumberToObject(root, "differing", (double)differing);
    cJSON_AddBoolToObject(root, "complete", d.complete);
    if (!(*json = cJSON_Print(root))) rc = cr_fail(err, ENOMEM, "policy diff", "print");
  }
  cJSON_Delete(root);
  walk_free(&d.wa);
  walk_free(&d.wb);
  free(d.probes);
  return rc;
}
