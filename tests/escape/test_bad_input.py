# SPDX-License-Identifier: MIT
"""Bad input, end to end: a table of broken configs, each of which must end
with exit 125 before the payload starts, with every stderr line of the form
`cleanroom: WHERE: WHAT` naming the cause (a keyword per case), nothing on
stdout, and no process, mount or cgroup left behind.

The payload of every case would write /out/ran (a writable bind of a host
folder): that file appearing means the payload ran despite the bad input.
"""

import glob
import json
import os
import subprocess
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, SANDBOX_PROBE, base_config, kill_pids, live_processes
from esctest import EscapeTest, new_marker

PATH_MAX = 4096


def cgroup_dirs():
    found = set()
    for pattern in ("/sys/fs/cgroup/cleanroom-*", "/sys/fs/cgroup/*/cleanroom-*", "/sys/fs/cgroup/*/*/cleanroom-*",
                    "/sys/fs/cgroup/*/*/*/cleanroom-*"):
        found.update(glob.glob(pattern))
    return found


def mount_count():
    with open("/proc/self/mountinfo") as f:
        return len(f.readlines())


def unreadable_file():
    """A file that exists and that we cannot read (as nobody: a root 0600/0640 file)."""
    for p in ("/etc/shadow", "/etc/gshadow", "/root/.bashrc"):
        if os.path.exists(p) and not os.access(p, os.R_OK):
            return p
    return None


