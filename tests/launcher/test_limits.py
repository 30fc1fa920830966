#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of limits.memory / pids / cpu / time_ms and of the cgroup lifecycle.

They start real sandboxes with the `cleanroom` CLI (path in the environment
variable CLEANROOM or --cleanroom), each with a config JSON written to a temp
folder, and read the --report JSON. Python 3 standard library only.

    python3 tests/launcher/test_limits.py --cleanroom BUILD/cli/cleanroom [Test.test_x ...]

Every test also checks that no cleanroom-* cgroup is left below the parent
cgroups the launcher uses (found the way the launcher finds them: from
/proc/self/cgroup and /proc/self/mountinfo, or CLEANROOM_CGROUP_PARENT).
The test process makes itself a child subreaper so that whatever the
launcher leaves behind when it is killed is reparented to it and can be
counted (and reaped).
"""

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

CLEANROOM = os.environ.get("CLEANROOM", "")
NOBODY = 65534
PR_SET_CHILD_SUBREAPER = 36
CONTROLLERS = ("memory", "pids", "cpu")
PYTHON = "/usr/bin/python3"  # the default sandbox binds the host's /usr

# Every process forks for ever; a failed fork is retried, so the bomb keeps
# pressing on the limit until the run is ended.
FORK_BOMB = (PYTHON + " -c 'import os, time\n"
             "print(\"ready\", flush=True)\n"
             "while True:\n"
             "    try:\n"
             "        os.fork()\n"
             "    except OSError:\n"
             "        time.sleep(0.02)\n'")


# ---- the host's cgroups, as the launcher sees them --------------------------

def _unescape(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def _mounts():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            out.append({"root": _unescape(fields[3]), "mnt": _unescape(fields[4]),
                        "type": fields[dash + 1], "super": fields[dash + 3].split(",")})
    return out


def _dir_of(mounts, fstype, controller, path):
    for m in mounts:
        if m["type"] != fstype or (controller and controller not in m["super"]):
            continue
        rel = path
        if m["root"] != "/":
            if not (path == m["root"] or path.startswith(m["root"] + "/")):
                continue
            rel = path[len(m["root"]):]
        return m["mnt"] + ("" if rel == "/" else rel)
    return None


def cgroup_parents():
    """{'v2': dir or None, 'memory': v1 dir or None, ...}: where the launcher
    makes its cgroups."""
    override = os.environ.get("CLEANROOM_CGROUP_PARENT") or None
    mounts = _mounts()
    parents = {"v2": None}
    with open("/proc/self/cgroup") as f:
        for line in f:
            hid, ctrls, path = line.rstrip("\n").split(":", 2)
            path = override or path
            if hid == "0" and not ctrls:
                parents["v2"] = _dir_of(mounts, "cgroup2", None, path)
                continue
            for c in CONTROLLERS:
                if c in ctrls.split(",") and c not in parents:
                    parents[c] = _dir_of(mounts, "cgroup", c, path)
    return parents


def v2_offers(controller):
    parent = cgroup_parents()["v2"]
    try:
        with open(os.path.join(parent, "cgroup.controllers")) as f:
            return controller in f.read().split()
    except (OSError, TypeError):
        return False


def leftover_cgroups(launcher_pid=None):
    """cleanroom-* directories below the parent cgroups (of one launcher)."""
    prefix = "cleanroom-" if launcher_pid is None else "cleanroom-%d-" % launcher_pid
    found = []
    for d in set(p for p in cgroup_parents().values() if p):
        try:
            found += [os.path.join(d, n) for n in os.listdir(d) if n.startswith(prefix)]
        except OSError:
            pass
    return sorted(found)


def cgroup_procs(d):
    try:
        with open(os.path.join(d, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


# ---- processes --------------------------------------------------------------

def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_CHILD_SUBREAPER")


def reap_orphans():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def proc_state(pid):
    """The state letter of a process, None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def children_of(pid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(name))
    return kids


def alive(pids):
    """Of `pids`, those still running (zombies are reaped first: we are the
    subreaper, so a zombie left here is ours to reap)."""
    reap_orphans()
    return [p for p in pids if proc_state(p) not in (None, "Z")]


def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# ---- running the launcher ---------------------------------------------------

class LimitsTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not CLEANROOM or not os.access(CLEANROOM, os.X_OK):
            raise unittest.SkipTest("no cleanroom binary (set CLEANROOM or --cleanroom)")
        become_subreaper()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cr-limits-")
        os.chmod(self.tmp, 0o755)
        self.before = leftover_cgroups()

    def tearDown(self):
        self.doCleanups()  # kill a launcher a failed test left running
        reap_orphans()
        shutil.rmtree(self.tmp, ignore_errors=True)
        new = lambda: [d for d in leftover_cgroups() if d not in self.before]
        wait_until(lambda: not new(), 10)
        self.assertEqual(new(), [], "cgroups left behind")

    def config(self, script, limits, name="run.json", **extra):
        cfg = {"process": {"args": ["/bin/sh", "-c", script]}, "limits": limits}
        cfg.update(extra)
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(cfg, f)
        os.chmod(path, 0o644)
        return path

    def run_cfg(self, cfg, timeout=60, prefix=(), report_dir=None):
        report = os.path.join(report_dir or self.tmp, "report.json")
        if os.path.exists(report):
            os.unlink(report)
        started = time.monotonic()
        p = subprocess.run(list(prefix) + [CLEANROOM, "run", cfg, "--report", report],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, universal_newlines=True)
        elapsed = time.monotonic() - started
        rep = None
        if os.path.exists(report):
            with open(report) as f:
                rep = json.load(f)
        return p, rep, elapsed

    def start(self, cfg):
        """Start the launcher in the background; returns (Popen, report path)
        once the payload printed 'ready'."""
        report = os.path.join(self.tmp, "report.json")
        p = subprocess.Popen([CLEANROOM, "run", cfg, "--report", report], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        line = p.stdout.readline()
        self.assertEqual(line.strip(), "ready", "payload did not start: " + p.stderr.read()
                         if not line else line)
        return p, report

    def assert_ran(self, p, rep):
        self.assertIsNotNone(rep, "no report; stderr: " + p.stderr)
        self.assertFalse(rep["setup_failed"], rep)
        self.assertIsNone(rep["error"], rep)

    def assert_cgroup(self, rep, **expected):
        """rep["cgroup"] names a cgroup version for each controller given."""
        cg = rep["cgroup"]
        self.assertIsInstance(cg, dict, rep)
        for controller, versions in expected.items():
            self.assertIn(cg.get(controller), versions, rep)
        self.assertIn(cg["version"], ("v1", "v2", "hybrid"), rep)


class Memory(LimitsTest):
    def test_memory_hog_is_oom_killed(self):
        cfg = self.config("a=x; while :; do a=$a$a; done", {"memory": "32M", "time_ms": 20000})
        p, rep, elapsed = self.run_cfg(cfg)
        self.assert_ran(p, rep)
        self.assertEqual(rep["exit_code"], 128 + signal.SIGKILL, rep)
        self.assertEqual(rep["signal"], signal.SIGKILL, rep)
        self.assertTrue(rep["oom_killed"], rep)
        self.assertFalse(rep["time_limit_hit"], rep)
        self.assert_cgroup(rep, memory=("v1", "v2"))
        expected = "v2" if v2_offers("memory") else "v1"
        self.assertEqual(rep["cgroup"]["memory"], expected, rep)
        self.assertGreater(rep["peak_memory_kb"], 16 * 1024, rep)
        self.assertLessEqual(rep["peak_memory_kb"], 32 * 1024, rep)

    def test_within_memory_limit_runs_normally(self):
        cfg = self.config("a=x; for i in $(seq 22); do a=$a$a; done; echo ${#a}", {"memory": "64M"})
        p, rep, _ = self.run_cfg(cfg)
        self.assert_ran(p, rep)
        self.assertEqual(rep["exit_code"], 0, p.stderr)
        self.assertEqual(p.stdout.strip(), str(1 << 22))
        self.assertFalse(rep["oom_killed"], rep)
        self.assertGreater(rep["peak_memory_kb"], 0, rep)


class Pids(LimitsTest):
    def test_fork_bomb_stays_within(self):
        # Each shell forks two more until the pids limit stops it; the time
        # limit ends the survivors. Meanwhile the cgroup never holds more
        # than 16 processes, and the host can still fork.
        if not os.access(PYTHON, os.X_OK):
            self.skipTest(PYTHON + " is needed for the fork bomb")
        cfg = self.config(FORK_BOMB, {"pids": 16, "time_ms": 1500})
        p, report = self.start(cfg)
        peak = 0
        dirs = []
        while p.poll() is None:
            dirs = dirs or leftover_cgroups(p.pid)
            for d in dirs:
                peak = max(peak, len(cgroup_procs(d)))
            subprocess.run(["/bin/true"], check=True)  # the host still forks
            time.sleep(0.02)
        p.wait(timeout=30)
        with open(report) as f:
            rep = json.load(f)
        self.assertTrue(dirs, "no cgroup was seen during the run")
        self.assertLessEqual(peak, 16)
        self.assertGreater(peak, 8, "the bomb did not fork")
        self.assertTrue(rep["pids_limit_hit"], rep)
        self.assertTrue(rep["time_limit_hit"], rep)
        self.assert_cgroup(rep, pids=("v1", "v2"))

    def test_no_hit_below_the_limit(self):
        cfg = self.config("sleep 0.1 & sleep 0.1 & wait; echo ok", {"pids": 16})
        p, rep, _ = self.run_cfg(cfg)
        self.assert_ran(p, rep)
        self.assertEqual((rep["exit_code"], p.stdout.strip()), (0, "ok"), p.stderr)
        self.assertFalse(rep["pids_limit_hit"], rep)


class Cpu(LimitsTest):
    SPIN = "/usr/bin/timeout 2 /bin/sh -c 'while :; do :; done'; exit 0"

    def test_spinner_uses_a_quarter_core(self):
        cfg = self.config(self.SPIN, {"cpu": 0.25, "time_ms": 20000})
        p, rep, _ = self.run_cfg(cfg)
        self.assert_ran(p, rep)
        self.assertEqual(rep["exit_code"], 0, p.stderr)
        share = (rep["user_ms"] + rep["sys_ms"]) / rep["wall_ms"]
        self.assertLess(share, 0.45, rep)
        self.assertGreater(share, 0.10, rep)
        self.assert_cgroup(rep, cpu=("v1", "v2"))

    def test_without_limit_the_spinner_takes_a_core(self):
        # The same measure without the limit: shows the bound above is the
        # limit's doing (skipped on a machine too busy to give a full core).
        cfg = self.config(self.SPIN, {"time_ms": 20000})
        p, rep, _ = self.run_cfg(cfg)
        self.assert_ran(p, rep)
        share = (rep["user_ms"] + rep["sys_ms"]) / rep["wall_ms"]
        if share < 0.6:
            self.skipTest("the machine is too busy: an unlimited spinner got %.2f core" % share)
        self.assertIsNone(rep["cgroup"], rep)


class CgroupParent(LimitsTest):
    """limits.cgroup_parent: the run's cgroups are made under that cgroup."""

    def test_cgroups_go_under_the_configured_parent(self):
        name = "cr-test-parent-%d" % os.getpid()
        if os.geteuid() != 0:
            self.skipTest("making cgroups at the hierarchy's top needs root")
        mounts = _mounts()
        made = []
        for c in ("memory", "pids"):
            parent = _dir_of(mounts, "cgroup2", None, "/" + name) if v2_offers(c) else \
                _dir_of(mounts, "cgroup", c, "/" + name)
            if not parent:
                self.skipTest("no cgroup hierarchy for %s" % c)
            if parent not in made:
                os.mkdir(parent)
                made.append(parent)
        self.addCleanup(lambda: [os.rmdir(m) for m in made if os.path.isdir(m)])
        cfg = self.config("echo ready; sleep 1", {"memory": "64M", "pids": 20, "cgroup_parent": "/" + name})
        p, report = self.start(cfg)
        inside = [os.listdir(m) for m in made]
        for m, entries in zip(made, inside):
            self.assertTrue([e for e in entries if e.startswith("cleanroom-")],
                            "no cleanroom cgroup under %s: %s" % (m, entries))
        self.assertEqual(p.wait(timeout=30), 0, p.stderr.read())
        for m in made:
            self.assertEqual([e for e in os.listdir(m) if e.startswith("cleanroom-")], [], "left behind in " + m)

    def test_missing_parent_fails_before_the_run(self):
        cfg = self.config("echo ran", {"memory": "64M", "cgroup_parent": "/no-such-cgroup-%d" % os.getpid()})
        p, rep, _ = self.run_cfg(cfg)
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertNotIn("ran", p.stdout)
        self.assertIn("no-such-cgroup", p.stderr)


class TimeLimit(LimitsTest):
    def test_sleep_ends_within_a_second(self):
        cfg = self.config("sleep 100", {"time_ms": 300})
        p, rep, elapsed = self.run_cfg(cfg)
        self.assertLess(elapsed, 1.0)
        self.assert_ran(p, rep)
        self.assertTrue(rep["time_limit_hit"], rep)
        self.assertEqual(rep["exit_code"], 128 + signal.SIGKILL, rep)
        self.assertGreaterEqual(rep["wall_ms"], 300, rep)
        self.assertIsNone(rep["cgroup"], rep)

    def test_with_cgroups_too(self):
        cfg = self.config("sleep 100", {"time_ms": 300, "memory": "64M", "pids": 8, "cpu": 1})
        p, rep, elapsed = self.run_cfg(cfg)
        self.assertLess(elapsed, 1.0)
        self.assertTrue(rep["time_limit_hit"], rep)


class NoLimits(LimitsTest):
    def test_zero_cost_without_cgroup_limits(self):
        # No cgroup, no watchdog: once its helper (network namespace, old
        # root; it lives about a millisecond) is gone, the launcher's only
        # child is the sandbox init.
        cfg = self.config("echo ready; sleep 0.5", {})
        p, report = self.start(cfg)
        self.assertTrue(wait_until(lambda: len(children_of(p.pid)) == 1, 2), children_of(p.pid))
        self.assertEqual(leftover_cgroups(p.pid), [])
        p.wait(timeout=30)
        with open(report) as f:
            rep = json.load(f)
        self.assertIsNone(rep["cgroup"], rep)
        self.assertIsNone(rep["peak_memory_kb"], rep)

    def test_normal_run_does_not_wait_for_the_watchdog(self):
        base = self.config("true", {}, name="a.json")
        limited = self.config("true", {"memory": "64M", "pids": 16, "cpu": 1}, name="b.json")
        times = {}
        for name, cfg in (("plain", base), ("limited", limited)):
            best = None
            for _ in range(3):
                p, rep, elapsed = self.run_cfg(cfg)
                self.assertEqual(rep["exit_code"], 0, p.stderr)
                best = elapsed if best is None else min(best, elapsed)
            times[name] = best
        self.assertLess(times["limited"], times["plain"] + 0.25, times)


class LauncherKilled(LimitsTest):
    LIMITS = {"memory": "64M", "pids": 32, "cpu": 1}

    def sandbox_and_helpers(self, p, at_least):
        """Every process of the run but the launcher: the cgroups' members and
        the launcher's children (the init and the watchdog)."""
        dirs = wait_until(lambda: leftover_cgroups(p.pid), 5)
        self.assertTrue(dirs, "no cgroup was made")
        pids = set(children_of(p.pid))
        for d in dirs:
            pids.update(cgroup_procs(d))
        self.assertGreaterEqual(len(pids), at_least, pids)
        return dirs, pids

    def test_sigkill_leaves_nothing(self):
        cfg = self.config("sleep 100 & sleep 100 & echo ready; wait", self.LIMITS)
        p, _ = self.start(cfg)
        dirs, pids = self.sandbox_and_helpers(p, 5)  # watchdog, init, sh, 2 sleeps
        p.kill()
        p.wait(timeout=10)
        wait_until(lambda: not alive(pids), 10)
        self.assertEqual(alive(pids), [])
        wait_until(lambda: not leftover_cgroups(p.pid), 10)
        self.assertEqual(leftover_cgroups(p.pid), [])
        self.assertTrue(all(not os.path.exists(d) for d in dirs))

    def test_sigkill_during_a_fork_bomb(self):
        if not os.access(PYTHON, os.X_OK):
            self.skipTest(PYTHON + " is needed for the fork bomb")
        cfg = self.config(FORK_BOMB, self.LIMITS)
        p, _ = self.start(cfg)
        time.sleep(0.3)
        dirs, pids = self.sandbox_and_helpers(p, 8)
        p.kill()
        p.wait(timeout=10)
        wait_until(lambda: not leftover_cgroups(p.pid), 10)
        self.assertEqual(leftover_cgroups(p.pid), [])
        wait_until(lambda: not alive(pids), 10)
        self.assertEqual(alive(pids), [])

    def check_signal_ends_run(self, sig):
        cfg = self.config("trap 'echo bye; exit 3' TERM INT; echo ready; "
                          "while :; do sleep 0.05; done", self.LIMITS)
        p, report = self.start(cfg)
        dirs, pids = self.sandbox_and_helpers(p, 3)  # watchdog, init, sh
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 3, err)
        self.assertEqual(out.strip(), "bye")
        with open(report) as f:
            rep = json.load(f)
        self.assertEqual(rep["exit_code"], 3, rep)
        self.assertEqual(leftover_cgroups(p.pid), [])
        self.assertEqual(alive(pids), [])

    def test_sigterm_ends_payload_gracefully_and_cleans_up(self):
        self.check_signal_ends_run(signal.SIGTERM)

    def test_sigint_ends_payload_gracefully_and_cleans_up(self):
        self.check_signal_ends_run(signal.SIGINT)


