# SPDX-License-Identifier: MIT
"""Learn mode (issue 15, part 2): `cleanroom learn` runs a workload with
every system call observed and writes a minimal OCI profile; the workload
then runs under it, a call it never made is refused (EPERM, named in the
report), --merge grows a profile across workloads, and nothing the base
policy refuses gets into a learned profile."""

import json
import os
import subprocess

from crtest import CLEANROOM, LAUNCHER_ENV, RUN_TIMEOUT, Result, SandboxTest, base_config

# File IO and a socketpair; prints one line.
PY_WORK = r"""
import os, socket, tempfile
with tempfile.NamedTemporaryFile("w+", dir="/tmp") as f:
    f.write("data"); f.flush(); f.seek(0); data = f.read()
a, b = socket.socketpair()
a.sendall(b"ping"); got = b.recv(4)
print("work", data, got.decode())
"""
SH_WORK = "ls / | sort | head -3"
KEYCTL = r"""
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(250, 0, 0, 0)  # keyctl: refused by default
print("keyctl", errno.errorcode.get(ctypes.get_errno()) if r < 0 else "allowed")
"""


class Learn(SandboxTest):

    def config(self, path, args, seccomp="default"):
        cfg = base_config(seccomp=seccomp)
        cfg["process"] = {"path": path, "args": args, "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        return cfg

    def py(self, script, seccomp="default"):
        return self.config("/usr/bin/python3", ["python3", "-c", script], seccomp)

    def sh(self, script, seccomp="default"):
        return self.config("/bin/sh", ["sh", "-c", script], seccomp)

    def cli(self, *args):
        cmd = [CLEANROOM] + list(args)
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(LAUNCHER_ENV), cwd=self.tmp, timeout=RUN_TIMEOUT)
        return Result(cmd, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"), None, 0)

    def learn(self, cfg, out, *extra):
        res = self.cli("learn", self.write_config(cfg), "--output", out, *extra)
        self.assertEqual(res.rc, 0, res.describe())
        with open(out) as f:
            profile = json.load(f)
        os.chmod(out, 0o644)
        return res, profile

    def rerun(self, cfg, profile_path, rc=0):
        cfg = dict(cfg, seccomp=profile_path)
        report = self.path("report-%d.json" % self._n)
        res = self.run_cr(cfg, report=report)
        if rc is None:
            self.assertNotEqual(res.rc, 0, res.describe())
        else:
            self.assertEqual(res.rc, rc, res.describe())
        with open(report) as f:
            return res, json.load(f)

    def names(self, profile, action="SCMP_ACT_ALLOW"):
        return {n for e in profile["syscalls"] if e["action"] == action for n in e["names"]}

    def test_python_program(self):
        cfg = self.py(PY_WORK)
        out = self.path("py.json")
        learned, profile = self.learn(cfg, out)
        self.assertEqual(learned.out.strip(), "work data ping")
        self.assertEqual((profile["defaultAction"], profile["defaultErrnoRet"]), ("SCMP_ACT_ERRNO", 1))
        self.assertEqual(profile["architectures"], ["SCMP_ARCH_X86_64"])
        allowed = self.names(profile)
        for call in ("read", "write", "openat", "socketpair", "execve", "exit_group", "close", "sendto"):
            self.assertIn(call, allowed, profile)
        self.assertNotIn("getppid", allowed)
        # glibc's fallback (clone3 -> clone) kept, if python made threads; the
        # ENOSYS entries carry errnoRet 38 either way
        for e in profile["syscalls"]:
            if e["action"] == "SCMP_ACT_ERRNO":
                self.assertEqual(e["errnoRet"], 38, e)
        res, report = self.rerun(cfg, out)
        self.assertEqual(res.out, learned.out)
        self.assertEqual(report["denied"], [])
        # one call more, never made while learning: refused (getppid cannot
        # fail in glibc: -1) and named
        res, report = self.rerun(self.py(PY_WORK + "print(os.getppid())\n"), out)
        self.assertEqual(res.out.split("\n")[1], "-1", res.describe())
        refused = {(d["syscall"], d["action"]) for d in report["denied"]}
        self.assertIn(("getppid", "EPERM"), refused, report["denied"])

    def test_shell_pipeline(self):
        cfg = self.sh(SH_WORK)
        out = self.path("sh.json")
        learned, profile = self.learn(cfg, out)
        self.assertEqual(len(learned.out.split()), 3, learned.describe())
        self.assertIn("pipe2", self.names(profile))
        res, _ = self.rerun(cfg, out)
        self.assertEqual(res.out, learned.out)
        # a socket the pipeline never opened: the family is refused
        res, report = self.rerun(self.sh(SH_WORK + "; python3 -c 'import socket; socket.socket()'"), out, rc=None)
        self.assertTrue(report["denied"], res.describe())

    def test_merge_across_workloads(self):
        py_cfg, sh_cfg = self.py(PY_WORK), self.sh(SH_WORK)
        first = self.path("first.json")
        merged = self.path("merged.json")
        self.learn(py_cfg, first)
        _, profile = self.learn(sh_cfg, merged, "--merge", first)
        _, py_alone = self.learn(py_cfg, self.path("again.json"))
        self.assertLessEqual(self.names(py_alone), self.names(profile))
        # one entry per kind: no name twice in the plain allow entry
        plain = [e for e in profile["syscalls"] if e["action"] == "SCMP_ACT_ALLOW" and "args" not in e]
        self.assertEqual(len(plain), 1, profile)
        self.assertEqual(plain[0]["names"], sorted(set(plain[0]["names"])))
        for cfg in (py_cfg, sh_cfg):
            self.rerun(cfg, merged)

    def test_merge_of_an_invalid_file(self):
        bad = self.write_file("bad.json", "{not json")
        res = self.cli("learn", self.write_config(self.sh("true")), "--output", self.path("x.json"),
                       "--merge", bad)
        self.assertEqual(res.rc, 125, res.describe())
        self.assertIn("bad.json", res.err)
        self.assertFalse(os.path.exists(self.path("x.json")))

    def test_refused_calls_stay_out(self):
        cfg = self.py(KEYCTL)
        learned, profile = self.learn(cfg, self.path("k.json"))
        self.assertEqual(learned.out.strip(), "keyctl EPERM")
        self.assertIn("seccomp refused keyctl (EPERM)", learned.err)
        self.assertNotIn("keyctl", {n for e in profile["syscalls"] for n in e["names"]})

    def test_profile_on_stdout(self):
        res = self.cli("learn", self.write_config(self.sh("echo program-output")))
        self.assertEqual(res.rc, 0, res.describe())
        profile = json.loads(res.out)
        self.assertIn("write", self.names(profile))
        self.assertIn("program-output", res.err)

    def test_exit_status_and_none(self):
        res = self.cli("learn", self.write_config(self.sh("exit 3")), "--output", self.path("s.json"))
        self.assertEqual(res.rc, 3, res.describe())
        self.assertTrue(os.path.exists(self.path("s.json")))
        res = self.cli("learn", self.write_config(self.sh("true", seccomp="none")), "--output", self.path("n.json"))
        self.assertEqual(res.rc, 125, res.describe())
        self.assertIn("none", res.err)
