#!/usr/bin/env python3
"""Write the ioctl rules of the built-in profiles (default.json, strict.json).

libseccomp drops the conditional rules of a syscall that also has an
unconditional one, so "allow every ioctl except these requests" cannot be
written as one ALLOW plus a few ERRNO rules. Instead the allowed requests are
spelt as a union of MASKED_EQ conditions that covers every 32-bit request but
the refused ones (the kernel compares only the low 32 bits of the request, so
the masks ignore the high ones). This script builds that union from a binary
trie of the refused values, checks it, and replaces the block of "ioctl"
rules in each profile in place.

    python3 policies/tools/ioctl_rules.py       (from the top of the repository)
"""
import json
import os
import random
import re
import sys

REFUSED = [
    (0x5412, "TIOCSTI", "pushes input into the terminal"),
    (0x541C, "TIOCLINUX", "pushes input into / controls a virtual console"),
    (0x540E, "TIOCSCTTY", "makes a terminal passed in the payload's controlling one, after which "
                          "TIOCSTI would work on it"),
]
MASK32 = 0xFFFFFFFF


def allow_cover(refused):
    """(mask, value) pairs whose union is every 32-bit value not in `refused`."""
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

    walk(0, 0, sorted(set(refused)), 31)
    return rules


def check(rules, refused):
    allowed = lambda x: any((x & m) == v for m, v in rules)
    samples = [random.getrandbits(32) for _ in range(200000)]
    for r in refused:
        samples += [r ^ (1 << i) for i in range(32)] + [r]
    for x in samples:
        if allowed(x) == (x in refused):
            sys.exit("ioctl_rules: wrong cover at 0x%x" % x)


def rule_text(action, mask, value, comment=None, errno=None):
    lines = ['    {', '      "names": ["ioctl"],', '      "action": "%s",' % action]
    if errno is not None:
        lines.append('      "errnoRet": %d,' % errno)
    args = ('      "args": [{"index": 1, "value": %d, "valueTwo": %d, "op": "SCMP_CMP_MASKED_EQ"}]'
            % (mask, value))
    lines.append(args + ("," if comment else ""))
    if comment:
        lines.append('      "comment": %s' % json.dumps(comment))
    lines.append('    }')
    return "\n".join(lines)


def block():
    values = [v for v, _, _ in REFUSED]
    rules = allow_cover(values)
    check(rules, set(values))
    out = [rule_text("SCMP_ACT_ERRNO", MASK32, v,
                     "ioctl %s (0x%x) %s. The kernel compares only the low 32 bits of the "
                     "request, so the mask ignores the high ones." % (name, v, why), errno=1)
           for v, name, why in REFUSED]
    names = ", ".join(name for _, name, _ in REFUSED)
    for i, (m, v) in enumerate(rules):
        out.append(rule_text("SCMP_ACT_ALLOW", m, v, None if i else
                             "Every other ioctl is allowed, spelt as a union of masked comparisons "
                             "that covers every request but %s (libseccomp cannot combine an "
                             "unconditional ALLOW with the refusals above). Written by "
                             "policies/tools/ioctl_rules.py." % names))
    return ",\n".join(out)


def rewrite(path):
    text = open(path).read()
    # The ioctl rules are one contiguous run of objects in syscalls[].
    pattern = re.compile(r'    \{\n      "names": \["ioctl"\],.*?\n    \}(?:,\n    \{\n      "names": \["ioctl"\],.*?\n    \})*', re.S)
    new, n = pattern.subn(lambda _: block(), text, count=1)
    if n != 1:
        sys.exit("ioctl_rules: no block of ioctl rules in %s" % path)
    json.loads(new)  # still valid JSON
    open(path, "w").write(new)
    print("%s: %d ioctl rules" % (path, new.count('"names": ["ioctl"]')))


if __name__ == "__main__":
    for name in ("default.json", "strict.json"):
        rewrite(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", name))
