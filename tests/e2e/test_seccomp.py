# SPDX-License-Identifier: MIT
"""Seccomp profiles through the launcher (issue 3): each built-in profile is
installed in a real sandbox, ordinary work still runs, and what must be
refused is refused with the declared errno, syscall by syscall."""

import json
import os
import unittest

from crtest import SandboxTest, base_config

# Run in the sandbox by python3: try each call, print {name: errno or 0}.
PROBE_SYSCALLS = r"""
import ctypes, errno, json, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
def call(*args):
    ctypes.set_errno(0)
    r = libc.syscall(*[ctypes.c_long(a) for a in args])
    return 0 if r >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
NR = dict(unshare=272, setns=308, mount=165, umount2=166, ptrace=101, bpf=321, keyctl=250,
          add_key=248, perf_event_open=298, kexec_load=246, reboot=169, swapon=167,
          init_module=175, delete_module=176, settimeofday=164, userfaultfd=323,
          io_uring_setup=425, open_by_handle_at=304, process_vm_readv=310, pivot_root=155,
          clone=56, clone3=435, ioctl=16, getpid=39, socket=41)
out = {}
out["unshare"] = call(NR["unshare"], 0x10000000)          # CLONE_NEWUSER
out["setns"] = call(NR["setns"], 0, 0)
out["mount"] = call(NR["mount"], 0, 0, 0, 0, 0)
out["umount2"] = call(NR["umount2"], 0, 0)
out["pivot_root"] = call(NR["pivot_root"], 0, 0)
out["ptrace"] = call(NR["ptrace"], 16, 1, 0, 0)           # PTRACE_ATTACH to pid 1
out["bpf"] = call(NR["bpf"], 0, 0, 0)
out["keyctl"] = call(NR["keyctl"], 0, 0, 0)
out["add_key"] = call(NR["add_key"], 0, 0, 0, 0, 0)
out["perf_event_open"] = call(NR["perf_event_open"], 0, 0, 0, 0, 0)
out["kexec_load"] = call(NR["kexec_load"], 0, 0, 0, 0)
out["reboot"] = call(NR["reboot"], 0, 0, 0, 0)
out["swapon"] = call(NR["swapon"], 0, 0)
out["init_module"] = call(NR["init_module"], 0, 0, 0)
out["delete_module"] = call(NR["delete_module"], 0, 0)
out["settimeofday"] = call(NR["settimeofday"], 0, 0)
out["userfaultfd"] = call(NR["userfaultfd"], 0)
out["io_uring_setup"] = call(NR["io_uring_setup"], 0, 0)
out["open_by_handle_at"] = call(NR["open_by_handle_at"], 0, 0, 0)
out["process_vm_readv"] = call(NR["process_vm_readv"], 1, 0, 0, 0, 0, 0)
out["clone_newuser"] = call(NR["clone"], 0x10000000 | 17, 0, 0, 0, 0)
out["clone_newnet_high_bits"] = call(NR["clone"], (0xffffffff << 32) | 0x40000000 | 17, 0, 0, 0, 0)
out["tiocsti"] = call(NR["ioctl"], 0, 0x5412, 0)
out["tiocsti_high_bits"] = call(NR["ioctl"], 0, (0xffffffff << 32) | 0x5412, 0)
out["tiocsctty"] = call(NR["ioctl"], 0, 0x540E, 0)
out["tiocsctty_high_bits"] = call(NR["ioctl"], 0, (0xffffffff << 32) | 0x540E, 0)
out["socket_vsock"] = call(NR["socket"], 40, 1, 0)         # AF_VSOCK: not confined by a netns
out["socket_vsock_high_bits"] = call(NR["socket"], (0xffffffff << 32) | 40, 1, 0)
out["socket_inet"] = call(NR["socket"], 2, 2, 0)           # AF_INET, SOCK_DGRAM
out["socket_unix"] = call(NR["socket"], 1, 1, 0)           # AF_UNIX, SOCK_STREAM
out["getpid"] = call(NR["getpid"])
print(json.dumps(out))
"""

# Ordinary work that must keep working: files, threads, a loopback server.
ORDINARY_WORK = r"""
import json, os, socket, threading, tempfile
with tempfile.NamedTemporaryFile("w+", dir="/tmp") as f:
    f.write("data"); f.flush(); f.seek(0); assert f.read() == "data"
results = []
t = threading.Thread(target=lambda: results.append(sum(range(1000)))); t.start(); t.join()
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
cli = socket.create_connection(srv.getsockname()); conn, _ = srv.accept()
cli.sendall(b"ping"); got = conn.recv(4)
print(json.dumps({"thread": results, "loopback": got.decode(), "pid": os.getpid()}))
"""


