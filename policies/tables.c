/* SPDX-License-Identifier: MIT */
/* Name tables of the profile format and probes of what the running kernel
 * supports. A profile asking for something the kernel cannot do is an error,
 * never a silently weaker filter. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "internal.h"

static const struct {
  const char *name;
  enum cr_act_kind kind;
} actions[] = {
    {"SCMP_ACT_ALLOW", CR_ACT_ALLOW},
    {"SCMP_ACT_ERRNO", CR_ACT_ERRNO},
    {"SCMP_ACT_KILL", CR_ACT_KILL_THREAD}, /* libseccomp's KILL is the thread */
    {"SCMP_ACT_KILL_THREAD", CR_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", CR_ACT_KILL_PROCESS},
    {"SCMP_ACT_TRAP", CR_ACT_TRAP},
    {"SCMP_ACT_LOG", CR_ACT_LOG},
    {"SCMP_ACT_TRACE", CR_ACT_TRACE},
    {"SCMP_ACT_NOTIFY", CR_ACT_NOTIFY},
};

int cr_action_kind(const char *name, enum cr_act_kind *kind) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(actions); i++) {
    if (strcmp(actions[i].name, name) == 0) {
      *kind = actions[i].kind;
      return 0;
    }
  }
  return -1;
}

uint32_t cr_action_value(enum cr_act_kind kind, uint16_t data) {
  switch (kind) {
    case CR_ACT_ALLOW: return SCMP_ACT_ALLOW;
    case CR_ACT_ERRNO: return SCMP_ACT_ERRNO(data);
    case CR_ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
    case CR_ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
    case CR_ACT_TRAP: return SCMP_ACT_TRAP;
    case CR_ACT_LOG: return SCMP_ACT_LOG;
    case CR_ACT_TRACE: return SCMP_ACT_TRACE(data);
    case CR_ACT_NOTIFY: return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

/* The kernel release that brought an action or flag, for when the seccomp()
 * syscall cannot be asked (ENOSYS: a kernel before 3.17, or an emulator such
 * as valgrind passing on only the prctl interface). */
static bool kernel_at_least(unsigned major, unsigned minor) {
  struct utsname uts;
  unsigned kmajor, kminor;
  if (uname(&uts) < 0 || sscanf(uts.release, "%u.%u", &kmajor, &kminor) != 2) return false;
  return kmajor > major || (kmajor == major && kminor >= minor);
}

static bool action_by_version(uint32_t op) {
  switch (op) {
    case SECCOMP_RET_KILL_PROCESS: return kernel_at_least(4, 14);
    case SECCOMP_RET_LOG: return kernel_at_least(4, 14);
    case SECCOMP_RET_USER_NOTIF: return kernel_at_least(5, 0);
    default: return true; /* the filter mode itself (3.5) */
  }
}

bool cr_kernel_has_action(uint32_t action) {
  /* libseccomp's action values are the kernel's SECCOMP_RET_* values. */
  uint32_t op = action & SECCOMP_RET_ACTION_FULL;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &op) == 0) return true;
  return errno == ENOSYS && action_by_version(op);
}

static const struct {
  const char *name;
  enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

int cr_compare_op(const char *name, enum scmp_compare *op) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(ops); i++) {
    if (strcmp(ops[i].name, name) == 0) {
      *op = ops[i].op;
      return 0;
    }
  }
  return -1;
}

/* Every architecture of the OCI runtime-spec, whether or not this libseccomp
 * knows it: a profile naming a foreign one must still load. */
static const struct cr_arch_name arches[] = {
    {"SCMP_ARCH_X86", "x86", "386"},
    {"SCMP_ARCH_X86_64", "x86_64", "amd64"},
    {"SCMP_ARCH_X32", "x32", NULL},
    {"SCMP_ARCH_ARM", "arm", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64", "arm64"},
    {"SCMP_ARCH_MIPS", "mips", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32", NULL},
    {"SCMP_ARCH_MIPSEL", "mipsel", "mipsle"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64", "mips64le"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32", NULL},
    {"SCMP_ARCH_PPC", "ppc", NULL},
    {"SCMP_ARCH_PPC64", "ppc64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le", "ppc64le"},
    {"SCMP_ARCH_S390", "s390", NULL},
    {"SCMP_ARCH_S390X", "s390x", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc", NULL},
    {"SCMP_ARCH_PARISC64", "parisc64", NULL},
    {"SCMP_ARCH_RISCV64", "riscv64", "riscv64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64", "loong64"},
    {"SCMP_ARCH_M68K", "m68k", NULL},
    {"SCMP_ARCH_SH", "sh", NULL},
    {"SCMP_ARCH_SHEB", "sheb", NULL},
};

const struct cr_arch_name *cr_arch_by_oci(const char *name) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(arches); i++) {
    if (strcmp(arches[i].oci, name) == 0) return &arches[i];
  }
  return NULL;
}

const struct cr_arch_name *cr_arch_by_any(const char *name) {
  const struct cr_arch_name *arch = cr_arch_by_oci(name);
  for (size_t i = 0; !arch && i < CR_ARRAY_SIZE(arches); i++) {
    if (strcmp(arches[i].libseccomp, name) == 0 || (arches[i].go && strcmp(arches[i].go, name) == 0))
      arch = &arches[i];
  }
  return arch;
}

uint32_t cr_arch_token(const struct cr_arch_name *arch) {
  return seccomp_arch_resolve_name(arch->libseccomp);
}

const char *cr_arch_name_of_token(uint32_t token) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(arches); i++)
    if (cr_arch_token(&arches[i]) == token && token != 0) return arches[i].libseccomp;
  return NULL;
}

const struct cr_arch_name *cr_arch_native(void) {
  uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i < CR_ARRAY_SIZE(arches); i++) {
    if (cr_arch_token(&arches[i]) == native) return &arches[i];
  }
  return NULL;
}

static const struct {
  const char *name;
  unsigned int flag;
} filter_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

int cr_filter_flag(const char *name, unsigned int *flag) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(filter_flags); i++) {
    if (strcmp(filter_flags[i].name, name) == 0) {
      *flag = filter_flags[i].flag;
      return 0;
    }
  }
  return -1;
}

bool cr_kernel_has_filter_flag(unsigned int flag) {
  /* The kernel checks the flags before it reads the program: EFAULT for the
   * NULL program means the flag itself was accepted (libseccomp probes the
   * same way). WAIT_KILLABLE_RECV is only valid with a listener. */
  unsigned int probe = flag;
  if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL);
  if (rc < 0 && errno == EFAULT) return true;
  if (rc >= 0 || errno != ENOSYS) return false;
  switch (flag) {
    case SECCOMP_FILTER_FLAG_TSYNC: return kernel_at_least(3, 17);
    case SECCOMP_FILTER_FLAG_LOG: return kernel_at_least(4, 14);
    case SECCOMP_FILTER_FLAG_SPEC_ALLOW: return kernel_at_least(4, 17);
    case SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: return kernel_at_least(5, 19);
    default: return false;
  }
}
