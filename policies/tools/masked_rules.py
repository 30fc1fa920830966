#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the argument-filtered refusals of the built-in profiles: the ioctl
requests of default.json and strict.json, and the socket families of
default.json.

libseccomp drops the conditional rules of a syscall that also has an
unconditional one, so "allow every ioctl except these requests" cannot be
written as one ALLOW plus a few ERRNO rules. Instead the allowed values are
spelt as a union of MASKED_EQ conditions that covers every 32-bit value but
the refused ones (the kernel compares only the low 32 bits of an ioctl
request or a socket family, an int, so the masks ignore the high ones). This
script builds that union from a binary trie of the refused values, checks it,
and replaces the block of rules of that syscall in each profile in place.
Refusals answer EPERM.

    python3 policies/tools/masked_rules.py       (from the top of the repository)
"""
import json
import os
import random
import re
import sys

MASK32 = 0xFFFFFFFF

# (value, mask, name, why): a refused value, or a block of them (the bits
# outside the mask free).
IOCTL_REFUSED = [
    (0x5412, MASK32, "TIOCSTI", "pushes input into the terminal"),
    (0x541C, MASK32, "TIOCLINUX", "pushes input into / controls a virtual console"),
    # A virtual console the payload holds and makes its controlling tty
    # would grant these: the keymap and function-key strings are global
    # (input on other consoles), VT_ACTIVATE switches the screen.
    (0x4B00, 0xFFFFFF00, "KD* (0x4b00-0x4bff)", "changes a virtual console's keyboard, keymap and mode"),
    (0x5600, 0xFFFFFF00, "VT_* (0x5600-0x56ff)", "switches and controls virtual consoles"),
]
# default.json allows TIOCSCTTY: forkpty (pty.fork, pexpect, tmux, script)
# makes the new pty its controlling terminal. A terminal that is another
# session's cannot be taken without CAP_SYS_ADMIN, and input cannot be
# pushed into one (TIOCSTI above). strict.json, for code that has no
# business with terminals, still refuses it.
IOCTL_REFUSED_STRICT = IOCTL_REFUSED + [
    (0x540E, MASK32, "TIOCSCTTY", "makes a terminal passed in the payload's controlling one"),
]
SOCKET_REFUSED = [
    (40, MASK32, "AF_VSOCK", "reaches the hypervisor and other virtual machines, which a network namespace "
                     "does not confine on every kernel"),
]
# (syscall, argument index, what the argument is, refused values, bits of
# the values to allow, profiles). Socket families are below 64 (AF_MAX is
# 46): only those are allowed, so the cover is 6 rules rather than 32 and
# the filter stays short; a family of 64 or more does not exist, and gets
# EPERM as every listed call refused by its arguments does (the compiler
# makes that the fall-through of an ENOSYS default).
TABLES = [
    ("ioctl", 1, "request", IOCTL_REFUSED, 32, ("default.json",)),
    ("ioctl", 1, "request", IOCTL_REFUSED_STRICT, 32, ("strict.json",)),
    ("socket", 0, "family", SOCKET_REFUSED, 6, ("default.json",)),
]


def allow_cover(refused, bits=32):
    """(mask, value) pairs whose union is every value below 2**bits (in the
    low 32 bits) not in `refused`."""
    rules = []

    def walk(mask, value, below, bit):
        if bit < 0:
            return  # exactly one refused value: nothing to allow here
        b = 1 << bit
        for branch in (0, b):
            sub = [v for v in below if (v & b) == branch]
            if sub:
                walk(mask | b, value | branch, sub, bit - 1)
            else:
                rules.append((mask | b, value | branch))

    high = MASK32 & ~((1 << bits) - 1)  # bits above the universe must be 0
    walk(high, 0, sorted(set(refused)), bits - 1)
    return rules


def check(rules, refused, bits):
    allowed = lambda x: any((x & m) == v for m, v in rules)
    samples = [random.getrandbits(32) for _ in range(200000)] + list(range(256))
    for r in refused:
        samples += [r ^ (1 << i) for i in range(32)] + [r]
    for x in samples:
        if allowed(x) != (x < (1 << bits) and x not in refused):
            sys.exit("masked_rules: wrong cover at 0x%x" % x)


def rule_text(syscall, index, action, mask, value, comment=None, errno=None):
    lines = ['    {', '      "names": ["%s"],' % syscall, '      "action": "%s",' % action]
    if errno is not None:
        lines.append('      "errnoRet": %d,' % errno)
    args = ('      "args": [{"index": %d, "value": %d, "valueTwo": %d, "op": "SCMP_CMP_MASKED_EQ"}]'
            % (index, mask, value))
    lines.append(args + ("," if comment else ""))
    if comment:
        lines.append('      "comment": %s' % json.dumps(comment))
    lines.append('    }')
    return "\n".join(lines)


def expand(value, mask):
    """Every 32-bit value (value & mask) == value covers."""
    free = [b for b in range(32) if not (mask >> b) & 1]
    out = []
    for n in range(1 << len(free)):
        v = value
        for i, b in enumerate(free):
            if (n >> i) & 1:
                v |= 1 << b
        out.append(v)
    return out


def block(syscall, index, what, refused, bits):
    values = [x for v, m, _, _ in refused for x in expand(v, m)]
    rules = allow_cover(values, bits)
    check(rules, set(values), bits)
    out = [rule_text(syscall, index, "SCMP_ACT_ERRNO", m, v,
                     "%s %s %s %s. The kernel compares only the low 32 bits of the %s, so "
                     "the mask ignores the high ones." % (syscall, what, name if m != MASK32 else
                                                           "%s (0x%x)" % (name, v), why, what), errno=1)
           for v, m, name, why in refused]
    names = ", ".join(name for _, _, name, _ in refused)
    for i, (m, v) in enumerate(rules):
        out.append(rule_text(syscall, index, "SCMP_ACT_ALLOW", m, v, None if i else
                             "Every other %s%s is allowed, spelt as a union of masked comparisons "
                             "that covers every one but %s (libseccomp cannot combine an "
                             "unconditional ALLOW with the refusals above). Written by "
                             "policies/tools/masked_rules.py."
                             % (what, " below %d" % (1 << bits) if bits < 32 else "", names)))
    return ",\n".join(out)


def rewrite(path, syscall, index, what, refused, bits):
    text = open(path).read()
    # The rules of the syscall are one contiguous run of objects in syscalls[].
    one = r'    \{\n      "names": \["%s"\],.*?\n    \}' % syscall
    pattern = re.compile(one + r'(?:,\n' + one + r')*', re.S)
    new, n = pattern.subn(lambda _: block(syscall, index, what, refused, bits), text, count=1)
    if n != 1:
        sys.exit("masked_rules: no block of %s rules in %s" % (syscall, path))
    json.loads(new)  # still valid JSON
    open(path, "w").write(new)
    print("%s: %d %s rules" % (path, new.count('"names": ["%s"]' % syscall), syscall))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for syscall, index, what, refused, bits, profiles in TABLES:
        for name in profiles:
            rewrite(os.path.join(here, "..", name), syscall, index, what, refused, bits)
