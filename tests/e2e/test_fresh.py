# SPDX-License-Identifier: MIT
"""From scratch (issue 14, first part): a child started from a dirty parent
gets the process state a fresh login session has, not the parent's: soft
rlimits the config does not declare, transparent huge pages, the NUMA
memory policy. The hard limits carry over (a ceiling). Real sandboxes, as
root and as uid 65534."""

import ctypes
import json
import resource
import subprocess
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, RUN_TIMEOUT, SandboxTest

PR_SET_THP_DISABLE = 41
MPOL_PREFERRED = 1

REPORT = r"""
import ctypes, json, resource
libc = ctypes.CDLL(None, use_errno=True)
mode = ctypes.c_int(-1)
r = libc.syscall(239, ctypes.byref(mode), None, ctypes.c_ulong(0), None, ctypes.c_ulong(0))  # get_mempolicy
thp = [l.split()[1] for l in open("/proc/self/status") if l.startswith("THP_enabled")]
names = ("NOFILE", "FSIZE", "STACK", "MSGQUEUE", "CORE", "MEMLOCK", "AS")
print(json.dumps({"rlimits": {n: resource.getrlimit(getattr(resource, "RLIMIT_" + n)) for n in names},
                  "thp": thp[0] if thp else None, "mempolicy": mode.value if r == 0 else "error"}))
"""


def dirty_parent():
    """What a host might have done to itself before it starts a plugin."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)
    nodemask = ctypes.c_ulong(1)
    libc.syscall(238, MPOL_PREFERRED, ctypes.byref(nodemask), ctypes.c_ulong(64))  # set_mempolicy
    for name, soft in (("NOFILE", 100), ("FSIZE", 1 << 20), ("STACK", 1 << 20), ("MSGQUEUE", 1000),
                       ("MEMLOCK", 1 << 16)):
        r = getattr(resource, "RLIMIT_" + name)
        resource.setrlimit(r, (soft, resource.getrlimit(r)[1]))


def soft_of(name, fresh):
    """The soft limit a fresh process gets: `fresh`, never above the hard
    limit (None: the hard limit itself)."""
    hard = resource.getrlimit(getattr(resource, "RLIMIT_" + name))[1]
    return hard if fresh is None or (hard != resource.RLIM_INFINITY and fresh > hard) else fresh


class FreshState(SandboxTest):

    def child_sees(self, *flags):
        cmd = [CLEANROOM, "run"] + list(flags) + ["--", "/usr/bin/python3", "-c", REPORT]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=self.tmp,
                           env=dict(LAUNCHER_ENV), preexec_fn=dirty_parent, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout.strip().splitlines()[-1])

    def parent_sees(self):
        p = subprocess.run(["/usr/bin/python3", "-c", REPORT], capture_output=True, text=True, timeout=RUN_TIMEOUT,
                           preexec_fn=dirty_parent)
        return json.loads(p.stdout)

    def test_the_parent_is_dirty(self):
        """The control: without cleanroom the same child inherits it all."""
        got = self.parent_sees()
        self.assertEqual(got["rlimits"]["NOFILE"][0], 100)
        self.assertEqual(got["rlimits"]["FSIZE"][0], 1 << 20)
        self.assertEqual(got["thp"], "0")
        self.assertEqual(got["mempolicy"], MPOL_PREFERRED)

    def test_a_child_gets_fresh_state(self):
        # seccomp "none" only so that the child may ask get_mempolicy, which
        # the default profile refuses; the reset is the same under any
        got = self.child_sees("--seccomp", "none")
        limits = {name: tuple(v) for name, v in got["rlimits"].items()}

        self.assertEqual(limits["NOFILE"][0], soft_of("NOFILE", 1024))
        self.assertEqual(limits["FSIZE"][0], soft_of("FSIZE", None))
        self.assertEqual(limits["STACK"][0], soft_of("STACK", 8 << 20))
        self.assertEqual(limits["MSGQUEUE"][0], soft_of("MSGQUEUE", 819200))
        self.assertEqual(limits["MEMLOCK"][0], soft_of("MEMLOCK", 8 << 20))
        self.assertEqual(limits["CORE"][0], 0)  # the default config declares it
        # hard limits carry over: a ceiling, not state
        for name in ("NOFILE", "FSIZE", "STACK"):
            self.assertEqual(limits[name][1], resource.getrlimit(getattr(resource, "RLIMIT_" + name))[1])
        self.assertEqual(got["thp"], "1", "PR_SET_THP_DISABLE came through")
        self.assertEqual(got["mempolicy"], 0, "the parent's memory policy came through (0 = MPOL_DEFAULT)")

    def test_a_declared_limit_wins(self):
        cfg = self.path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"process": {"args": ["/usr/bin/python3", "-c", REPORT], "env": {"PATH": "/usr/bin:/bin"}},
                       "limits": {"rlimits": {"NOFILE": 256, "FSIZE": {"soft": 4096, "hard": "unlimited"}}}}, f)
        p = subprocess.run([CLEANROOM, "run", cfg], capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=self.tmp,
                           env=dict(LAUNCHER_ENV), stdin=subprocess.DEVNULL)
        if p.returncode != 0 and "FSIZE" in p.stderr:
            self.skipTest("an ordinary user cannot raise FSIZE's hard limit: %s" % p.stderr.strip())
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(got["rlimits"]["NOFILE"], [256, 256])
        self.assertEqual(got["rlimits"]["FSIZE"][0], 4096)
        self.assertEqual(got["rlimits"]["STACK"][0], soft_of("STACK", 8 << 20))


if __name__ == "__main__":
    unittest.main()