class AsNobody(LimitsTest):
    """An ordinary user without a delegated cgroup: a limit fails the run
    clearly, unless it is optional."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("needs root to switch to uid 65534")
        if not shutil.which("setpriv"):
            self.skipTest("setpriv (util-linux) is not installed")
        for d in set(v for v in cgroup_parents().values() if v):
            st = os.stat(d)
            if st.st_uid == NOBODY or st.st_mode & 0o002:
                self.skipTest("uid 65534 may write %s: a cgroup is delegated to it" % d)
        # The build folder may not be readable by nobody: copy the binary.
        self.bin = os.path.join(self.tmp, "cleanroom")
        shutil.copy(CLEANROOM, self.bin)
        os.chmod(self.bin, 0o755)
        self.out = os.path.join(self.tmp, "out")
        os.mkdir(self.out)
        os.chown(self.out, NOBODY, NOBODY)
        # Its own filter cache, removed with self.tmp (else /tmp/cleanroom-65534 stays).
        cache = os.path.join(self.tmp, "cache")
        os.mkdir(cache, 0o700)
        os.chown(cache, NOBODY, NOBODY)
        self.prefix = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups",
                       "env", "CLEANROOM_CACHE_DIR=" + cache]
        probe = self.config("true", {}, name="probe.json")
        p = subprocess.run(self.prefix + [self.bin, "run", probe], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=30)
        if p.returncode != 0:
            self.skipTest("uid 65534 cannot start a sandbox here: " + p.stderr.strip())

    def run_nobody(self, cfg):
        global CLEANROOM
        saved, CLEANROOM = CLEANROOM, self.bin
        try:
            return self.run_cfg(cfg, prefix=self.prefix, report_dir=self.out)
        finally:
            CLEANROOM = saved

    def test_memory_limit_fails_clearly(self):
        cfg = self.config("echo ran", {"memory": "32M"})
        p, rep, _ = self.run_nobody(cfg)
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r"^cleanroom: limits\.memory: cannot create a cgroup under /\S+: "
                                   r"Permission denied; run as root, or delegate a cgroup")
        self.assertIn("Delegate=yes", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertTrue(rep["setup_failed"], rep)
        self.assertIn("limits.memory", rep["error"])

    def test_optional_memory_limit_runs_with_a_warning(self):
        cfg = self.config("echo ran", {"memory": "32M", "optional": ["memory"]})
        p, rep, _ = self.run_nobody(cfg)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "ran\n")
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertRegex(lines[0], r"^cleanroom: warning: limits\.memory: not applied")
        self.assertEqual(rep["cgroup"], {"version": None, "memory": "not applied"}, rep)

    def test_required_pids_still_fails_when_memory_is_optional(self):
        cfg = self.config("echo ran", {"memory": "32M", "pids": 8, "optional": ["memory"]})
        p, rep, _ = self.run_nobody(cfg)
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertIn("cleanroom: limits.pids: cannot create a cgroup", p.stderr)
        self.assertEqual(p.stdout, "")


def main():
    argv = [sys.argv[0]]
    args = iter(sys.argv[1:])
    global CLEANROOM
    for a in args:
        if a == "--cleanroom":
            CLEANROOM = os.path.abspath(next(args))
        else:
            argv.append(a)
    prog = unittest.main(argv=argv, verbosity=2, exit=False)
    r = prog.result
    if not r.wasSuccessful():
        sys.exit(1)
    # Everything skipped: tell ctest (SKIP_RETURN_CODE 77).
    sys.exit(77 if r.testsRun and len(r.skipped) == r.testsRun else 0)


if __name__ == "__main__":
    main()