class SeccompProfiles(SandboxTest):

    def python(self, seccomp, script, expect_rc=0):
        cfg = base_config(seccomp=seccomp)
        cfg["process"] = {"path": "/usr/bin/python3", "args": ["python3", "-c", script],
                          "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        res = self.run_cr(cfg)
        self.assertEqual(res.rc, expect_rc, res.describe())
        return json.loads(res.out.strip().splitlines()[-1]) if expect_rc == 0 else res

    def shell(self, seccomp, script):
        cfg = base_config(seccomp=seccomp)
        cfg["process"] = {"path": "/bin/sh", "args": ["sh", "-c", script],
                          "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        return self.run_cr(cfg)

    def test_default_refuses_with_eperm(self):
        got = self.python("default", PROBE_SYSCALLS)
        # process_vm_readv with no iovec does nothing; ptrace is allowed too
        # (debuggers, LeakSanitizer), and attaching to pid 1 gets the
        # kernel's EPERM: the init is not dumpable (tests/compat).
        # TIOCSCTTY is allowed (forkpty): on fd 0, /dev/null, the kernel
        # answers ENOTTY.
        allowed = {"getpid", "socket_inet", "socket_unix", "process_vm_readv"}
        by_kernel = {"tiocsctty": "ENOTTY", "tiocsctty_high_bits": "ENOTTY"}
        for name, err in got.items():
            if name in allowed:
                self.assertEqual(err, 0, "%s failed: %s" % (name, err))
            elif name in by_kernel:
                self.assertEqual(err, by_kernel[name], "%s: expected the kernel's answer" % name)
            else:
                self.assertEqual(err, "EPERM", "%s: expected EPERM from the filter, got %r" % (name, err))

    def test_no_filter_lets_the_kernel_answer(self):
        # The control: without a filter the same calls reach the kernel, whose
        # answers differ from the filter's EPERM for several of them.
        got = self.python("none", PROBE_SYSCALLS)
        self.assertNotEqual(got["io_uring_setup"], "EPERM", got)
        self.assertNotEqual(got["bpf"], "EPERM", got)

    def test_default_runs_ordinary_work(self):
        got = self.python("default", ORDINARY_WORK)
        self.assertEqual(got["thread"], [499500])
        self.assertEqual(got["loopback"], "ping")
        res = self.shell("default", "echo one two three | tr ' ' '\\n' | sort -r | head -n 1")
        self.assertEqual((res.rc, res.out.strip()), (0, "two"), res.describe())

    def test_strict_allows_one_exec_only(self):
        res = self.shell("strict", "/bin/true && echo second-exec-ran; echo done")
        self.assertEqual(res.rc, 0, res.describe())
        self.assertIn("done", res.out)
        self.assertNotIn("second-exec-ran", res.out, "strict let a second execve through")
        self.assertIn("Operation not permitted", res.err)

    def test_strict_reports_the_execs_it_refused(self):
        """The refusal is not silent: the report lists it under "denied" and
        a failed run says so on stderr."""
        report = self.path("report.json")
        cfg = base_config(seccomp="strict")
        cfg["process"] = {"path": "/bin/sh", "args": ["sh", "-c", "/bin/true; /bin/true; exit 3"],
                          "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        res = self.run_cr(cfg, report=report)
        self.assertEqual(res.rc, 3, res.describe())
        with open(report) as f:
            denied = json.load(f)["denied"]
        self.assertEqual([(d["syscall"], d["action"], d["count"]) for d in denied], [("execve", "EPERM", 2)])
        self.assertIn("cleanroom: seccomp refused execve (EPERM) 2 times", res.err)
        # A run that refuses nothing lists nothing.
        cfg["process"]["args"] = ["sh", "-c", "exit 0"]
        res = self.run_cr(cfg, report=report)
        with open(report) as f:
            self.assertEqual(json.load(f)["denied"], [])
        self.assertNotIn("refused", res.err)

    def test_strict_a_forked_child_whose_exec_was_refused_runs_on(self):
        """CPython's test_posix under strict "hung": test_fexecve forks, the
        child's exec is refused, and the child, which does not _exit on that,
        goes on running the rest of the suite while its parent waits for it.
        That is the program's own fallthrough, not cleanroom's: a time limit
        ends such a run, and the report names the refusal."""
        report = self.path("report.json")
        script = ("import os, time\n"
                  "pid = os.fork()\n"
                  "if pid == 0:\n"
                  "    try:\n"
                  "        os.execv('/bin/true', ['true'])\n"
                  "    except OSError:\n"
                  "        pass\n"
                  "    time.sleep(3600)   # 'the rest of the suite'\n"
                  "os.waitpid(pid, 0)\n")
        cfg = base_config(seccomp="strict")
        cfg["process"] = {"path": "/usr/bin/python3", "args": ["python3", "-c", script],
                          "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        cfg.setdefault("limits", {})["time_ms"] = 1500
        res = self.run_cr(cfg, report=report, timeout=30)
        with open(report) as f:
            got = json.load(f)
        self.assertTrue(got["time_limit_hit"], res.describe())
        self.assertEqual([(d["syscall"], d["count"]) for d in got["denied"]], [("execve", 1)], res.describe())
        self.assertIn("seccomp refused execve (EPERM) 1 time:", res.err)

    def test_strict_refuses_inet_sockets(self):
        script = ("import socket, json\n"
                  "try:\n socket.socket(socket.AF_INET); r = 'allowed'\n"
                  "except OSError as e: r = e.errno\n"
                  "a, b = socket.socketpair(socket.AF_UNIX); a.send(b'x')\n"
                  "print(json.dumps({'inet': r, 'unix': b.recv(1).decode()}))\n")
        got = self.python("strict", script)
        self.assertNotEqual(got["inet"], "allowed")
        self.assertEqual(got["unix"], "x")

    def test_policy_file_from_config_folder(self):
        # A profile file next to the config, named relatively, is what runs.
        profile = {"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
        with open(self.path("deny-getppid.json"), "w") as f:
            json.dump(profile, f)
        script = ("import ctypes, json; libc = ctypes.CDLL(None, use_errno=True)\n"
                  "r = libc.syscall(110); print(json.dumps({'r': r, 'errno': ctypes.get_errno()}))\n")
        got = self.python("./deny-getppid.json", script)
        self.assertEqual((got["r"], got["errno"]), (-1, 38))


# Refused calls by number (x86-64), from python3 in the sandbox: ctypes'
# syscall() returns -1 with the filter's errno.
CALLS = r"""
import ctypes, os, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    return libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
"""


class RefusalsReported(SandboxTest):
    """Issue 15: the report names the calls the filter refused on purpose,
    with the answer, a count and the arguments the rule looked at; a
    payload the filter kills is reported as killed at that call."""

    def run_python(self, seccomp, script, expect_rc):
        report = self.path("report.json")
        cfg = base_config(seccomp=seccomp)
        cfg["process"] = {"path": "/usr/bin/python3", "args": ["python3", "-c", CALLS + script],
                          "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp"}
        res = self.run_cr(cfg, report=report)
        self.assertEqual(res.rc, expect_rc, res.describe())
        with open(report) as f:
            return res, json.load(f)

    def profile(self, rules, default="SCMP_ACT_ALLOW"):
        path = self.path("profile.json")
        with open(path, "w") as f:
            json.dump({"defaultAction": default, "syscalls": rules}, f)
        return path

    def entries(self, got):
        return [(d["syscall"], d["arch"], d["action"], d["errno"], d["count"], d["args"], d["by"])
                for d in got["denied"]]

    def test_errno_refusal_named_with_count(self):
        res, got = self.run_python("default", "for _ in range(3): call(250, 0, 0, 0)\nsys.exit(3)", 3)
        self.assertEqual(self.entries(got), [("keyctl", "x86_64", "EPERM", 1, 3, {}, "the filter")])
        self.assertIsNone(got["seccomp_killed_at"])
        self.assertIn("cleanroom: seccomp refused keyctl (EPERM) 3 times\n", res.err)

    def test_argument_filtered_refusal_names_the_argument(self):
        # strict: sockets of AF_UNIX only; AF_NETLINK (16) gets EAFNOSUPPORT
        script = "print(call(41, 16, 3, 0), ctypes.get_errno())\nsys.exit(1)"
        res, got = self.run_python("strict", script, 1)
        self.assertEqual(res.out.split(), ["-1", "97"], res.describe())
        self.assertEqual(self.entries(got), [("socket", "x86_64", "EAFNOSUPPORT", 97, 1, {"0": 16}, "the filter")])
        self.assertIn("cleanroom: seccomp refused socket (EAFNOSUPPORT) 1 time (args: 0=16)", res.err)

    def test_kill_names_the_call_and_ends_with_sigsys(self):
        profile = self.profile([{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}])
        res, got = self.run_python(profile, "call(110)\nprint('after the kill')", 128 + 31)
        self.assertNotIn("after the kill", res.out)
        self.assertEqual((got["signal"], got["exit_code"], got["seccomp_killed_at"]), (31, 159, "getppid"))
        self.assertEqual(self.entries(got), [("getppid", "x86_64", "kill", None, 1, {}, "the filter")])
        self.assertIn("cleanroom: seccomp killed the payload at getppid", res.err)

    def test_a_kill_is_named_when_the_table_is_full(self):
        profile = self.profile([
            {"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"},
            {"names": ["dup"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
             "args": [{"index": 0, "value": 1000, "op": "SCMP_CMP_GE"}]}])
        script = "for i in range(40): call(32, 1000 + i)\ncall(110)\nprint('after the kill')"
        res, got = self.run_python(profile, script, 128 + 31)
        self.assertNotIn("after the kill", res.out)
        self.assertEqual(got["seccomp_killed_at"], "getppid")
        self.assertIn("cleanroom: seccomp killed the payload at getppid", res.err)
        # 40 argument values of one call: one line, not one per value
        self.assertEqual(len([l for l in res.err.splitlines() if "refused dup" in l]), 1, res.err)

    def test_a_caller_that_took_another_id_still_dies(self):
        """The init has no capability: a payload that switched to an id the
        init may not signal ends with the whole sandbox instead."""
        if os.getuid() != 0:
            self.skipTest("an ordinary user's sandbox has one id unless subordinate ids are granted")
        profile = self.profile([{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}])
        report = self.path("report.json")
        cfg = base_config(seccomp=profile)
        cfg["capabilities"] = ["CAP_SETUID", "CAP_SETGID"]
        cfg["process"] = {"path": "/usr/bin/python3", "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp",
                          "args": ["python3", "-c", CALLS + "os.setresgid(2000, 2000, 2000); os.setresuid(2000, 2000, 2000)\n"
                                   "print(call(110)); print('survived the kill')"]}
        res = self.run_cr(cfg, report=report)
        self.assertEqual(res.rc, 128 + 31, res.describe())
        self.assertNotIn("survived", res.out)
        with open(report) as f:
            self.assertEqual(json.load(f)["seccomp_killed_at"], "getppid")

    def test_kill_of_a_forked_child_is_counted(self):
        # The child dies (SIGKILL: only the payload's own end is reported as
        # the kernel's SIGSYS); the payload goes on and says what it saw.
        profile = self.profile([{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}])
        script = ("pid = os.fork()\n"
                  "if pid == 0:\n    call(110); os._exit(0)\n"
                  "print(os.waitpid(pid, 0)[1] & 0x7f)\nsys.exit(4)")
        res, got = self.run_python(profile, script, 4)
        self.assertEqual(res.out.split(), ["9"], res.describe())
        self.assertIsNone(got["seccomp_killed_at"])
        self.assertEqual(self.entries(got), [("getppid", "x86_64", "kill", None, 1, {}, "the filter")])
        self.assertIn("cleanroom: seccomp killed a process at getppid (1 time)", res.err)

    def test_threads_and_processes_share_the_count(self):
        script = ("ts = [threading.Thread(target=call, args=(250, 0, 0, 0)) for _ in range(2)]\n"
                  "[t.start() for t in ts]; [t.join() for t in ts]\n"
                  "pid = os.fork()\n"
                  "if pid == 0:\n    call(250, 0, 0, 0); os._exit(0)\n"
                  "os.waitpid(pid, 0)\nsys.exit(2)")
        res, got = self.run_python("default", script, 2)
        self.assertEqual(self.entries(got), [("keyctl", "x86_64", "EPERM", 1, 3, {}, "the filter")])

    def test_distinct_arguments_are_distinct_entries(self):
        # default refuses the ioctls TIOCSTI and TIOCLINUX (EPERM): two
        # requests, two entries, each with the argument the rule looked at
        script = "call(16, 0, 0x5412, 0); call(16, 0, 0x5412, 0); call(16, 0, 0x541C, 0)\nsys.exit(1)"
        res, got = self.run_python("default", script, 1)
        self.assertEqual([(d["syscall"], d["action"], d["args"], d["count"]) for d in got["denied"]],
                         [("ioctl", "EPERM", {"1": 0x5412}, 2), ("ioctl", "EPERM", {"1": 0x541C}, 1)])

    def test_enosys_fallthrough_is_left_out(self):
        # clone3 and unlisted calls (sysfs, 139) get ENOSYS so that libc falls back: not named
        script = "print(call(435, 0, 0), ctypes.get_errno(), call(139, 1, 0), ctypes.get_errno())\nsys.exit(1)"
        res, got = self.run_python("default", script, 1)
        self.assertEqual(res.out.split(), ["-1", "38", "-1", "38"], res.describe())
        self.assertEqual(got["denied"], [])

    def test_a_run_that_refuses_nothing_lists_nothing(self):
        for seccomp in ("default", "strict"):
            res, got = self.run_python(seccomp, "print(os.getpid())", 0)
            self.assertEqual((got["denied"], got["seccomp_killed_at"]), ([], None), seccomp)
            self.assertNotIn("seccomp", res.err)

    def test_a_successful_run_prints_no_refusal_line(self):
        # the report still names it; the CLI prints lines for failed runs only
        res, got = self.run_python("default", "call(250, 0, 0, 0)", 0)
        self.assertEqual([d["syscall"] for d in got["denied"]], ["keyctl"])
        self.assertNotIn("seccomp refused", res.err)

    def test_under_a_filter_with_a_listener_the_policy_still_applies(self):
        """A container manager's syscall interception holds the filter
        chain's one listener: the sandbox's filter goes in without one, the
        refusals go uncounted (said so), and the policy is the same."""
        report = self.path("report.json")
        cfg = base_config(seccomp="default")
        cfg["process"] = {"path": "/usr/bin/python3", "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/tmp",
                          "args": ["python3", "-c", CALLS + "print(call(250, 0, 0, 0), ctypes.get_errno())\nsys.exit(3)"]}
        res = self.run_cr(cfg, report=report, wrapper=["--seccomp-listener"])
        self.assertEqual(res.rc, 3, res.describe())
        self.assertEqual(res.out.split(), ["-1", "1"])  # keyctl: EPERM all the same
        with open(report) as f:
            got = json.load(f)
        self.assertEqual((got["denied"], got["denied_reported"]), ([], False))
        self.assertIn("seccomp refusals were not counted", res.err)
        # strict's single exec needs the listener: a clear error, exit 125
        cfg["seccomp"] = "strict"
        res = self.run_cr(cfg, wrapper=["--seccomp-listener"])
        self.assertEqual(res.rc, 125, res.describe())
        self.assertIn("has a listener already", res.err)

    def test_notify_stays_cleanrooms_own(self):
        # a user profile may not notify anything but exec: refused before a start
        profile = self.profile([{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}])
        cfg = base_config(seccomp=profile)
        res = self.run_cr(cfg)
        self.assertEqual(res.rc, 125, res.describe())
        self.assertIn("SCMP_ACT_NOTIFY is only supported for execve and execveat", res.err)

    def test_a_profile_refusing_the_handover_runs_unreported(self):
        # sendmsg refused: the payload could not hand its listener to the init,
        # so the real filter runs, unreported, with its real answers (EACCES,
        # not the ENOSYS of a notification no one listens for)
        profile = self.profile([{"names": ["sendmsg"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                                {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}])
        res, got = self.run_python(profile, "print(call(250, 0, 0, 0), ctypes.get_errno())\nsys.exit(1)", 1)
        self.assertEqual(res.out.split(), ["-1", "13"], res.describe())
        self.assertEqual(got["denied"], [])

    def test_the_payloads_own_calls_are_answered_unnotified(self):
        # The calls the payload makes between its filter and its exec (close,
        # sendmsg, sendto, execve, execveat, exit, exit_group) take the real
        # filter's answer without a notification, so a refusal of one can
        # never wait for an init that cannot answer yet: not named.
        profile = self.profile([{"names": ["close"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7,
                                 "args": [{"index": 0, "value": 999, "op": "SCMP_CMP_EQ"}]},
                                {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}])
        script = ("try:\n    os.close(999)\nexcept OSError as e:\n    print(e.errno)\n"
                  "call(250, 0, 0, 0)\nsys.exit(1)")
        res, got = self.run_python(profile, script, 1)
        self.assertEqual(res.out.split(), ["7"], res.describe())
        self.assertEqual([(d["syscall"], d["action"]) for d in got["denied"]], [("keyctl", "EACCES")])

if __name__ == "__main__":
    unittest.main()