class BadInput(EscapeTest):

    def base(self):
        out = self.make_dir("out", 0o777)
        cfg = base_config(args=[SANDBOX_PROBE, "write", "/out/ran", "x"])
        cfg["filesystem"].append({"type": "bind", "source": out, "target": "/out", "writable": True})
        self.out_dir = out
        return cfg

    def with_(self, f):
        """The valid base config, changed by f."""
        cfg = self.base()
        f(cfg)
        return cfg

    def cases(self):
        """(name, config, keywords): config is a dict (a change of the valid
        base), text (the whole file), bytes, or ("path", P) for a config path."""
        with_ = self.with_

        def proc(**kw):
            return lambda c: c["process"].update(kw)

        def fs(entry):
            return lambda c: c["filesystem"].append(entry)

        def lim(**kw):
            return lambda c: c.__setitem__("limits", kw)

        missing = self.path("no-such-dir", "nothing")
        broken_policy = self.write_file("broken-policy.json", '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [')
        bad_policy = self.write_file("bad-policy.json", json.dumps(
            {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_FROBNICATE"}]}))
        long_host = "/" + "/".join(["d" * 200] * 25)          # > PATH_MAX
        long_name = "/" + "n" * 300                           # > NAME_MAX
        good = json.dumps(self.base())
        rows = [
            ("malformed JSON", '{"process": {"args": ["x"', ["JSON"]),
            ("trailing garbage", good + " }", ["JSON"]),
            ("not an object", "[1, 2, 3]", ["$"]),
            ("unknown key", with_(lambda c: c.__setitem__("procss", {})), ["$.procss", "process"]),
            ("wrong type hostname", with_(lambda c: c.__setitem__("hostname", 5)), ["$.hostname"]),
            ("wrong type args", with_(proc(args="sh")), ["$.process.args"]),
            ("wrong type env value", with_(proc(env={"A": 1})), ["$.process.env.A"]),
            ("wrong type fds", with_(lambda c: c.__setitem__("fds", {"fd": 1})), ["$.fds"]),
            ("wrong type writable", with_(fs({"type": "tmpfs", "target": "/t", "size": True})), ["$.filesystem"]),
            ("absent bind source", with_(fs({"type": "bind", "source": missing, "target": "/m"})), [missing]),
            ("absent fd path", with_(lambda c: c.__setitem__("fds", [{"fd": 1, "inherit": 1},
                                                                      {"fd": 3, "path": missing, "mode": "r"}])),
             [missing]),
            ("absent policy file", with_(lambda c: c.__setitem__("seccomp", missing)), [missing]),
            ("absent config", ("path", missing), [missing]),
            ("fd that is not open", with_(lambda c: c.__setitem__("fds", [{"fd": 1, "inherit": 1},
                                                                           {"fd": 3, "inherit": 987}])), ["987"]),
            ("policy with a bad action (inline)", with_(lambda c: c.__setitem__("seccomp", {
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["read"], "action": "SCMP_ACT_FROBNICATE"}]})), ["SCMP_ACT_FROBNICATE"]),
            ("policy with a bad action (file)", with_(lambda c: c.__setitem__("seccomp", bad_policy)),
             ["SCMP_ACT_FROBNICATE"]),
            ("policy that is not JSON", with_(lambda c: c.__setitem__("seccomp", broken_policy)),
             ["broken-policy.json"]),
            ("policy with a bad arg op", with_(lambda c: c.__setitem__("seccomp", {
                "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO",
                                                                 "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]})),
             ["index"]),
            ("huge time_ms", with_(lim(time_ms=1e300)), ["$.limits.time_ms"]),
            ("huge pids", '{"limits": {"pids": 184467440737095516160}}', ["$.limits.pids"]),
            ("huge memory", with_(lim(memory="99999999999999999999G")), ["$.limits.memory"]),
            ("huge uid", with_(proc(uid=2 ** 32)), ["$.process.uid"]),
            ("negative uid", with_(proc(uid=-1)), ["$.process.uid"]),
            ("huge fd number", with_(lambda c: c.__setitem__("fds", [{"fd": 2 ** 31, "null": True}])), ["$.fds[0]"]),
            ("huge rlimit", with_(lim(rlimits={"NOFILE": 2 ** 70})), ["$.limits.rlimits.NOFILE"]),
            ("fractional time_ms", with_(lim(time_ms=1.5)), ["$.limits.time_ms"]),
            ("deep arrays (10000)", "[" * 10000 + "]" * 10000, ["nested"]),
            ("deep objects (10000)", '{"hostname": ' + '{"a": ' * 10000 + "1" + "}" * 10000 + "}", ["nested"]),
            ("non-UTF-8 hostname", b'{"hostname": "\xff\xfe"}', ["UTF-8"]),
            ("non-UTF-8 env", None, ["UTF-8"]),
            ("non-UTF-8 arg", None, ["UTF-8"]),
            ("NUL in a string", '{"hostname": "a\\u0000b"}', ["NUL"]),
            ("over-long bind source", with_(fs({"type": "bind", "source": long_host, "target": "/l"})), ["too long"]),
            ("over-long target", with_(fs({"type": "tmpfs", "target": long_host})), ["too long"]),
            ("over-long cwd", with_(proc(cwd=long_host)), ["too long"]),
            ("over-long fd path", with_(lambda c: c.__setitem__("fds", [{"fd": 3, "path": long_host, "mode": "r"}])),
             ["too long"]),
            ("over-long name component", with_(fs({"type": "bind", "source": long_name, "target": "/l"})),
             ["$.filesystem"]),
            ("over-long config path", ("path", self.tmp + long_host), ["cleanroom"]),
            ("config is a directory", ("path", self.make_dir("a-dir")), ["directory"]),
            ("empty config file", "", ["empty"]),
            ("whitespace only", " \n\t\n", ["empty"]),
            ("/dev/zero as config", ("path", "/dev/zero"), ["/dev/zero"]),
            ("relative sandbox path", with_(fs({"type": "tmpfs", "target": "rel"})), ["$.filesystem"]),
            ("dotdot target", with_(fs({"type": "tmpfs", "target": "/../../etc"})), ["$.filesystem"]),
        ]
        # Built from the valid base, with raw bytes spliced in.
        b = json.dumps(self.base())
        out = []
        for name, cfg, kws in rows:
            if name == "non-UTF-8 env":
                cfg = b.replace('"env": {', '"env": {"BAD": "\udcc3(", ', 1).encode("utf-8", "surrogateescape")
            elif name == "non-UTF-8 arg":
                cfg = b.replace('"args": [', '"args": ["\udcff\udcfe", ', 1).encode("utf-8", "surrogateescape")
            out.append((name, cfg, kws))
        return out

    def unreadable_cases(self, unread):
        with_ = self.with_
        return [("unreadable config", ("path", unread), [unread]),
                ("unreadable fd path", with_(lambda c: c.__setitem__("fds", [
                    {"fd": 1, "inherit": 1}, {"fd": 3, "path": unread, "mode": "r"}])), [unread]),
                ("unreadable policy", with_(lambda c: c.__setitem__("seccomp", unread)), [unread])]

    def write_case(self, marker, i, cfg):
        name = "%s-%02d.json" % (marker, i)
        if isinstance(cfg, tuple):
            return cfg[1]
        if isinstance(cfg, dict):
            return self.write_config(cfg, name)
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(cfg if isinstance(cfg, bytes) else cfg.encode())
        os.chmod(p, 0o644)
        return p

    def check_rows(self, rows):
        marker = new_marker()
        mounts0, cgroups0 = mount_count(), cgroup_dirs()
        for i, (name, cfg, keywords) in enumerate(rows):
            with self.subTest(case=name):
                path = self.write_case(marker, i, cfg)
                # The marker rides in argv: any leftover launcher carries it.
                res = self.run_cr(path, args=None, timeout=20) if not isinstance(cfg, tuple) else \
                    self.run_cr(path, args=["/probe/cr-probe", "write", "/out/ran", marker])
                self.assert_launcher_error(res, mentions=keywords)
                self.assertFalse(os.path.exists(os.path.join(self.out_dir, "ran")), "the payload ran" + res.describe())
                self.assertEqual(mount_count(), mounts0, "the mount table changed")
                self.assertEqual(cgroup_dirs() - cgroups0, set(), "a cgroup was left behind")
                left = live_processes(marker)
                kill_pids(left, marker)
                self.assertEqual(left, [], "processes left behind")

    def test_bad_input_table(self):
        rows = self.cases()
        self.assertGreater(len(rows), 40)
        self.check_rows(rows)

    def test_unreadable_inputs(self):
        unread = unreadable_file()
        if not unread:
            self.skipTest("no file on this machine is unreadable to this uid (running as root)")
        self.check_rows(self.unreadable_cases(unread))

    def test_bad_cli_input(self):
        marker = new_marker()
        cfg = self.write_config(self.base(), marker + ".json")
        for argv in (["run", cfg, "--report"], ["run", cfg, "--bogus"], ["run"], ["check", cfg, cfg],
                     ["run", cfg, "--memory"], ["run", cfg, "--time", "forever"], ["run", cfg, "--", ],
                     ["check", cfg, "--report", "x"], ["policy", "check"],
                     ["policy", "check", self.path("nope-" + marker)], ["run", cfg, "--report", "/nonexistent/dir/r.json"],
                     ["run", "\udcff" + marker]):
            with self.subTest(argv=argv):
                if os.path.exists(os.path.join(self.out_dir, "ran")):
                    os.unlink(os.path.join(self.out_dir, "ran"))
                p = subprocess.run([CLEANROOM] + [a.encode("utf-8", "surrogateescape") for a in argv],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV),
                                   timeout=20, cwd=self.tmp)
                err = p.stderr.decode("utf-8", "replace")
                self.assertEqual(p.returncode, 125, "%s: exit %s, %r" % (argv, p.returncode, err))
                lines = err.splitlines()
                self.assertTrue(lines and all(l.startswith("cleanroom: ") for l in lines), repr(err))
                self.assertFalse(os.path.exists(os.path.join(self.out_dir, "ran")),
                                 "the payload ran although the command line is bad: %s -> %r" % (argv, err))
        left = live_processes(marker)
        kill_pids(left, marker)
        self.assertEqual(left, [])


if __name__ == "__main__":
    unittest.main()
