# SPDX-License-Identifier: MIT
"""The command line's quick-run flags, a config on stdin, and the hints
that say what to do: real sandboxes, as root and as uid 65534."""

import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, RUN_TIMEOUT, SandboxTest, expected_default_uid


class CliTest(SandboxTest):

    def cr(self, *args, input=None, cwd=None, env=None):
        """`cleanroom ARGS...`: (exit status, stdout, stderr)."""
        full_env = dict(LAUNCHER_ENV)
        full_env.update(env or {})
        p = subprocess.run([CLEANROOM] + list(args), input=input, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT, cwd=cwd or self.tmp, env=full_env)
        return p.returncode, p.stdout, p.stderr

    def check_json(self, *args, **kw):
        rc, out, err = self.cr("check", *args, **kw)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def assert_cli_error(self, rc, out, err, mentions=()):
        self.assertEqual(rc, 125, "expected exit 125: %r %r" % (out, err))
        for line in err.splitlines():
            self.assertTrue(line.startswith("cleanroom: "), "stderr line %r" % line)
        for m in mentions:
            self.assertIn(m, err)


class QuickFlags(CliTest):

    def test_bind_ro_bind_and_tmpfs(self):
        ro = self.make_dir("ro")
        self.write_file("ro/f", "read me\n")
        rw = self.sandbox_dir("rw")
        rc, out, err = self.cr("run", "--ro-bind", ro + ":/ro", "--bind=" + rw + ":/rw", "--tmpfs", "/scratch:1M",
                               "--", "sh", "-c", "cat /ro/f; echo x > /rw/out; echo y > /ro/z || echo refused; "
                               "grep ' /scratch ' /proc/mounts")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[:2], ["read me", "refused"])
        self.assertIn("size=1024k", lines[2])
        self.assertEqual(self.read_file(os.path.join(rw, "out")), "x\n")
        self.assertFalse(os.path.exists(os.path.join(ro, "z")))

    def test_here_binds_the_current_folder_and_works_there(self):
        work = self.sandbox_dir("work")
        self.write_file("work/script.sh", "echo running in $(pwd); echo made > made.txt\n", 0o755)
        rc, out, err = self.cr("run", "--here", "--", "sh", "script.sh", cwd=work)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "running in %s\n" % work)
        self.assertEqual(self.read_file(os.path.join(work, "made.txt")), "made\n")
        # relative host paths of flags are relative to the current folder
        rc, out, err = self.cr("run", "--ro-bind", ".:/w", "--cwd", "/w", "--", "cat", "script.sh", cwd=work)
        self.assertEqual((rc, out.splitlines()[0]), (0, "echo running in $(pwd); echo made > made.txt"), err)

    def test_env_network_seccomp(self):
        rc, out, err = self.cr("run", "--env", "A=1", "--env", "FOO", "--env", "EMPTY=", "--network", "host",
                               "--seccomp", "none", "--", "sh", "-c",
                               "echo A=$A FOO=$FOO EMPTY=[$EMPTY]; grep Seccomp: /proc/self/status; "
                               "cat /proc/net/dev | wc -l")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "A=1 FOO=from-the-host EMPTY=[]")
        self.assertEqual(lines[1].split(), ["Seccomp:", "0"])
        with open("/proc/net/dev") as f:
            self.assertEqual(int(lines[2]), len(f.read().splitlines()), "not the host's network")
        rc, out, err = self.cr("run", "--network", "host", "--network", "none", "--", "cat", "/proc/net/dev")
        self.assertEqual(rc, 0, err)
        self.assertEqual([l.split(":")[0].strip() for l in out.splitlines()[2:]], ["lo"])

    def test_time_limit_flag(self):
        report = self.path("r.json")
        rc, out, err = self.cr("run", "--time", "300ms", "--report", report, "--", "sleep", "10")
        self.assertEqual(rc, 137, err)
        with open(report) as f:
            self.assertTrue(json.load(f)["time_limit_hit"])

    def test_check_shows_what_the_flags_resolve_to(self):
        cfg = self.write_config({"hostname": "from-file"})
        ro = self.make_dir("data")
        got = self.check_json(cfg, "--ro-bind", ro, "--tmpfs", "/scratch", "--cwd", "/scratch", "--env", "A=1",
                              "--network", "host", "--time", "1.5m", "--memory", "64M", "--pids", "20",
                              "--seccomp", "strict", "--", "echo", "hi")
        self.assertEqual(got["hostname"], "from-file")
        self.assertIn({"type": "bind", "source": ro, "target": ro, "writable": False, "optional": False},
                      got["filesystem"])
        self.assertEqual(got["process"]["cwd"], "/scratch")
        self.assertEqual(got["process"]["env"]["A"], "1")
        self.assertEqual(got["process"]["args"], ["echo", "hi"])
        self.assertEqual(got["network"], "host")
        self.assertNotIn("net", got["namespaces"])
        self.assertEqual((got["limits"]["time_ms"], got["limits"]["memory"], got["limits"]["pids"]),
                         (90000, "64M", 20))
        self.assertEqual(got["seccomp"], "strict")
        # the printed config is the run's: as a file it resolves the same
        again = self.check_json(self.write_config(json.dumps(got)))
        self.assertEqual(again, got)
        # flags apply in their order
        self.assertEqual(self.check_json("--cwd", "/a", "--cwd", "/tmp")["process"]["cwd"], "/tmp")

    def test_config_on_stdin(self):
        cfg = json.dumps({"hostname": "from-stdin", "process": {"args": ["hostname"]}})
        rc, out, err = self.cr("run", "-", input=cfg)
        self.assertEqual((rc, out), (0, "from-stdin\n"), err)
        self.assertEqual(self.check_json("-", "--env", "B=2", input=cfg)["process"]["env"]["B"], "2")
        rc, out, err = self.cr("check", "-", input='{"hostnme": "x"}')
        self.assert_cli_error(rc, out, err, ["stdin: $.hostnme: unknown key"])
        # relative host paths of a config on stdin are relative to the current folder
        self.make_dir("rel")
        got = self.check_json("-", input=json.dumps({"filesystem": [{"type": "bind", "source": "rel",
                                                                       "target": "/rel"}]}))
        self.assertEqual(got["filesystem"][0]["source"], self.path("rel"))

    def test_bad_flags_run_nothing(self):
        marker = self.path("ran")
        cases = [
            (["--time", "forever"], "--time forever: expected a duration"),
            (["--time", "0"], "--time 0: expected a duration"),
            (["--pids", "-3"], "--pids -3: expected a number"),
            (["--memory", "lots"], "--memory lots: built-in default: $.limits.memory"),
            (["--network", "wifi"], "--network wifi: built-in default: $.network"),
            (["--bind", "/no/such/dir"], "$.filesystem[13].source: no such file or directory: /no/such/dir"),
            (["--tmpfs", "relative"], "--tmpfs relative: built-in default: $.filesystem[13].target"),
            (["--env", "UNSET_VARIABLE_X"], "--env UNSET_VARIABLE_X: expected NAME=VALUE"),
            (["--env", "=x"], "--env =x"),
            (["--seccomp", "bogus"], "--seccomp bogus: built-in default: $.seccomp: unknown policy"),
            (["--cwd"], "usage: --cwd needs a value"),
            (["--frobnicate"], "usage: run: unknown option --frobnicate"),
        ]
        for flags, mention in cases:
            with self.subTest(flags=flags):
                rc, out, err = self.cr("run", *flags, "--", "sh", "-c", "touch " + marker)
                self.assert_cli_error(rc, out, err, [mention])
                self.assertFalse(os.path.exists(marker))


