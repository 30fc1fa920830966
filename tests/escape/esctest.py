# SPDX-License-Identifier: MIT
"""Helpers for the escape tests, on top of tests/e2e/crtest.py.

CR_ESC_ATTACK is cr-attack (tests/escape/cr-attack.c); run_e2e.py --attack puts it
next to cr-probe, so sandboxes made from crtest.base_config() see it at
/probe/cr-attack.
"""

import json
import os
import subprocess
import time
import uuid

from crtest import (CLEANROOM, LAUNCHER_ENV, RUN_TIMEOUT, SANDBOX_PROBE_DIR, SandboxTest, base_config,
                    kill_pids, live_processes, wait_gone)

ATTACK = os.environ.get("CR_ESC_ATTACK", "")
SANDBOX_ATTACK = SANDBOX_PROBE_DIR + "/cr-attack"


def attack_config(*args, **sections):
    cfg = base_config(args=[SANDBOX_ATTACK] + [str(a) for a in args], **sections)
    cfg["process"]["path"] = SANDBOX_ATTACK
    return cfg


def new_marker():
    return "cr-esc-" + uuid.uuid4().hex


def last_json(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


class EscapeTest(SandboxTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not ATTACK or not os.access(ATTACK, os.X_OK):
            import unittest
            raise unittest.SkipTest("CR_ESC_ATTACK is not an executable (run through tests/e2e/run_e2e.py --attack)")

    def attack(self, cfg, rc=0, **kw):
        """Run cr-attack in the sandbox `cfg`; expect exit `rc` (None: any);
        return (its JSON report, Result)."""
        res = self.run_cr(cfg, **kw)
        if rc is not None:
            self.assertEqual(res.rc, rc, "the sandboxed attacker did not exit %s" % rc + res.describe())
        out = last_json(res.out)
        if rc == 0:
            self.assertIsNotNone(out, "the attacker's output is not JSON" + res.describe())
        return out, res

    def host_attack(self, *args, stdin=subprocess.DEVNULL, prefix=(), pass_fds=()):
        """The attacker on the host: the control showing an attack is detected."""
        p = subprocess.run(list(prefix) + [ATTACK] + [str(a) for a in args], stdin=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV),
                           pass_fds=pass_fds, timeout=RUN_TIMEOUT)
        self.assertEqual(p.returncode, 0, "host attacker failed: %s" % p.stderr.decode())
        return last_json(p.stdout.decode())

    def assert_no_wins(self, out, res=None, allowed=()):
        wins = [w for w in out.get("wins", []) if w not in allowed]
        self.assertEqual(wins, [], "ATTACK WORKED: %s\nall attempts: %s%s"
                         % (wins, json.dumps(out.get("attempts"), indent=0)[:6000],
                            res.describe() if res else ""))

    def assert_nothing_left(self, marker, timeout=5.0):
        left = wait_gone(marker, None, timeout)
        kill_pids(left, marker)
        self.assertEqual(left, [], "processes carrying %s outlived the run" % marker)

    def version_latency(self):
        """Seconds `cleanroom --version` takes (the launcher stays responsive)."""
        t0 = time.monotonic()
        p = subprocess.run([CLEANROOM, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return time.monotonic() - t0

    def live(self, marker):
        return live_processes(marker)
