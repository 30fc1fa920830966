/* SPDX-License-Identifier: MIT */
/* A classic BPF interpreter for seccomp programs, in user space: what a
 * compiled filter answers for one struct seccomp_data, without installing
 * it (for `cleanroom check --explain`). It follows the kernel's seccomp
 * subset of classic BPF (net/core/filter.c, seccomp_check_filter); an
 * instruction outside it is an error, never a guess. tests/policies/
 * test_eval.c holds it against the kernel's own answers. */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "cr/policy.h"

struct vm {
  const struct seccomp_data *data;
  uint32_t a, x, mem[BPF_MEMWORDS];
  bool read_args;
};

static int bad(cr_error **err, size_t pc, const char *why) {
  return cr_fail(err, EINVAL, "seccomp evaluator", "instruction %zu: %s", pc, why);
}

static int load_abs(struct vm *vm, uint32_t k, size_t pc, uint32_t *out, cr_error **err) {
  if (k % 4 || k + 4 > sizeof *vm->data) return bad(err, pc, "load outside struct seccomp_data");
  if (k >= offsetof(struct seccomp_data, instruction_pointer)) vm->read_args = true;
  memcpy(out, (const char *)vm->data + k, 4);
  return 0;
}

static int alu(struct vm *vm, const struct sock_filter *in, size_t pc, cr_error **err) {
  uint32_t v = BPF_SRC(in->code) == BPF_X ? vm->x : in->k;
  switch (BPF_OP(in->code)) {
    case BPF_ADD: vm->a += v; return 0;
    case BPF_SUB: vm->a -= v; return 0;
    case BPF_MUL: vm->a *= v; return 0;
    case BPF_OR: vm->a |= v; return 0;
    case BPF_AND: vm->a &= v; return 0;
    case BPF_XOR: vm->a ^= v; return 0;
    case BPF_LSH: vm->a = v < 32 ? vm->a << v : 0; return 0;
    case BPF_RSH: vm->a = v < 32 ? vm->a >> v : 0; return 0;
    case BPF_NEG: vm->a = -vm->a; return 0;
    case BPF_DIV:
    case BPF_MOD:
      if (v == 0) return bad(err, pc, "division by zero");
      vm->a = BPF_OP(in->code) == BPF_DIV ? vm->a / v : vm->a % v;
      return 0;
    default: return bad(err, pc, "unknown ALU operation");
  }
}

/* The next pc after a jump at `pc`. */
static int jump(const struct vm *vm, const struct sock_filter *in, size_t pc, size_t *next, cr_error **err) {
  uint32_t v = BPF_SRC(in->code) == BPF_X ? vm->x : in->k;
  bool taken;
  switch (BPF_OP(in->code)) {
    case BPF_JA: *next = pc + 1 + in->k; return 0;
    case BPF_JEQ: taken = vm->a == v; break;
    case BPF_JGT: taken = vm->a > v; break;
    case BPF_JGE: taken = vm->a >= v; break;
    case BPF_JSET: taken = (vm->a & v) != 0; break;
    default: return bad(err, pc, "unknown jump");
  }
  *next = pc + 1 + (taken ? in->jt : in->jf);
  return 0;
}

static int load(struct vm *vm, const struct sock_filter *in, size_t pc, cr_error **err) {
  uint32_t *dst = BPF_CLASS(in->code) == BPF_LD ? &vm->a : &vm->x;
  if (BPF_SIZE(in->code) != BPF_W) return bad(err, pc, "only 32-bit loads are allowed");
  switch (BPF_MODE(in->code)) {
    case BPF_ABS:
      if (BPF_CLASS(in->code) != BPF_LD) return bad(err, pc, "LDX ABS");
      return load_abs(vm, in->k, pc, dst, err);
    case BPF_IMM: *dst = in->k; return 0;
    case BPF_LEN: *dst = sizeof *vm->data; return 0;
    case BPF_MEM:
      if (in->k >= BPF_MEMWORDS) return bad(err, pc, "scratch slot out of range");
      *dst = vm->mem[in->k];
      return 0;
    default: return bad(err, pc, "load mode not allowed in seccomp");
  }
}

/* One instruction; 1 when it returned (*ret set). */
static int step(struct vm *vm, const struct sock_filter *in, size_t *pc, uint32_t *ret, cr_error **err) {
  size_t at = *pc;
  *pc = at + 1;
  switch (BPF_CLASS(in->code)) {
    case BPF_LD:
    case BPF_LDX: return load(vm, in, at, err);
    case BPF_ST:
    case BPF_STX:
      if (in->k >= BPF_MEMWORDS) return bad(err, at, "scratch slot out of range");
      vm->mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? vm->a : vm->x;
      return 0;
    case BPF_ALU: return alu(vm, in, at, err);
    case BPF_JMP: return jump(vm, in, at, pc, err);
    case BPF_RET:
      if (BPF_RVAL(in->code) == BPF_K)
        *ret = in->k;
      else if (BPF_RVAL(in->code) == BPF_A)
        *ret = vm->a;
      else
        return bad(err, at, "unknown return source");
      return 1;
    case BPF_MISC:
      if (BPF_MISCOP(in->code) == BPF_TAX)
        vm->x = vm->a;
      else if (BPF_MISCOP(in->code) == BPF_TXA)
        vm->a = vm->x;
      else
        return bad(err, at, "unknown MISC operation");
      return 0;
    default: return bad(err, at, "unknown instruction class");
  }
}

int cr_bpf_eval(const struct sock_filter *insns, size_t len, const struct seccomp_data *data,
                struct cr_bpf_outcome *out, cr_error **err) {
  struct vm vm = {.data = data};
  size_t pc = 0;
  /* classic BPF jumps only forward: at most `len` steps */
  while (pc < len) {
    uint32_t ret = 0;
    int rc = step(&vm, &insns[pc], &pc, &ret, err);
    if (rc < 0) return -1;
    if (rc == 1) {
      *out = (struct cr_bpf_outcome){.action = ret, .read_args = vm.read_args};
      return 0;
    }
  }
  return cr_fail(err, EINVAL, "seccomp evaluator", "the program runs past its end");
}

int cr_syscall_number(const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  return nr < 0 ? -1 : nr; /* libseccomp's negative pseudo numbers: not on this architecture */
}

uint32_t cr_seccomp_arch_native(void) { return seccomp_arch_native(); }