class PolicyDiff(CliTest):
    """policy diff A B: what two policies answer differently, found by
    running both compiled programs, arguments included; the answers are
    checked against a real sandbox."""

    def profile(self, name, syscalls, errno=38, **more):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(dict({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno, "syscalls": syscalls},
                           **more), f)
        return path

    def diff(self, a, b):
        """The entries of `policy diff A B --json`, by (syscall, arch)."""
        rc, out, err = self.cr("policy", "diff", a, b, "--json")
        self.assertEqual(rc, 1, err)
        got = json.loads(out)
        self.assertTrue(got["complete"])
        return {(e["syscall"], e["arch"]): e for e in got["syscalls"]}

    @staticmethod
    def native():
        return {"x86_64": "x86_64", "aarch64": "aarch64"}.get(os.uname().machine, os.uname().machine)

    def cases(self, entry):
        return {tuple(sorted(c["args"].items())): (c["a"], c["b"]) for c in entry["cases"]}

    def test_arguments_together(self):
        """A rule on two arguments: the second is read only behind the first."""
        def socket(type_):
            return [{"names": ["socket"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
                              {"index": 1, "value": type_, "op": "SCMP_CMP_EQ"}]}]
        got = self.diff(self.profile("a.json", socket(1), errno=1), self.profile("b.json", socket(3), errno=1))
        self.assertEqual(set(got), {("socket", self.native())})
        entry = got["socket", self.native()]
        self.assertEqual((entry["a"], entry["b"]), ("EPERM", "EPERM"))
        cases = self.cases(entry)
        self.assertEqual(cases[(("0", 2), ("1", 1))], ("allowed", "EPERM"))
        self.assertEqual(cases[(("0", 2), ("1", 3))], ("EPERM", "allowed"))
        self.assertEqual(entry["cases_total"], 2)

    def test_the_high_word(self):
        """A 64-bit argument: libseccomp tests its halves one at a time."""
        a = self.profile("a.json", [{"names": ["mmap"], "action": "SCMP_ACT_ALLOW",
                                     "args": [{"index": 1, "value": 4294967296, "op": "SCMP_CMP_EQ"}]}], errno=1)
        b = self.profile("b.json", [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}], errno=1)
        got = self.diff(a, b)
        entry = got["mmap", self.native()]
        self.assertEqual((entry["a"], entry["b"]), ("EPERM", "EPERM"))
        self.assertEqual(self.cases(entry), {(("1", 4294967296),): ("allowed", "EPERM")})
        rc, out, err = self.cr("policy", "diff", a, b)
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"mmap arg1=4294967296 +A: allowed +B: EPERM")

    def test_single_bits_of_a_mask(self):
        def clone(mask):
            return [{"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": mask, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]
        got = self.diff(self.profile("a.json", clone(0x7e020080), errno=1),
                        self.profile("b.json", clone(0x10000000), errno=1))
        entry = got["clone", self.native()]
        self.assertEqual((entry["a"], entry["b"]), ("allowed", "allowed"))
        cases = self.cases(entry)
        self.assertEqual(cases[(("0", 0x80),)], ("EPERM", "allowed"))           # CLONE_NEWTIME
        self.assertEqual(cases[(("0", 0x20000),)], ("EPERM", "allowed"))        # CLONE_NEWNS
        self.assertNotIn((("0", 0x10000000),), cases)                           # both refuse it

    def test_a_search_cut_short(self):
        """Six arguments tested together: too many combinations to run."""
        rules = [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": i, "value": base + i, "op": "SCMP_CMP_EQ"} for i in range(6)]}
                 for base in (10, 20, 30, 40)]
        a, b = self.profile("a.json", rules, errno=1), self.profile("b.json", rules, errno=1)
        rc, out, err = self.cr("policy", "diff", a, b)
        self.assertEqual((rc, out), (0, "%s and %s: differences not found (the search was cut short)\n" % (a, b)),
                         err)
        rc, out, err = self.cr("policy", "diff", a, b, "--json")
        got = json.loads(out)
        self.assertEqual((rc, got["differing"], got["complete"]), (0, 0, False), err)
        self.assertFalse(got["arches"][0]["complete"])

    @unittest.skipUnless(os.uname().machine == "x86_64", "x86-64's compat ABIs")
    def test_other_abis(self):
        calls = [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]
        a = self.profile("a.json", calls, architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        b = self.profile("b.json", calls)
        rc, out, err = self.cr("policy", "diff", a, b, "--json")
        self.assertEqual(rc, 1, err)
        root = json.loads(out)
        self.assertEqual([x["arch"] for x in root["arches"]], ["x86_64", "x32", "x86"])
        got = {(e["syscall"], e["arch"]): e for e in root["syscalls"]}
        self.assertNotIn(("read", "x86_64"), got)
        for arch in ("x86", "x32"):
            self.assertEqual((got["read", arch]["a"], got["read", arch]["b"]), ("allowed", "kill"))
            self.assertEqual((got["ptrace", arch]["a"], got["ptrace", arch]["b"]), ("ENOSYS", "kill"))
        self.assertEqual(got["read", "x32"]["nr"], 0x40000000)
        self.assertEqual(got["read", "x86"]["nr"], 3)
        self.assertTrue(all(e["arch"] in ("x86", "x32") for e in root["syscalls"]))
        rc, out, err = self.cr("policy", "diff", a, b)
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"read \(x86\) +A: allowed +B: kill")
        self.assertRegex(out, r"\d+ x32 calls +A: ENOSYS +B: kill")

    def test_the_same_policy(self):
        rc, out, err = self.cr("policy", "diff", "default", "default")
        self.assertEqual((rc, out), (0, "default and default answer every system call alike\n"), err)
        rc, out, err = self.cr("policy", "diff", "default", "default", "--json")
        got = json.loads(out)
        self.assertEqual((rc, got["differing"], got["syscalls"], got["complete"]), (0, 0, [], True), err)

    def test_a_call_and_an_argument(self):
        base = [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]
        a = self.profile("a.json", base + [
            {"names": ["write"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}])
        b = self.profile("b.json", base + [
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]},
            {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}])
        rc, out, err = self.cr("policy", "diff", a, b, "--json")
        self.assertEqual(rc, 1, err)
        got = {e["syscall"]: e for e in json.loads(out)["syscalls"]}
        self.assertEqual(set(got), {"write", "socket", "keyctl"})
        self.assertEqual((got["write"]["a"], got["write"]["b"]), ("allowed", "ENOSYS"))
        self.assertEqual((got["keyctl"]["a"], got["keyctl"]["b"]), ("ENOSYS", "EPERM"))
        cases = {c["args"]["0"]: (c["a"], c["b"]) for c in got["socket"]["cases"]}
        # a listed call refused by its arguments answers EPERM (never ENOSYS)
        self.assertEqual(cases[1], ("allowed", "EPERM"))   # AF_UNIX
        self.assertEqual(cases[10], ("EPERM", "allowed"))  # AF_INET6
        self.assertTrue(got["socket"]["by_argument"])
        rc, out, err = self.cr("policy", "diff", a, b)
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"keyctl +A: ENOSYS +B: EPERM")
        self.assertRegex(out, r"socket arg0=10 +A: EPERM +B: allowed")

    def test_default_against_strict(self):
        """What the diff says strict refuses, a strict sandbox refuses."""
        rc, out, err = self.cr("policy", "diff", "default", "strict", "--json")
        self.assertEqual(rc, 1, err)
        got = {e["syscall"]: e for e in json.loads(out)["syscalls"]}
        self.assertEqual((got["ptrace"]["a"], got["ptrace"]["b"]), ("allowed", "EPERM"))
        self.assertEqual(got["execve"]["b"], "supervised")
        self.assertNotIn("read", got)
        self.assertEqual({e["arch"] for e in json.loads(out)["syscalls"]}, {self.native()})
        netlink = {c["args"]["0"]: c for c in got["socket"]["cases"] if set(c["args"]) == {"0"}}
        script = "import socket\ntry:\n socket.socket(16, 3, 0)\n print('made')\nexcept OSError as e:\n print(e.errno)"
        for policy in ("default", "strict"):
            rc, out, err = self.cr("run", "--seccomp", policy, "--", "/usr/bin/python3", "-c", script)
            self.assertEqual(rc, 0, err)
            said = netlink.get(16, {"a": got["socket"]["a"], "b": got["socket"]["b"]})["a" if policy == "default" else "b"]
            expect = "made" if said == "allowed" else str(getattr(__import__("errno"), said))
            self.assertEqual(out.strip(), expect, "policy %s, the diff said %s" % (policy, said))

    def test_errors(self):
        rc, out, err = self.cr("policy", "diff", "default")
        self.assertEqual(rc, 125, err)
        self.assert_cli_error(*self.cr("policy", "diff", "default", self.path("missing.json")),
                              mentions=["missing.json"])


