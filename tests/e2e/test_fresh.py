# SPDX-License-Identifier: MIT
"""From scratch (issue 14): a child started from a dirty parent gets the
process state a fresh login session has, not the parent's: soft rlimits the
config does not declare, transparent huge pages, the NUMA memory policy,
nice, scheduling policy, I/O priority, CPU affinity. What the sandbox cannot
lift carries over as a ceiling and is reported (the audit's "carried"); what
the launcher had and the sandbox did not get is reported as "withheld",
names and numbers only. Real sandboxes, as root and as uid 65534."""

import ctypes
import json
import os
import resource
import signal
import socket
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


SCHED_REPORT = r"""
import json, os
prio = __import__("ctypes").CDLL(None).syscall(252, 1, 0)  # ioprio_get(IOPRIO_WHO_PROCESS, self)
adj = int(open("/proc/self/oom_score_adj").read())
print(json.dumps({"nice": os.getpriority(os.PRIO_PROCESS, 0), "policy": os.sched_getscheduler(0),
                  "ioprio": prio, "cpus": sorted(os.sched_getaffinity(0)), "oom_score_adj": adj}))
"""

IOPRIO_CLASS_IDLE = 3


def set_ioprio_idle():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(251, 1, 0, IOPRIO_CLASS_IDLE << 13) != 0:  # ioprio_set
        raise OSError(ctypes.get_errno(), "ioprio_set")


def write_oom_score_adj(value):
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(str(value))


def run_from(preexec, cmd, cwd, pass_fds=(), env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=cwd,
                          env=env or dict(LAUNCHER_ENV), preexec_fn=preexec, stdin=subprocess.DEVNULL,
                          pass_fds=pass_fds)


