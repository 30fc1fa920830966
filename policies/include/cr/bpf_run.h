/* SPDX-License-Identifier: MIT */
/* The classic BPF interpreter for seccomp programs (the kernel's seccomp
 * subset, net/core/filter.c seccomp_check_filter), as static inline code
 * with no allocation, no error value and no library call but memcpy: the
 * same interpreter runs in the launcher (cr_bpf_eval, eval.c, which turns a
 * refusal into a cr_error) and in the sandbox's init after clone, which
 * evaluates the real filter on each refusal it is notified of (init.c;
 * tests/launcher/child_symbols.sh holds it to async-signal-safe code). */
#ifndef CR_BPF_RUN_H
#define CR_BPF_RUN_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* What one run answered: the action, or why the program is not one. */
struct cr_bpf_run {
  uint32_t action;    /* SECCOMP_RET_* with its data, as the kernel would take it */
  uint32_t args_read; /* bit i: args[i] was loaded (either half); CR_BPF_READ_IP: the instruction pointer */
  size_t bad_pc;      /* on failure: the instruction refused */
  const char *bad;    /* on failure: why (a static string) */
};
#define CR_BPF_READ_IP (1u << 6)

struct cr_bpf_vm {
  const struct seccomp_data *data;
  uint32_t a, x, mem[BPF_MEMWORDS];
  uint32_t args_read;
};

static inline int cr_bpf_run_bad(struct cr_bpf_run *out, size_t pc, const char *why) {
  out->bad_pc = pc;
  out->bad = why;
  return -1;
}

static inline int cr_bpf_run_load_abs(struct cr_bpf_vm *vm, uint32_t k, uint32_t *dst) {
  if (k % 4 || k > sizeof *vm->data - 4) return -1; /* no k + 4: it wraps */
  if (k >= offsetof(struct seccomp_data, args))
    vm->args_read |= 1u << ((k - offsetof(struct seccomp_data, args)) / sizeof(uint64_t));
  else if (k >= offsetof(struct seccomp_data, instruction_pointer))
    vm->args_read |= CR_BPF_READ_IP;
  memcpy(dst, (const char *)vm->data + k, 4);
  return 0;
}

static inline const char *cr_bpf_run_alu(struct cr_bpf_vm *vm, const struct sock_filter *in) {
  uint32_t v = BPF_SRC(in->code) == BPF_X ? vm->x : in->k;
  switch (BPF_OP(in->code)) {
    case BPF_ADD: vm->a += v; return NULL;
    case BPF_SUB: vm->a -= v; return NULL;
    case BPF_MUL: vm->a *= v; return NULL;
    case BPF_OR: vm->a |= v; return NULL;
    case BPF_AND: vm->a &= v; return NULL;
    case BPF_XOR: vm->a ^= v; return NULL;
    case BPF_LSH:
    case BPF_RSH:
      /* the kernel refuses a constant shift of 32 or more, and masks X */
      if (BPF_SRC(in->code) == BPF_K && v >= 32) return "shift by 32 or more";
      vm->a = BPF_OP(in->code) == BPF_LSH ? vm->a << (v & 31) : vm->a >> (v & 31);
      return NULL;
    case BPF_NEG: vm->a = -vm->a; return NULL;
    case BPF_DIV:
      if (v == 0) return "division by zero";
      vm->a /= v;
      return NULL;
    default: return "ALU operation not allowed in seccomp"; /* MOD among them */
  }
}

/* The next pc after a jump at `pc`. */
static inline const char *cr_bpf_run_jump(const struct cr_bpf_vm *vm, const struct sock_filter *in, size_t pc,
                                          size_t *next) {
  uint32_t v = BPF_SRC(in->code) == BPF_X ? vm->x : in->k;
  bool taken;
  switch (BPF_OP(in->code)) {
    case BPF_JA: *next = pc + 1 + in->k; return NULL;
    case BPF_JEQ: taken = vm->a == v; break;
    case BPF_JGT: taken = vm->a > v; break;
    case BPF_JGE: taken = vm->a >= v; break;
    case BPF_JSET: taken = (vm->a & v) != 0; break;
    default: return "unknown jump";
  }
  *next = pc + 1 + (taken ? in->jt : in->jf);
  return NULL;
}

static inline const char *cr_bpf_run_load(struct cr_bpf_vm *vm, const struct sock_filter *in) {
  uint32_t *dst = BPF_CLASS(in->code) == BPF_LD ? &vm->a : &vm->x;
  if (BPF_SIZE(in->code) != BPF_W) return "only 32-bit loads are allowed";
  switch (BPF_MODE(in->code)) {
    case BPF_ABS:
      if (BPF_CLASS(in->code) != BPF_LD) return "LDX ABS";
      return cr_bpf_run_load_abs(vm, in->k, dst) < 0 ? "load outside struct seccomp_data" : NULL;
    case BPF_IMM: *dst = in->k; return NULL;
    case BPF_LEN: *dst = sizeof *vm->data; return NULL;
    case BPF_MEM:
      if (in->k >= BPF_MEMWORDS) return "scratch slot out of range";
      *dst = vm->mem[in->k];
      return NULL;
    default: return "load mode not allowed in seccomp";
  }
}

/* One instruction: NULL to go on, CR_BPF_RETURNED when it returned (*ret
 * set), else why it is refused. */
static const char CR_BPF_RETURNED[] = "returned";
static inline const char *cr_bpf_run_step(struct cr_bpf_vm *vm, const struct sock_filter *in, size_t *pc,
                                          uint32_t *ret) {
  size_t at = *pc;
  *pc = at + 1;
  switch (BPF_CLASS(in->code)) {
    case BPF_LD:
    case BPF_LDX: return cr_bpf_run_load(vm, in);
    case BPF_ST:
    case BPF_STX:
      if (in->k >= BPF_MEMWORDS) return "scratch slot out of range";
      vm->mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? vm->a : vm->x;
      return NULL;
    case BPF_ALU: return cr_bpf_run_alu(vm, in);
    case BPF_JMP: return cr_bpf_run_jump(vm, in, at, pc);
    case BPF_RET:
      if (BPF_RVAL(in->code) == BPF_K)
        *ret = in->k;
      else if (BPF_RVAL(in->code) == BPF_A)
        *ret = vm->a;
      else
        return "unknown return source";
      return CR_BPF_RETURNED;
    case BPF_MISC:
      if (BPF_MISCOP(in->code) == BPF_TAX)
        vm->x = vm->a;
      else if (BPF_MISCOP(in->code) == BPF_TXA)
        vm->a = vm->x;
      else
        return "unknown MISC operation";
      return NULL;
    default: return "unknown instruction class";
  }
}

/* Run the program on `data` as the kernel's seccomp would: 0 and
 * out->action, or -1 with out->bad_pc and out->bad. */
static inline int cr_bpf_run(const struct sock_filter *insns, size_t len, const struct seccomp_data *data,
                             struct cr_bpf_run *out) {
  struct cr_bpf_vm vm = {.data = data};
  size_t pc = 0;
  /* classic BPF jumps only forward: at most `len` steps */
  while (pc < len) {
    size_t at = pc;
    uint32_t ret = 0;
    const char *why = cr_bpf_run_step(&vm, &insns[pc], &pc, &ret);
    if (why == CR_BPF_RETURNED) {
      *out = (struct cr_bpf_run){.action = ret, .args_read = vm.args_read};
      return 0;
    }
    if (why) return cr_bpf_run_bad(out, at, why);
  }
  return cr_bpf_run_bad(out, len, "the program runs past its end");
}

#endif