class Hints(CliTest):

    def test_a_program_that_is_only_on_the_host(self):
        prog = self.write_file("tool.sh", "#!/bin/sh\necho tool\n", 0o755)
        rc, out, err = self.cr("run", "--", prog)
        self.assertEqual(rc, 127, err)
        self.assertIn("cleanroom: exec: %s: No such file or directory" % prog, err)
        self.assertIn("cleanroom: hint: %s exists on the host but not in the sandbox: bind its folder "
                      "(--ro-bind %s" % (prog, self.tmp), err)
        # following the hint runs it
        rc, out, err = self.cr("run", "--ro-bind", self.tmp, "--", prog)
        self.assertEqual((rc, out), (0, "tool\n"), err)

    def test_a_name_found_only_in_our_path(self):
        bindir = self.make_dir("bin")
        self.write_file("bin/only-here", "#!/bin/sh\necho here\n", 0o755)
        rc, out, err = self.cr("run", "--", "only-here", env={"PATH": bindir + ":" + LAUNCHER_ENV["PATH"]})
        self.assertEqual(rc, 127, err)
        self.assertIn("cleanroom: hint: only-here is not in the sandbox's PATH (/usr/local/bin:/usr/bin:/bin); "
                      "here it is %s/only-here" % bindir, err)

    def test_a_name_that_means_another_program_in_the_sandbox(self):
        # a venv's python3 against the sandbox's: here `true` is one of our own
        bindir = self.make_dir("venv/bin")
        self.write_file("venv/bin/true", "#!/bin/sh\nexit 0\n", 0o755)
        rc, out, err = self.cr("run", "--", "true", env={"PATH": bindir + ":" + LAUNCHER_ENV["PATH"]})
        self.assertEqual(rc, 0, err)
        self.assertIn("cleanroom: note: true here is %s/true, but in the sandbox /usr/bin/true" % bindir, err)
        self.assertIn("--ro-bind %s -- %s/true" % (self.path("venv"), bindir), err)
        # the same program in both: nothing said
        rc, out, err = self.cr("run", "--", "true")
        self.assertEqual((rc, err), (0, ""))

    def test_a_working_folder_that_is_only_on_the_host(self):
        rc, out, err = self.cr("run", "--cwd", self.tmp, "--", "true")
        self.assertEqual(rc, 125, err)
        self.assertIn("cleanroom: hint: %s exists on the host but not in the sandbox: --here binds the current "
                      "folder and works there, or --bind %s --cwd %s" % (self.tmp, self.tmp, self.tmp), err)

    def test_root_s_sandbox_runs_as_65534(self):
        if os.getuid() != 0:
            self.skipTest("only root's sandbox runs as another uid (65534)")
        self.write_file("root-only.sh", "#!/bin/sh\necho no\n", 0o700)
        rc, out, err = self.cr("run", "--ro-bind", self.tmp, "--", self.path("root-only.sh"))
        self.assertEqual(rc, 126, err)
        self.assertIn("cleanroom: hint: cleanroom runs as root, so the sandbox runs as uid 65534 "
                      "(process.host_uid), which may not reach %s" % self.path("root-only.sh"), err)

    def test_user_namespaces_turned_off(self):
        # user.max_user_namespaces=0, made real in a throw-away user namespace
        shell = "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" run -- true"
        p = subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", shell, CLEANROOM],
                           capture_output=True, text=True, timeout=RUN_TIMEOUT, env=dict(LAUNCHER_ENV))
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertIn("user namespaces are turned off here (user.max_user_namespaces is 0): "
                      "sysctl -w user.max_user_namespaces=", p.stderr)

    def test_a_seccomp_filter_that_refuses_namespaces(self):
        # cleanroom inside cleanroom: the outer default policy refuses new
        # namespaces, as a container runtime's filter would
        bindir = os.path.dirname(CLEANROOM)
        rc, out, err = self.cr("run", "--ro-bind", bindir, "--", CLEANROOM, "run", "--", "true")
        self.assertEqual(rc, 125, err)
        self.assertIn("cleanroom: clone: cannot create the sandbox's namespaces: cleanroom itself runs under a "
                      "seccomp filter", err)
        self.assertIn("--security-opt seccomp=unconfined", err)


if __name__ == "__main__":
    unittest.main()