class FreshScheduling(SandboxTest):
    """nice, policy, I/O priority, affinity: reset where an unprivileged
    process may, carried as a ceiling where not, declared in the config."""

    def setUp(self):
        super().setUp()
        if os.getpriority(os.PRIO_PROCESS, 0) != 0:
            self.skipTest("these start from nice 0 (this runs at nice %d)" % os.getpriority(os.PRIO_PROCESS, 0))

    def sched_run(self, preexec, *flags, config=None):
        cmd = [CLEANROOM, "run"] + ([config] if config else []) + list(flags) + [
            "--report", self.path("report.json"), "--", "/usr/bin/python3", "-c", SCHED_REPORT]
        p = run_from(preexec, cmd, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("report.json")) as f:
            report = json.load(f)
        return json.loads(p.stdout.strip().splitlines()[-1]), report

    def test_control(self):
        def dirty():
            os.setpriority(os.PRIO_PROCESS, 0, 5)
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            set_ioprio_idle()
            os.sched_setaffinity(0, {0})
        p = run_from(dirty, ["/usr/bin/python3", "-c", SCHED_REPORT], self.tmp)
        got = json.loads(p.stdout)
        self.assertEqual((got["nice"], got["policy"], got["ioprio"] >> 13, got["cpus"]),
                         (5, os.SCHED_BATCH, IOPRIO_CLASS_IDLE, [0]))

    def test_batch_idle_io_and_affinity_are_reset(self):
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("one CPU: an affinity cannot be narrower than the machine")

        def dirty():
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            set_ioprio_idle()
            os.sched_setaffinity(0, {0})
        got, report = self.sched_run(dirty)
        self.assertEqual(got["policy"], os.SCHED_OTHER)
        self.assertEqual(got["ioprio"], 0, "the I/O priority class came through")
        self.assertEqual(got["cpus"], sorted(os.sched_getaffinity(0)))
        withheld = report["withheld"]
        self.assertEqual(withheld["scheduler"], "SCHED_BATCH")
        self.assertEqual(withheld["ioprio"], "idle")
        self.assertEqual(withheld["cpus"], "0")
        for key in ("scheduler", "ioprio", "cpus"):
            self.assertNotIn(key, report["carried"])

    def test_a_positive_nice_is_a_ceiling(self):
        """RLIMIT_NICE 0 (Debian's): no process may lower its nice value
        without privilege, the sandbox included, root's too (a config never
        gets the caller's privilege)."""
        got, report = self.sched_run(lambda: os.setpriority(os.PRIO_PROCESS, 0, 5))
        self.assertEqual(got["nice"], 5)
        self.assertEqual(report["carried"]["nice"], 5)
        self.assertNotIn("nice", report["withheld"])

    def test_a_higher_priority_is_reset(self):
        """A negative nice (a root host's): the sandbox raises it to 0,
        which needs no privilege."""
        if os.geteuid() != 0:
            self.skipTest("only root may lower its nice value below 0 (CAP_SYS_NICE)")
        got, report = self.sched_run(lambda: os.setpriority(os.PRIO_PROCESS, 0, -5))
        self.assertEqual(got["nice"], 0)
        self.assertEqual(report["withheld"]["nice"], -5)
        self.assertNotIn("nice", report["carried"])

    def test_sched_idle_is_a_ceiling(self):
        got, report = self.sched_run(lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0)))
        self.assertEqual(got["policy"], os.SCHED_IDLE)
        self.assertEqual(report["carried"]["scheduler"], "SCHED_IDLE")

    def test_oom_score_adj(self):
        """A caller above the default 500: the sandbox lowers it to 500 (the
        kernel lets any process go down to its floor); a declared value below
        the floor stays at the caller's, a ceiling."""
        got, report = self.sched_run(lambda: write_oom_score_adj(800))
        self.assertEqual(got["oom_score_adj"], 500)
        self.assertEqual(report["withheld"]["oom_score_adj"], 800)
        self.assertNotIn("oom_score_adj", report["carried"])
        cfg = self.path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"process": {"args": ["x"], "oom_score_adj": -1000}}, f)
        own = int(open("/proc/self/oom_score_adj").read())
        got, report = self.sched_run(None, config=cfg)
        self.assertEqual(got["oom_score_adj"], own)
        self.assertEqual(report["carried"]["oom_score_adj"], own)

    def test_the_oom_killer_chooses_the_payload_not_the_init(self):
        """The init, a copy of the launcher's process, may be the bigger one:
        it goes back to the value it inherited once the payload has the
        sandbox's 500."""
        p = run_from(None, [CLEANROOM, "run", "--", "/bin/sh", "-c",
                            "cat /proc/self/oom_score_adj /proc/1/oom_score_adj"], self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        own = int(open("/proc/self/oom_score_adj").read())
        self.assertEqual([int(v) for v in p.stdout.split()], [500, own])

    def test_oom_score_adj_undeclared_is_fresh(self):
        """A config with a process section of its own (no 500 from the
        default): the caller's value does not pass, 0 does."""
        cfg = self.path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"process": {"args": ["x"], "env": {"PATH": "/usr/bin:/bin"}}}, f)
        got, report = self.sched_run(lambda: write_oom_score_adj(800), config=cfg)
        self.assertEqual(got["oom_score_adj"], 0)
        self.assertEqual(report["withheld"]["oom_score_adj"], 800)

    def test_an_exec_failure_says_nothing_it_cannot_know(self):
        """The payload never ended: what the init would have reported is
        left out rather than guessed (the sandbox's nice is not known)."""
        report_path = self.path("report.json")
        p = run_from(lambda: os.setpriority(os.PRIO_PROCESS, 0, 5),
                     [CLEANROOM, "run", "--report", report_path, "--", "/nonexistent"], self.tmp)
        self.assertEqual(p.returncode, 127, p.stderr)
        with open(report_path) as f:
            report = json.load(f)
        self.assertNotIn("nice", report["withheld"])
        self.assertNotIn("nice", report["carried"])
        self.assertIn("rlimits", report["carried"])  # known from the launcher's side

    def test_declared_nice_and_cpus(self):
        cfg = self.path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"process": {"args": ["x"], "nice": 7, "cpus": "0"}}, f)
        got, report = self.sched_run(None, config=cfg)
        self.assertEqual((got["nice"], got["cpus"]), (7, [0]))
        self.assertNotIn("cpus", report["withheld"])

    def test_declared_values_that_cannot_be_had_fail(self):
        for process, where in (({"nice": -5}, "process.nice"), ({"cpus": "1000"}, "process.cpus")):
            cfg = self.path("bad.json")
            with open(cfg, "w") as f:
                json.dump({"process": dict(process, args=["/bin/true"])}, f)
            p = run_from(None, [CLEANROOM, "run", cfg], self.tmp)
            self.assertEqual(p.returncode, 125, p.stderr)
            self.assertIn("cleanroom: " + where + ":", p.stderr)


PRCTL_REPORT = r"""
import ctypes, json
print(json.dumps({"mce_kill": ctypes.CDLL(None).prctl(34, 0, 0, 0, 0)}))  # PR_MCE_KILL_GET
"""


class FreshPrctl(SandboxTest):
    """prctl state fork and exec keep: the machine-check kill policy."""

    def test_mce_kill_is_reset(self):
        def dirty():
            if ctypes.CDLL(None).prctl(33, 1, 1, 0, 0) != 0:  # PR_MCE_KILL, PR_MCE_KILL_SET, early
                raise OSError("PR_MCE_KILL")
        control = json.loads(run_from(dirty, ["/usr/bin/python3", "-c", PRCTL_REPORT], self.tmp).stdout)
        self.assertEqual(control, {"mce_kill": 1})
        report_path = self.path("report.json")
        p = run_from(dirty, [CLEANROOM, "run", "--report", report_path, "--seccomp", "none", "--",
                             "/usr/bin/python3", "-c", PRCTL_REPORT], self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout.strip().splitlines()[-1]), {"mce_kill": 2})  # the default
        with open(report_path) as f:
            self.assertEqual(json.load(f)["withheld"]["mce_kill"], "early")


class Audit(SandboxTest):
    """The report's withheld and carried sections, and run --audit."""

    def test_withheld_and_carried(self):
        secret_value = "s3cr3t-" + os.urandom(6).hex()
        db = self.path("db.sqlite")
        with open(db, "w") as f:
            f.write("x")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port, listener_fd = listener.getsockname()[1], listener.fileno()
        file_fd = os.open(db, os.O_RDONLY)
        try:
            def dirty():
                dirty_parent()
                signal.signal(signal.SIGPIPE, signal.SIG_IGN)
                signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
                os.umask(0o077)
                os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            env = dict(LAUNCHER_ENV, PLUGIN_HOST_SECRET=secret_value)
            report_path = self.path("report.json")
            p = run_from(dirty, [CLEANROOM, "run", "--audit", "--report", report_path, "--", "/bin/true"],
                         self.tmp, pass_fds=(file_fd, listener_fd), env=env)
        finally:
            os.close(file_fd)
            listener.close()
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(report_path) as f:
            text = f.read()
        self.assertNotIn(secret_value, text, "an environment value reached the report")
        self.assertNotIn(secret_value, p.stderr)
        withheld, carried = json.loads(text)["withheld"], json.loads(text)["carried"]
        fds = {e["fd"]: e for e in withheld["fds"]}
        self.assertEqual(fds[file_fd], {"fd": file_fd, "kind": "file", "target": db})
        self.assertEqual(fds[listener_fd],
                         {"fd": listener_fd, "kind": "tcp-listen", "address": "127.0.0.1:%d" % port})
        self.assertNotIn(1, fds)  # given to the sandbox (the default inherits 0-2)
        self.assertIn("PLUGIN_HOST_SECRET", withheld["env"])
        self.assertNotIn("PATH", withheld["env"])  # the default config passes PATH
        self.assertIn("SIGPIPE", withheld["signals"]["ignored"])
        self.assertIn("SIGUSR1", withheld["signals"]["blocked"])
        self.assertEqual(withheld["umask"], "0077")
        self.assertEqual(withheld["rlimits"]["NOFILE"]["soft"], 100)
        self.assertEqual(withheld["rlimits"]["NOFILE"]["sandbox"], soft_of("NOFILE", 1024))
        self.assertTrue(withheld["thp_disabled"])
        self.assertEqual(withheld["memory_policy"], "MPOL_PREFERRED")
        self.assertEqual(withheld["scheduler"], "SCHED_BATCH")
        self.assertIn("id", withheld["session"])
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard != resource.RLIM_INFINITY:
            self.assertEqual(carried["rlimits"]["NOFILE"], hard)
        # the table on stderr, for a person
        self.assertIn("cleanroom: audit: withheld from the sandbox", p.stderr)
        self.assertRegex(p.stderr, r"fd %d +tcp-listen +127\.0\.0\.1:%d" % (listener_fd, port))
        self.assertIn("PLUGIN_HOST_SECRET", p.stderr)
        self.assertIn("cleanroom: audit: carried into the sandbox as ceilings", p.stderr)

    def test_a_name_that_is_not_utf8(self):
        """Any bytes may name a file; the report still parses."""
        odd = os.path.join(self.tmp.encode(), b"db-\xff\x1b[8m.sqlite")
        with open(odd, "w") as f:
            f.write("x")
        fd = os.open(odd, os.O_RDONLY)
        try:
            report_path = self.path("report.json")
            p = run_from(None, [CLEANROOM, "run", "--audit", "--report", report_path, "--", "/bin/true"], self.tmp,
                         pass_fds=(fd,))
        finally:
            os.close(fd)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(report_path, encoding="utf-8") as f:  # strict: raises on a byte that is not UTF-8
            fds = {e["fd"]: e for e in json.load(f)["withheld"]["fds"]}
        self.assertTrue(fds[fd]["target"].endswith("/db-\\xff\x1b[8m.sqlite"), fds[fd])
        self.assertNotIn("\x1b", p.stderr, "an escape sequence reached the terminal")
        self.assertIn("db-\\xff\\x1b[8m.sqlite", p.stderr)

    def test_carried_no_new_privs_and_filter(self):
        """A caller that is itself confined passes that on: reported."""
        report_path = self.path("report.json")
        cmd = ["setpriv", "--no-new-privs", CLEANROOM, "run", "--report", report_path, "--", "/bin/true"]
        p = run_from(None, cmd, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(report_path) as f:
            carried = json.load(f)["carried"]
        self.assertTrue(carried["no_new_privs"])

    def test_a_configs_own_report_has_no_audit(self):
        """Whoever wrote the config (a plugin's author) may read its report:
        it does not describe the caller's process, --audit or not."""
        report_path = self.path("plugin-report.json")
        cfg = self.path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"process": {"args": ["/bin/true"]}, "report": report_path}, f)
        os.chmod(self.tmp, 0o777)  # the sandbox's host identity writes it (uid 65534 under root)
        p = run_from(None, [CLEANROOM, "run", "--audit", cfg], self.tmp,
                     env=dict(LAUNCHER_ENV, PLUGIN_HOST_SECRET="x"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(report_path) as f:
            report = json.load(f)
        self.assertEqual(report["exit_code"], 0)
        self.assertNotIn("withheld", report)
        self.assertNotIn("carried", report)
        self.assertIn("PLUGIN_HOST_SECRET", p.stderr)  # the caller's own table still says it

    def test_no_audit_no_sections(self):
        p = run_from(None, [CLEANROOM, "run", "--", "/bin/true"], self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("audit", p.stderr)


if __name__ == "__main__":
    unittest.main()
