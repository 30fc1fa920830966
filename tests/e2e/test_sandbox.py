# SPDX-License-Identifier: MIT
"""End-to-end tests: real sandboxes, asserting on what the child actually sees.

Each test checks one guarantee of DESIGN.md and fails when it is broken.
Where a guarantee is about something the launcher *inherited* (fds, signal
dispositions, a controlling tty, a keyring...), the test first runs the probe
on the host with the same setup as a control, so a test cannot pass merely
because the setup did not happen.
"""

import fcntl
import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import time
import unittest
import uuid

from crtest import (CANARY, CLEANROOM, FORWARDED_SIGNALS, LAUNCHER_ENV, NS_NAMES, PROBE,
                    SANDBOX_PROBE, SANDBOX_PROBE_DIR, SandboxTest, base_config,
                    cap_bits, expected_default_gid, expected_default_uid, expected_host_uid,
                    fd_map, host_mountpoints, host_ns, kill_pids, live_processes, mountinfo,
                    wait_gone)

CAP_NET_BIND_SERVICE = 10


# ---------------------------------------------------------------------------
# Guarantee 1: the fd table is exactly the declared one.
# ---------------------------------------------------------------------------
class FdTable(SandboxTest):

    def leaky_launch(self):
        """Wrapper options and pass_fds that give the launcher fds 3, 17,
        1000 and 2000 without O_CLOEXEC, a socketpair end and a pipe."""
        a, b = socket.socketpair()
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        r, w = os.pipe()
        # Keep the socket and the pipe clear of the numbers the wrapper uses.
        moved = []
        for fd in (a.fileno(), r, w):
            hi = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 30)
            self.addCleanup(os.close, hi)
            moved.append(hi)
        os.close(r)
        os.close(w)
        wrapper = ["--nofile", "4096"]
        for n in (3, 17, 1000, 2000):
            wrapper += ["--open", "%d:%s" % (n, self.write_file("leak%d" % n, "secret %d\n" % n))]
        self.leak_types = {3: "reg", 17: "reg", 1000: "reg", 2000: "reg",
                           moved[0]: "sock", moved[1]: "fifo", moved[2]: "fifo"}
        return wrapper, tuple(moved), set(self.leak_types)

    def test_inherited_fds_do_not_reach_the_child(self):
        wrapper, pass_fds, leaked = self.leaky_launch()
        # Control: the same launch of the probe on the host sees every fd.
        host = self.host_probe("dump", wrapper=wrapper, pass_fds=pass_fds)
        self.assertTrue(leaked <= set(fd_map(host)),
                        "test setup: host control does not see fds %s" % sorted(leaked - set(fd_map(host))))
        for n in leaked:
            self.assertFalse(fd_map(host)[n]["cloexec"])
            self.assertEqual(fd_map(host)[n]["type"], self.leak_types[n], "test setup: fd %d" % n)

        dump, res = self.probe(wrapper=wrapper, pass_fds=pass_fds)
        fds = fd_map(dump)
        self.assertEqual(sorted(fds), [0, 1, 2],
                         "the child's fd table is not exactly 0,1,2: %s"
                         % json.dumps([fds[k] for k in sorted(fds)], indent=1))
        # fd 1 is the very pipe the launcher was given, not a copy or a new one.
        self.assertEqual((fds[1]["dev"], fds[1]["ino"]), (res.stdout_stat.st_dev, res.stdout_stat.st_ino))
        self.assertEqual(fds[0]["target"], "/dev/null")
        self.assertNotIn(CANARY, json.dumps(dump))

    def test_no_launcher_fds_with_default_sandbox(self):
        """`cleanroom run -- CMD` (built-in default): only 0, 1, 2."""
        wrapper, pass_fds, _ = self.leaky_launch()
        res = self.run_cr(None, args=["/bin/ls", "-1", "/proc/self/fd"], wrapper=wrapper, pass_fds=pass_fds)
        self.assertEqual(res.rc, 0, res.describe())
        fds = sorted(int(x) for x in res.out.split())
        # ls lists /proc/self/fd through one fd of its own (the highest, 3).
        self.assertEqual(fds, [0, 1, 2, 3], "ls in the default sandbox sees fds %s%s" % (fds, res.describe()))

    def test_declared_fd_table(self):
        a = self.write_file("a", "file A\n")
        b = self.write_file("b", "file B\n")
        c = self.write_file("c", "file C\n")
        rd = self.write_file("in.txt", "input-data\n")
        wr = self.write_file("out-w.txt", "OLD CONTENT THAT MUST GO\n", 0o666)
        ap = self.write_file("out-a.txt", "start-", 0o666)
        rw = self.write_file("out-rw.txt", "abcdef", 0o666)
        fresh = os.path.join(self.sandbox_dir("out"), "fresh.txt")
        cfg = base_config(fds=[
            {"fd": 0, "null": True},
            {"fd": 1, "inherit": 1},
            {"fd": 2, "inherit": 2},
            {"fd": 3, "inherit": 4},
            {"fd": 4, "inherit": 3},
            {"fd": 5, "inherit": 2000},
            {"fd": 6, "path": rd, "mode": "r"},
            {"fd": 7, "path": wr, "mode": "w"},
            {"fd": 8, "path": ap, "mode": "a"},
            {"fd": 9, "path": rw, "mode": "rw"},
            {"fd": 10, "null": True},
            {"fd": 11, "path": fresh, "mode": "w"},
        ])
        wrapper = ["--open", "3:" + a, "--open", "4:" + b, "--open", "2000:" + c, "--open", "17:" + c]
        dump, _ = self.probe(cfg, wrapper=wrapper)
        fds = fd_map(dump)
        self.assertEqual(sorted(fds), list(range(12)),
                         "fd table %s" % json.dumps([fds[k] for k in sorted(fds)], indent=1))

        def ident(p):
            st = os.stat(p)
            return (st.st_dev, st.st_ino)

        def got(n):
            return (fds[n].get("dev"), fds[n].get("ino"))

        self.assertEqual(got(3), ident(b), "fd 3 should be the launcher's fd 4 (swap)")
        self.assertEqual(got(4), ident(a), "fd 4 should be the launcher's fd 3 (swap)")
        self.assertEqual(got(5), ident(c), "fd 5 should be the launcher's fd 2000")
        for n in (6, 7, 8, 9):
            self.assertEqual(got(n), ident({6: rd, 7: wr, 8: ap, 9: rw}[n]), "fd %d identity" % n)
        self.assertEqual(got(11), ident(fresh))
        for n in (0, 10):
            self.assertEqual(fds[n]["target"], "/dev/null", "fd %d" % n)
            self.assertEqual(fds[n].get("rdev"), "1:3", "fd %d is not the null device" % n)
        self.assertEqual(fds[6]["access"], "r")
        self.assertEqual((fds[7]["access"], fds[7]["append"]), ("w", False))
        self.assertEqual((fds[8]["access"], fds[8]["append"]), ("w", True))
        self.assertEqual(fds[9]["access"], "rw")
        self.assertEqual(fds[0]["access"], "rw", "null fds are opened read-write")

    def test_path_fd_modes(self):
        rd = self.write_file("in.txt", "input-data\n")
        wr = self.write_file("out-w.txt", "OLD CONTENT THAT MUST GO\n", 0o666)
        ap = self.write_file("out-a.txt", "start-", 0o666)
        rw = self.write_file("out-rw.txt", "abcdef", 0o666)
        fresh = os.path.join(self.sandbox_dir("out"), "fresh.txt")
        cfg = base_config(fds=[
            {"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2},
            {"fd": 6, "path": rd, "mode": "r"},
            {"fd": 7, "path": wr, "mode": "w"},
            {"fd": 8, "path": ap, "mode": "a"},
            {"fd": 9, "path": rw, "mode": "rw"},
            {"fd": 11, "path": fresh, "mode": "w"},
        ])
        out, _ = self.probe(cfg, probe_args=["fdio", "6:r", "6:w:nope", "7:w:hello", "7:r", "8:w:world",
                                             "9:r", "9:w:XY", "11:w:new file", "0:r"])
        by = {o["spec"]: o for o in out}
        self.assertTrue(by["6:r"]["ok"], by["6:r"])
        self.assertEqual(by["6:r"]["content"], "input-data\n")
        self.assertEqual(by["6:w:nope"].get("error"), "EBADF", "a mode-r fd accepted a write")
        self.assertTrue(by["7:w:hello"]["ok"], by["7:w:hello"])
        self.assertEqual(by["7:r"].get("error"), "EBADF", "a mode-w fd allowed a read")
        self.assertEqual(by["9:r"]["content"], "abcdef", "mode rw must not truncate")
        self.assertEqual(by["0:r"]["content"], "", "an undeclared fd 0 must be /dev/null")
        self.assertEqual(self.read_file(wr), "hello", "mode w must truncate")
        self.assertEqual(self.read_file(ap), "start-world", "mode a must append")
        self.assertEqual(self.read_file(rw), "abcdefXY")
        self.assertEqual(self.read_file(fresh), "new file", "mode w must create")
        self.assertEqual(os.stat(fresh).st_uid, expected_host_uid(),
                         "a file the config names is created with the sandbox's host identity")
        self.assertEqual(self.read_file(rd), "input-data\n", "mode r must not modify")

    def test_undeclared_std_fds_are_dev_null(self):
        cfg = base_config(fds=[{"fd": 1, "inherit": 1}])
        dump, _ = self.probe(cfg)
        fds = fd_map(dump)
        self.assertEqual(sorted(fds), [0, 1, 2])
        for n in (0, 2):
            self.assertEqual(fds[n]["target"], "/dev/null", "fd %d" % n)

    def test_inherit_of_closed_fd_fails_before_start(self):
        cfg = base_config(fds=[{"fd": 1, "inherit": 1}, {"fd": 3, "inherit": 77}])
        res = self.run_cr(cfg)
        self.assert_launcher_error(res, mentions=["77"])

    def test_missing_path_fd_fails_before_start(self):
        missing = self.path("no-such-input")
        cfg = base_config(fds=[{"fd": 1, "inherit": 1}, {"fd": 3, "path": missing, "mode": "r"}])
        self.assert_launcher_error(self.run_cr(cfg), mentions=[missing])


# ---------------------------------------------------------------------------
# Guarantee 2: env and argv exactly as declared.
# ---------------------------------------------------------------------------
class EnvArgv(SandboxTest):

    def test_env_and_argv_exact(self):
        env = {"PATH": "/usr/bin:/bin", "FOO": "bar baz", "EMPTY": "", "UNI": "h\u00e9llo=x"}
        args = ["argv0-is-free", "dump", "a b", "", "--x=1", "\u00e9"]
        cfg = base_config()
        cfg["process"]["env"] = env
        res = self.run_cr(dict(cfg, process=dict(cfg["process"], args=args)))
        self.assertEqual(res.rc, 0, res.describe())
        dump = res.json()
        self.assertEqual(dump["argv"], args)
        self.assertEqual(dump["env"], env)
        self.assertEqual(len(dump["environ"]), len(env), "duplicate or extra entries: %s" % dump["environ"])
        for leaked in ("PWD", "SHLVL", "CANARY_SECRET", "OLDPWD", "_", "LD_PRELOAD", "HOME"):
            self.assertNotIn(leaked, dump["env"])
        self.assertNotIn(CANARY, res.out)

    def test_args_after_dashdash_replace_argv_and_search_path(self):
        cfg = base_config()
        cfg["process"]["env"] = {"PATH": "/nonexistent:" + SANDBOX_PROBE_DIR + ":/usr/bin"}
        res = self.run_cr(cfg, args=["cr-probe", "dump", "x y"])
        self.assertEqual(res.rc, 0, res.describe())
        dump = res.json()
        self.assertEqual(dump["argv"], ["cr-probe", "dump", "x y"])
        self.assertEqual(dump["exe"], SANDBOX_PROBE)

    def test_cwd_is_inside_the_new_root(self):
        # The old root (the host's mounts) sits on the new root until the
        # launcher's helper detaches it: a cwd entered before that would be
        # the host's /tmp, which getcwd shows as "(unreachable)/tmp".
        cfg = base_config()
        cfg["process"]["cwd"] = "/tmp"
        dump, _ = self.probe(cfg)
        self.assertEqual(dump["cwd"], "/tmp")
        st, _ = self.probe(cfg, probe_args=["stat", "."])
        self.assertTrue(st["ok"], st)
        self.assertNotEqual((st["dev"], st["ino"]), (os.stat("/tmp").st_dev, os.stat("/tmp").st_ino),
                            "the payload's cwd is the host's /tmp")

    def test_default_sandbox_env(self):
        res = self.run_cr(None, args=["/usr/bin/env"])
        self.assertEqual(res.rc, 0, res.describe())
        env = dict(line.split("=", 1) for line in res.out.splitlines())
        self.assertEqual(set(env), {"PATH", "HOME", "LANG"}, res.describe())
        self.assertEqual(env["HOME"], "/tmp")
        self.assertEqual(env["LANG"], "C.UTF-8")
        self.assertNotIn(CANARY, res.out)

    def test_canary_nowhere_in_what_the_child_sees(self):
        dump, res = self.probe()
        self.assertNotIn(CANARY, res.out)
        self.assertNotIn(CANARY, res.err)


# ---------------------------------------------------------------------------
# Identity: the child never runs as host root.
# ---------------------------------------------------------------------------
class Identity(SandboxTest):

    def test_default_ids(self):
        dump, _ = self.probe()
        uid, gid = expected_default_uid(), expected_default_gid()
        self.assertEqual((dump["uid"], dump["euid"], dump["suid"]), (uid, uid, uid))
        self.assertEqual((dump["gid"], dump["egid"], dump["sgid"]), (gid, gid, gid))
        self.assertTrue(set(dump["groups"]) <= {gid},
                        "supplementary groups leaked into the sandbox: %s" % dump["groups"])

    def test_declared_ids_and_host_owner(self):
        out = self.make_dir("out", 0o777)
        cfg = base_config()
        cfg["process"].update(uid=1000, gid=1000)
        cfg["filesystem"].append({"type": "bind", "source": out, "target": "/out", "writable": True})
        dump, _ = self.probe(cfg)
        self.assertEqual((dump["uid"], dump["euid"], dump["gid"], dump["egid"]), (1000, 1000, 1000, 1000))
        self.assertTrue(set(dump["groups"]) <= {1000}, dump["groups"])
        w, _ = self.probe(cfg, probe_args=["write", "/out/owned", "x"])
        self.assertTrue(w["ok"], w)
        st = os.stat(os.path.join(out, "owned"))
        self.assertEqual(st.st_uid, expected_host_uid(), "file written by the child is owned by host uid %d" % st.st_uid)
        self.assertNotEqual(st.st_uid, 0)


# ---------------------------------------------------------------------------
# Guarantee 3: new namespaces; host processes, network, IPC, hostname invisible.
# ---------------------------------------------------------------------------
class Namespaces(SandboxTest):

    def test_every_namespace_is_new(self):
        names = ["user", "pid", "mount", "net", "ipc", "uts", "cgroup"]
        if os.path.exists("/proc/self/ns/time"):
            names.append("time")
        dump, _ = self.probe(base_config(namespaces=names))
        for n in names:
            link = NS_NAMES[n]
            self.assertIsNotNone(dump["ns"][link], "child cannot read its %s namespace" % n)
            self.assertNotEqual(dump["ns"][link], host_ns(link), "%s namespace is the host's" % n)

    def test_unlisted_namespaces_are_shared(self):
        cfg = base_config(namespaces=["user", "pid", "mount"], network="host")
        del cfg["hostname"]
        dump, _ = self.probe(cfg)
        for link in ("user", "pid", "mnt"):
            self.assertNotEqual(dump["ns"][link], host_ns(link), "%s namespace is the host's" % link)
        for link in ("net", "ipc", "uts", "cgroup"):
            self.assertEqual(dump["ns"][link], host_ns(link), "%s namespace was not listed but is new" % link)
        self.assertEqual(dump["hostname"], os.uname().nodename)

    def test_default_sandbox_namespaces(self):
        links = ["user", "pid", "mnt", "net", "ipc", "uts", "cgroup"]
        res = self.run_cr(None, args=["/usr/bin/readlink"] + ["/proc/self/ns/" + n for n in links])
        self.assertEqual(res.rc, 0, res.describe())
        got = res.out.split()
        self.assertEqual(len(got), len(links), res.describe())
        for n, g in zip(links, got):
            self.assertNotEqual(g, host_ns(n), "default sandbox shares the host's %s namespace" % n)

    def test_host_processes_invisible(self):
        ps, _ = self.probe(probe_args=["ps"])
        pids = {p["pid"] for p in ps["processes"]}
        self.assertIn(ps["self"], pids)
        self.assertTrue(pids <= {1, ps["self"]},
                        "the sandbox sees other processes: %s" % json.dumps(ps["processes"]))
        self.assertNotIn(os.getpid(), pids - {1, ps["self"]})

    def test_hostname(self):
        cfg = base_config()
        self.assertNotEqual(os.uname().nodename, cfg["hostname"])
        dump, _ = self.probe(cfg)
        self.assertEqual(dump["hostname"], cfg["hostname"])

    def test_namespaces_belong_to_the_sandbox(self):
        # The network namespace is made beside the init (network.c), not by
        # clone: it must still belong to the sandbox's user namespace, as
        # every other one does, so kept capabilities act on it.
        dump, _ = self.probe()
        for name in ("net", "ipc", "uts", "mnt", "pid", "cgroup"):
            self.assertEqual(dump["ns_owner"].get(name), "own",
                             "the %s namespace does not belong to the sandbox: %s" % (name, dump["ns_owner"]))

    def test_network_none_only_lo_up(self):
        dump, _ = self.probe()
        ifs = dump["interfaces"]
        self.assertEqual([i.get("name") for i in ifs], ["lo"], "interfaces: %s" % ifs)
        self.assertTrue(ifs[0].get("up") and ifs[0].get("loopback"), "lo is not up: %s" % ifs[0])

    def abstract_listener(self):
        name = "cr-e2e-" + uuid.uuid4().hex
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0" + name)
        s.listen(4)
        self.addCleanup(s.close)
        return "@" + name

    def test_host_abstract_sockets_invisible(self):
        name = self.abstract_listener()
        self.assertTrue(self.host_probe("connect-unix", name)["ok"], "test setup: host cannot connect")
        out, _ = self.probe(probe_args=["connect-unix", name])
        self.assertFalse(out["ok"], "the sandbox reached the host's abstract socket %s" % name)

    def test_network_host_shares_the_net_namespace(self):
        name = self.abstract_listener()
        cfg = base_config(network="host")
        cfg["namespaces"] = [n for n in cfg["namespaces"] if n != "net"]
        dump, _ = self.probe(cfg)
        self.assertEqual(dump["ns"]["net"], host_ns("net"))
        self.assertEqual(sorted(i.get("name") for i in dump["interfaces"]),
                         sorted(n for _, n in socket.if_nameindex()))
        out, _ = self.probe(cfg, probe_args=["connect-unix", name])
        self.assertTrue(out["ok"], "network host cannot reach the host's abstract socket: %s" % out)

    def test_sysv_ipc_invisible(self):
        key = str(0x43520000 + (os.getpid() & 0xffff))
        made = self.host_probe("shm-create", key)
        self.assertTrue(made["ok"], "test setup: shm-create failed: %s" % made)
        self.addCleanup(self.host_probe, "shm-rm", str(made["id"]))
        self.assertTrue(self.host_probe("shm-get", key)["ok"])
        out, _ = self.probe(probe_args=["shm-get", key])
        self.assertFalse(out["ok"], "the sandbox sees the host's SysV shm segment")
        self.assertEqual(out.get("error"), "ENOENT", out)


# ---------------------------------------------------------------------------
# Guarantee 4: capabilities, no_new_privs, seccomp.
# ---------------------------------------------------------------------------
class Capabilities(SandboxTest):

    def test_no_capabilities_and_no_new_privs(self):
        dump, _ = self.probe()
        st = dump["status"]
        for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            self.assertEqual(cap_bits(st[k]), 0, "%s = %s" % (k, st[k]))
        self.assertEqual(st["NoNewPrivs"], "1")
        self.assertEqual(dump["no_new_privs"], 1)
        out, _ = self.probe(probe_args=["bind-tcp", "80"])
        self.assertFalse(out["ok"], "bound port 80 without CAP_NET_BIND_SERVICE")
        self.assertEqual(out.get("error"), "EACCES", out)

    def test_one_declared_capability(self):
        cfg = base_config(capabilities=["CAP_NET_BIND_SERVICE"])
        dump, _ = self.probe(cfg)
        st = dump["status"]
        bit = 1 << CAP_NET_BIND_SERVICE
        for k in ("CapBnd", "CapAmb", "CapEff", "CapPrm"):
            self.assertEqual(cap_bits(st[k]), bit, "%s = %s, expected only CAP_NET_BIND_SERVICE" % (k, st[k]))
        self.assertIn(cap_bits(st["CapInh"]), (0, bit), "CapInh = %s" % st["CapInh"])
        self.assertEqual(st["NoNewPrivs"], "1")
        out, _ = self.probe(cfg, probe_args=["bind-tcp", "80"])
        self.assertTrue(out["ok"], "CAP_NET_BIND_SERVICE does not work: %s" % out)

    def test_seccomp_default_filter_installed(self):
        dump, _ = self.probe(base_config(seccomp="default"))
        self.assertEqual(dump["status"].get("Seccomp"), "2", "no seccomp filter in the child: %s" % dump["status"])
        self.assertGreaterEqual(int(dump["status"].get("Seccomp_filters", "0")), 1)

    def test_seccomp_none(self):
        dump, _ = self.probe(base_config(seccomp="none"))
        self.assertEqual(dump["status"].get("Seccomp"), "0")
        self.assertEqual(dump["status"]["NoNewPrivs"], "1", "no_new_privs is always set")


# ---------------------------------------------------------------------------
# Guarantee 5: signals, umask, session, controlling tty, keyring, personality.
# ---------------------------------------------------------------------------
class ProcessState(SandboxTest):

    def test_signal_dispositions_and_mask_reset(self):
        # 32 and 33 are the real-time signals glibc keeps for itself: only the
        # raw system call sets them, and a launcher must reset them too.
        wrapper = ["--ignore", "SIGPIPE", "--ignore", "SIGHUP", "--ignore", "SIGUSR2", "--ignore", "SIGINT",
                   "--ignore", "32", "--ignore", "33", "--block", "SIGUSR1", "--block", "SIGTERM", "--block", "SIGCHLD", "--umask", "077"]
        host = self.host_probe("dump", wrapper=wrapper)
        self.assertIn(signal.SIGPIPE, host["signals"]["ignored"], "test setup: SIGPIPE not ignored")
        self.assertIn(signal.SIGUSR1, host["signals"]["blocked"], "test setup: SIGUSR1 not blocked")
        self.assertEqual(int(host["status"]["SigIgn"], 16) & (3 << 31), 3 << 31, "test setup: 32, 33 not ignored")
        self.assertEqual(host["umask"], "0077")
        dump, _ = self.probe(wrapper=wrapper)
        self.assertEqual(dump["signals"]["ignored"], [], "ignored signals leaked into the child")
        self.assertEqual(dump["signals"]["blocked"], [], "blocked signals leaked into the child")
        self.assertEqual(int(dump["status"]["SigIgn"], 16), 0)
        self.assertEqual(int(dump["status"]["SigBlk"], 16), 0)
        self.assertEqual(int(dump["status"]["SigPnd"], 16), 0)
        self.assertEqual(int(dump["status"]["ShdPnd"], 16), 0)
        self.assertEqual(dump["umask"], "0022", "the launcher's umask 077 leaked")

    def test_declared_umask(self):
        cfg = base_config()
        cfg["process"]["umask"] = "0027"
        dump, _ = self.probe(cfg, wrapper=["--umask", "002"])
        self.assertEqual(dump["umask"], "0027")

    def test_new_session(self):
        dump, _ = self.probe()
        # Sharing the launcher's session would show sid 0 (its leader lives
        # outside the pid namespace); a new session is led inside.
        self.assertNotEqual(dump["sid"], 0, "the child is still in the launcher's session")
        self.assertIn(dump["sid"], (1, dump["pid"]), "session leader %d is not in the sandbox" % dump["sid"])
        self.assertEqual(dump["stat"]["session"], dump["sid"])

    def pty_launch(self):
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        return ["--ctty"], slave

    def test_no_controlling_tty(self):
        wrapper, slave = self.pty_launch()
        host = self.host_probe("dump", wrapper=wrapper, stdin=slave)
        self.assertTrue(host["dev_tty"]["ok"], "test setup: the launcher would have no controlling tty")
        self.assertNotEqual(host["stat"]["tty_nr"], 0)
        dump, _ = self.probe(wrapper=wrapper, stdin=slave)
        self.assertEqual(dump["stat"]["tty_nr"], 0, "the child has a controlling tty")
        self.assertFalse(dump["dev_tty"]["ok"], "the child can open /dev/tty")
        self.assertEqual(dump["dev_tty"].get("error"), "ENXIO", dump["dev_tty"])
        self.assertNotIn("sid", dump["tcgetsid0"], "fd 0 is the child's controlling tty")

    def test_no_tiocsti(self):
        try:
            with open("/proc/sys/dev/tty/legacy_tiocsti") as f:
                legacy = f.read().strip()
        except OSError:
            legacy = "1"
        if legacy == "0":
            self.skipTest("dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI to everyone, "
                          "so this test could not fail")
        wrapper, slave = self.pty_launch()
        host = self.host_probe("tiocsti", wrapper=wrapper, stdin=slave)
        self.assertTrue(host["ok"], "test setup: TIOCSTI fails on the host too: %s" % host)
        out, _ = self.probe(probe_args=["tiocsti"], wrapper=wrapper, stdin=slave)
        self.assertFalse(out["ok"], "the child pushed input into the launcher's terminal")

    def keyring_control(self):
        name = "cr-e2e-" + uuid.uuid4().hex[:12]
        wrapper = ["--keyring", name]
        host = self.host_probe("dump", wrapper=wrapper)
        self.assertIn("id", host["session_keyring"], "test setup: %s" % host["session_keyring"])
        self.assertIn(name, host["session_keyring"].get("describe", ""))
        return wrapper, host["session_keyring"]["id"], name

    def test_fresh_session_keyring(self):
        wrapper, host_id, name = self.keyring_control()
        dump, _ = self.probe(base_config(seccomp="none"), wrapper=wrapper)
        kr = dump["session_keyring"]
        self.assertIn("id", kr, "keyctl failed without seccomp: %s" % kr)
        self.assertNotEqual(kr["id"], host_id, "the child shares the launcher's session keyring")
        self.assertNotIn(name, kr.get("describe", ""), "the child is in the launcher's session keyring")

    def test_launcher_keyring_unreachable_with_default_seccomp(self):
        wrapper, host_id, name = self.keyring_control()
        dump, _ = self.probe(wrapper=wrapper)
        kr = dump["session_keyring"]
        self.assertNotEqual(kr.get("id"), host_id)
        self.assertNotIn(name, kr.get("describe", ""), "the child is in the launcher's session keyring")

    def test_personality_and_timer_slack_reset(self):
        plain = self.host_probe("dump")
        wrapper = ["--personality", "0x0040000", "--timerslack", "1234567"]
        host = self.host_probe("dump", wrapper=wrapper)
        self.assertEqual(host["personality"], 0x0040000, "test setup: personality not set")
        self.assertEqual(host["timerslack_ns"], 1234567, "test setup: timer slack not set")
        dump, _ = self.probe(wrapper=wrapper)
        self.assertEqual(dump["personality"], 0, "personality leaked: %#x" % dump["personality"])
        self.assertEqual(dump["timerslack_ns"], plain["timerslack_ns"], "timer slack leaked")

    def test_declared_rlimits(self):
        cfg = base_config(limits={"rlimits": {"NOFILE": 256, "CORE": 0, "NPROC": {"soft": 500, "hard": 600}}})
        dump, _ = self.probe(cfg, wrapper=["--nofile", "3000"])
        self.assertEqual(dump["rlimits"]["NOFILE"], [256, 256])
        self.assertEqual(dump["rlimits"]["CORE"], [0, 0])
        self.assertEqual(dump["rlimits"]["NPROC"], [500, 600])


# ---------------------------------------------------------------------------
# Filesystem: only declared entries, read-only binds.
# ---------------------------------------------------------------------------
class Mounts(SandboxTest):

    def fs_config(self):
        data = self.make_dir("data", 0o777)
        with open(os.path.join(data, "present.txt"), "w") as f:
            f.write("from the host\n")
        os.chmod(os.path.join(data, "present.txt"), 0o666)
        out = self.make_dir("out", 0o777)
        cfg = base_config()
        cfg["filesystem"] += [
            {"type": "bind", "source": data, "target": "/data"},
            {"type": "bind", "source": out, "target": "/out", "writable": True},
            {"type": "tmpfs", "target": "/scratch", "size": "1M"},
            {"type": "file", "target": "/conf/app.conf", "content": "key = value\n\u00e9\n"},
            {"type": "symlink", "target": "/conf/link", "to": "../data/present.txt"},
        ]
        return cfg, data, out

    def test_mountinfo_holds_only_declared_mounts(self):
        cfg, _, _ = self.fs_config()
        dump, _ = self.probe(cfg)
        mounts = mountinfo(dump)
        points = [m["point"] for m in mounts]
        by_type = {}
        for e in cfg["filesystem"]:
            by_type.setdefault(e["type"], []).append(e)
        must = {"/"} | {e["target"] for e in cfg["filesystem"] if e["type"] in ("bind", "tmpfs", "proc", "dev")}
        self.assertTrue(must <= set(points), "declared mounts missing: %s (mountinfo: %s)"
                        % (sorted(must - set(points)), points))
        host_points = host_mountpoints()
        allowed_prefixes = [e["target"] + "/" for e in cfg["filesystem"] if e["type"] in ("proc", "dev")]
        files = {e["target"] for e in cfg["filesystem"] if e["type"] == "file"}
        for m in mounts:
            p = m["point"]
            if p in must or p in files or any(p.startswith(x) for x in allowed_prefixes):
                continue
            # A submount of a bind is allowed only if it is a host submount
            # of the bind's source (recursive bind).
            ok = False
            for e in by_type.get("bind", []):
                if p.startswith(e["target"] + "/"):
                    ok = (e["source"] + p[len(e["target"]):]) in host_points
            self.assertTrue(ok, "undeclared mount %s in the sandbox:\n%s" % (p, "\n".join(dump["mountinfo"])))
        for e in cfg["filesystem"]:
            if e["type"] == "symlink":
                self.assertNotIn(e["target"], points, "symlink entry %s is a mount" % e["target"])

    def test_bind_mount_flags(self):
        cfg, _, _ = self.fs_config()
        dump, _ = self.probe(cfg)
        mounts = mountinfo(dump)
        binds = {e["target"]: e for e in cfg["filesystem"] if e["type"] == "bind"}
        self.assertTrue(set(binds) <= {m["point"] for m in mounts}, "bind mounts missing from mountinfo")
        for m in mounts:
            e = binds.get(m["point"])
            if e is None:
                # submounts of read-only binds must be read-only too
                parents = [t for t, b in binds.items() if m["point"].startswith(t + "/") and not b.get("writable")]
                if parents:
                    self.assertIn("ro", m["opts"], "submount %s of a read-only bind is writable" % m["point"])
                continue
            want = "rw" if e.get("writable") else "ro"
            self.assertIn(want, m["opts"], "bind %s should be %s: %s" % (m["point"], want, sorted(m["opts"])))
            self.assertIn("nosuid", m["opts"], "bind %s without nosuid" % m["point"])
            self.assertIn("nodev", m["opts"], "bind %s without nodev" % m["point"])

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"), "making a shared mount needs root and unshare(1)")
    def test_binds_of_shared_host_mounts_are_private(self):
        # The namespace's copies of the launcher's shared mounts are slaves of
        # them; a bind cloned from one must not be (no "master:"), or a mount
        # made there later would appear in the sandbox. The shared mount is
        # made in a private mount namespace of its own, not on the host.
        src = self.make_dir("shared", 0o755)
        cfg = base_config()
        cfg["filesystem"].append({"type": "bind", "source": src, "target": "/shared"})
        cfg["process"]["args"] = [SANDBOX_PROBE, "dump"]
        cmd = self.command(cfg)
        setup = ('mount --bind "$1" "$1" && mount --make-shared "$1" && '
                 'grep " $1 $1 " /proc/self/mountinfo | grep -q " shared:" || exit 99; '
                 'shift; exec "$@"')
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", setup, "sh", src] + cmd,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, env=dict(LAUNCHER_ENV),
                           cwd=self.tmp, timeout=60)
        self.assertNotEqual(r.returncode, 99, "test setup: %s is not a shared mount: %s" % (src, r.stderr))
        self.assertEqual(r.returncode, 0, "the sandboxed probe did not exit 0: %s" % r.stderr)
        mounts = mountinfo(json.loads(r.stdout))
        self.assertIn("/shared", [m["point"] for m in mounts])
        for m in mounts:
            self.assertEqual([t for t in m["tags"] if t.startswith(("master:", "shared:"))], [],
                             "%s propagates: %s" % (m["point"], m["tags"]))

    def test_root_holds_only_declared_entries(self):
        cfg, _, _ = self.fs_config()
        ls, _ = self.probe(cfg, probe_args=["ls", "/"])
        self.assertTrue(ls["ok"], ls)
        want = {e["target"].split("/")[1] for e in cfg["filesystem"]}
        self.assertEqual(set(ls["entries"]), want, "the sandbox root holds %s" % sorted(ls["entries"]))

    def test_read_only_binds(self):
        cfg, data, _ = self.fs_config()
        for path in ("/data/new.txt", "/data/present.txt", "/usr/cr-e2e-write-test", "/probe/cr-e2e"):
            out, _ = self.probe(cfg, probe_args=["write", path, "x"])
            self.assertFalse(out["ok"], "wrote %s through a read-only bind" % path)
            self.assertEqual(out.get("error"), "EROFS", "%s: %s" % (path, out))
        self.assertEqual(self.read_file(os.path.join(data, "present.txt")), "from the host\n")
        self.assertFalse(os.path.exists(os.path.join(data, "new.txt")))

    def test_writable_bind_reaches_the_host(self):
        cfg, _, out = self.fs_config()
        w, _ = self.probe(cfg, probe_args=["write", "/out/result.txt", "written inside\n"])
        self.assertTrue(w["ok"], w)
        self.assertEqual(self.read_file(os.path.join(out, "result.txt")), "written inside\n")

    def test_bind_content_visible(self):
        cfg, _, _ = self.fs_config()
        r, _ = self.probe(cfg, probe_args=["read", "/data/present.txt"])
        self.assertTrue(r["read_ok"], r)
        self.assertEqual(bytes.fromhex(r["hex"]), b"from the host\n")

    def test_tmpfs_private_writable_sized(self):
        cfg, _, _ = self.fs_config()
        marker = "/tmp/cr-e2e-host-" + uuid.uuid4().hex
        with open(marker, "w") as f:
            f.write("host")
        self.addCleanup(os.unlink, marker)
        ls, _ = self.probe(cfg, probe_args=["ls", "/tmp"])
        self.assertEqual(ls.get("entries"), [], "the sandbox /tmp is not empty: %s" % ls)
        w, _ = self.probe(cfg, probe_args=["write", "/tmp/x", "y"])
        self.assertTrue(w["ok"], w)
        dump, _ = self.probe(cfg)
        m = {x["point"]: x for x in mountinfo(dump)}
        self.assertEqual(m["/tmp"]["fstype"], "tmpfs")
        self.assertEqual(m["/scratch"]["fstype"], "tmpfs")
        self.assertIn("size=1024k", m["/scratch"]["super"], "tmpfs size not applied: %s" % m["/scratch"])

    def test_file_entry(self):
        cfg, _, _ = self.fs_config()
        r, _ = self.probe(cfg, probe_args=["read", "/conf/app.conf"])
        self.assertTrue(r["read_ok"], r)
        self.assertEqual(bytes.fromhex(r["hex"]).decode(), "key = value\n\u00e9\n")
        st, _ = self.probe(cfg, probe_args=["stat", "/conf/app.conf"])
        self.assertEqual((st["type"], st["mode"]), ("reg", "0444"), st)
        w, _ = self.probe(cfg, probe_args=["write", "/conf/app.conf", "changed"])
        self.assertFalse(w["ok"], "a file entry (mode 0444) was writable")

    def test_symlink_entry(self):
        cfg, _, _ = self.fs_config()
        ln, _ = self.probe(cfg, probe_args=["readlink", "/conf/link"])
        self.assertTrue(ln["ok"], ln)
        self.assertEqual(ln["target"], "../data/present.txt")
        r, _ = self.probe(cfg, probe_args=["read", "/conf/link"])
        self.assertEqual(bytes.fromhex(r.get("hex", "")), b"from the host\n")

    DEV_ALLOWED = {"null", "zero", "full", "random", "urandom", "tty", "shm", "pts", "ptmx", "fd", "stdin",
                   "stdout", "stderr", "core", "mqueue"}

    def test_dev_is_minimal(self):
        ls, _ = self.probe(probe_args=["ls", "/dev"])
        self.assertTrue(ls["ok"], ls)
        entries = set(ls["entries"])
        for dev in ("null", "zero", "full", "random", "urandom", "tty"):
            self.assertIn(dev, entries, "/dev/%s is missing" % dev)
        self.assertEqual(entries - self.DEV_ALLOWED, set(), "host devices in the sandbox's /dev")
        for dev, rdev in (("null", "1:3"), ("zero", "1:5"), ("urandom", "1:9")):
            st, _ = self.probe(probe_args=["stat", "/dev/" + dev])
            self.assertEqual((st.get("type"), st.get("rdev")), ("chr", rdev), "/dev/%s: %s" % (dev, st))
        dump, _ = self.probe()
        points = {m["point"]: m for m in mountinfo(dump)}
        self.assertNotIn("/dev/pts", points, "/dev/pts is mounted although the config did not ask")

    def test_dev_pts_when_asked(self):
        # A pty of ours on the host: /dev/pts/N the sandbox must not see.
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        host_pty = os.path.basename(os.ttyname(slave))
        cfg = base_config()
        for e in cfg["filesystem"]:
            if e["type"] == "dev":
                e["pts"] = True
        dump, _ = self.probe(cfg)
        points = {m["point"]: m for m in mountinfo(dump)}
        self.assertIn("/dev/pts", points, "pts: true gave no /dev/pts")
        self.assertEqual(points["/dev/pts"]["fstype"], "devpts")
        ls, _ = self.probe(cfg, probe_args=["ls", "/dev/pts"])
        self.assertTrue(ls["ok"], ls)
        self.assertNotIn(host_pty, ls["entries"], "the host's pty %s is visible" % host_pty)
        self.assertTrue(set(ls["entries"]) <= {"ptmx"}, "the host's ptys are visible: %s" % ls["entries"])

    def test_missing_bind_source_fails_before_start(self):
        cfg, _, out = self.fs_config()
        missing = self.path("does-not-exist")
        cfg["filesystem"].append({"type": "bind", "source": missing, "target": "/missing"})
        cfg["process"]["args"] = [SANDBOX_PROBE, "write", "/out/ran", "x"]
        res = self.run_cr(cfg)
        self.assert_launcher_error(res, mentions=[missing])
        self.assertFalse(os.path.exists(os.path.join(out, "ran")), "the payload ran")

    def test_optional_missing_bind_is_skipped(self):
        cfg, _, _ = self.fs_config()
        cfg["filesystem"].append({"type": "bind", "source": self.path("nope"), "target": "/opt-missing",
                                  "optional": True})
        st, _ = self.probe(cfg, probe_args=["stat", "/opt-missing"])
        self.assertFalse(st["ok"], "an optional bind with a missing source left %s" % st)

    def test_default_sandbox_mounts(self):
        res = self.run_cr(None, args=["/bin/sh", "-c", "cat /proc/self/mountinfo; echo ===; ls -a /; echo ===; "
                                      "echo x > /tmp/t && echo tmp-ok; echo x > /usr/cr-e2e 2>/dev/null || echo usr-ro"])
        self.assertEqual(res.rc, 0, res.describe())
        mi, root, rest = res.out.split("===\n")
        points = {line.split(" ")[4] for line in mi.splitlines()}
        for p in ("/", "/usr", "/etc", "/tmp", "/proc", "/dev"):
            self.assertIn(p, points, "default sandbox lacks %s" % p)
        for p in host_mountpoints() - {"/", "/proc", "/dev", "/dev/shm", "/dev/pts", "/tmp"}:
            self.assertNotIn(p, points, "host mount %s is visible in the default sandbox" % p)
        entries = set(root.split()) - {".", ".."}
        self.assertTrue(entries <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "tmp",
                                    "var", "run", "proc", "dev"}, "root holds %s" % sorted(entries))
        self.assertIn("tmp-ok", rest)
        self.assertIn("usr-ro", rest)


# ---------------------------------------------------------------------------
# The sandbox init (pid 1) and other processes do not leak the launcher.
# ---------------------------------------------------------------------------
class InitLeaks(SandboxTest):

    SECRET_FILES = ["environ", "maps", "mem", "auxv", "stack", "syscall", "smaps", "pagemap"]

    def test_proc_of_other_sandbox_processes(self):
        # Every sandbox of this config has the same processes (init, payload).
        ps, _ = self.probe(probe_args=["ps"])
        others = [p["pid"] for p in ps["processes"] if p["pid"] != ps["self"]]
        if not others:
            self.skipTest("no other process in the sandbox (payload is pid 1): nothing to leak through")
        for pid in others:
            for name in self.SECRET_FILES + ["task/%d/environ" % pid]:
                path = "/proc/%d/%s" % (pid, name)
                r, _ = self.probe(probe_args=["read", path])
                content = bytes.fromhex(r.get("hex", ""))
                self.assertNotIn(CANARY.encode(), content, "%s leaks the launcher's canary" % path)
                self.assertTrue(not r["read_ok"] or r["size"] == 0,
                                "%s is readable by the payload (%d bytes)" % (path, r.get("size", 0)))
            cl, _ = self.probe(probe_args=["read", "/proc/%d/cmdline" % pid])
            self.assertNotIn(CANARY.encode(), bytes.fromhex(cl.get("hex", "")),
                             "/proc/%d/cmdline shows the launcher's argv" % pid)
            ls, _ = self.probe(probe_args=["ls", "/proc/%d/fd" % pid])
            self.assertTrue(not ls["ok"] or ls["entries"] == [],
                            "/proc/%d/fd is listable: %s" % (pid, ls.get("entries")))
            for link in ("root", "cwd", "exe"):
                rl, _ = self.probe(probe_args=["readlink", "/proc/%d/%s" % (pid, link)])
                self.assertNotIn(CANARY, json.dumps(rl))
                self.assertFalse(rl["ok"] and rl["target"].startswith(self.tmp),
                                 "/proc/%d/%s shows a host path: %s" % (pid, link, rl))


# ---------------------------------------------------------------------------
# Exit status rules and launcher errors.
# ---------------------------------------------------------------------------
class ExitStatus(SandboxTest):

    def test_exit_codes(self):
        for code in (0, 3, 255):
            with self.subTest(code=code):
                res = self.run_cr(base_config(args=[SANDBOX_PROBE, "exit", str(code)]))
                self.assertEqual(res.rc, code, res.describe())
                self.assertEqual(res.err, "", "the launcher printed something on success" + res.describe())

    def test_killed_by_signal(self):
        for sig, code in (("SIGSEGV", 139), ("SIGKILL", 137), ("SIGTERM", 143), ("SIGABRT", 134)):
            with self.subTest(sig=sig):
                res = self.run_cr(base_config(args=[SANDBOX_PROBE, "kill-self", sig]))
                self.assertEqual(res.rc, code, res.describe())

    def test_not_executable_126(self):
        cfg = base_config()
        cfg["filesystem"].append({"type": "file", "target": "/noexec.sh", "content": "#!/bin/sh\nexit 0\n"})
        for prog in ("/noexec.sh", "/usr"):
            with self.subTest(prog=prog):
                res = self.run_cr(dict(cfg, process=dict(cfg["process"], path=prog, args=[prog])))
                self.assertEqual(res.rc, 126, res.describe())
                self.assertTrue(res.err.startswith("cleanroom: "), res.describe())

    def test_not_found_127(self):
        cfg = base_config()
        res = self.run_cr(dict(cfg, process=dict(cfg["process"], path="/nonexistent/prog", args=["prog"])))
        self.assertEqual(res.rc, 127, res.describe())
        self.assertTrue(res.err.startswith("cleanroom: "), res.describe())
        res = self.run_cr(cfg, args=["no-such-command-" + uuid.uuid4().hex[:6]])
        self.assertEqual(res.rc, 127, res.describe())
        res = self.run_cr(None, args=["/no/such/cmd"])
        self.assertEqual(res.rc, 127, res.describe())

    def test_bad_configs_125(self):
        cases = {
            "malformed": '{"process": ',
            "unknown key": '{"hostname": "x", "bogus": 1}',
            "wrong type": '{"hostname": 5}',
            "bad namespace": '{"namespaces": ["user", "pid", "mount", "spaceship"]}',
            "relative target": '{"filesystem": [{"type": "tmpfs", "target": "tmp"}]}',
            "duplicate fd": '{"fds": [{"fd": 1, "inherit": 1}, {"fd": 1, "null": true}]}',
        }
        for what, text in cases.items():
            with self.subTest(what=what):
                res = self.run_cr(self.write_config(text))
                self.assert_launcher_error(res)
                self.assertEqual(len(res.err.splitlines()), 1, "one error, one line" + res.describe())
        res = self.run_cr(self.path("missing-config.json"))
        self.assert_launcher_error(res, mentions=["missing-config.json"])

    def test_misspelt_key_names_path_and_suggestion(self):
        res = self.run_cr(self.write_config('{"hostnme": "x"}'))
        self.assert_launcher_error(res, mentions=["$.hostnme", "hostname"])
        res = self.run_cr(self.write_config('{"filesystem": [{"type": "bind", "sorce": "/usr", "target": "/usr"}]}'))
        self.assert_launcher_error(res, mentions=["$.filesystem[0].sorce", "source"])

    def test_bad_seccomp_policy_125(self):
        out = self.make_dir("out", 0o777)
        missing = self.path("no-such-policy.json")
        bad = self.write_file("bad-policy.json", '{"defaultAction": "SCMP_ACT_NONSENSE"}')
        for what, spec, mentions in (("missing file", missing, [missing]),
                                     ("bad action", bad, ["SCMP_ACT_NONSENSE"]),
                                     ("inline bad action", {"defaultAction": "SCMP_ACT_NONSENSE"},
                                      ["SCMP_ACT_NONSENSE"])):
            with self.subTest(what=what):
                cfg = base_config(args=[SANDBOX_PROBE, "write", "/out/ran", "x"], seccomp=spec)
                cfg["filesystem"].append({"type": "bind", "source": out, "target": "/out", "writable": True})
                self.assert_launcher_error(self.run_cr(cfg), mentions=mentions)
                self.assertFalse(os.path.exists(os.path.join(out, "ran")), "the payload ran")

    def test_usage_errors_125(self):
        for argv in (["frobnicate"], ["run"], ["run", "--report"]):
            with self.subTest(argv=argv):
                p = subprocess.run([CLEANROOM] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(LAUNCHER_ENV), timeout=10)
                self.assertEqual(p.returncode, 125, p.stderr)
                self.assertTrue(p.stderr.decode().startswith("cleanroom: "), p.stderr)

    def test_version_and_help(self):
        for flag in ("--version", "--help"):
            p = subprocess.run([CLEANROOM, flag], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
            self.assertEqual(p.returncode, 0, "%s: %s" % (flag, p.stderr))
            self.assertTrue(p.stdout.strip(), flag)


# ---------------------------------------------------------------------------
# Guarantee 6: supervision; the sandbox dies with the launcher.
# ---------------------------------------------------------------------------
class Supervision(SandboxTest):

    def start_sleeper(self, marker, cfg=None, secs="30"):
        cfg = cfg or base_config(args=[SANDBOX_PROBE, "sleep", secs, marker])
        p = self.start(cfg)
        line = self.read_line(p)
        parts = line.split()
        self.assertEqual(parts[0], "ready", line)
        self.addCleanup(lambda: kill_pids(live_processes(marker), marker))
        return p, parts[2] if len(parts) > 2 else None

    def test_signals_are_forwarded(self):
        for name in FORWARDED_SIGNALS:
            with self.subTest(signal=name):
                marker = "cr-e2e-" + uuid.uuid4().hex
                p, _ = self.start_sleeper(marker)
                os.kill(p.pid, getattr(signal, name))
                try:
                    out, err = p.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    out, err = p.communicate()
                    self.fail("%s to the launcher: no exit within 10 s" % name)
                self.assertIn("got " + name, out.decode(), "the payload did not get %s (exit %s, stderr %r)"
                              % (name, p.returncode, err))
                self.assertEqual(p.returncode, 0, "exit status is not the payload's (stderr %r)" % err)

    def test_sigkill_to_launcher_leaves_nothing(self):
        marker = "cr-e2e-" + uuid.uuid4().hex
        script = ("%s daemon 30 %s >/dev/null; exec %s sleep 30 %s"
                  % (SANDBOX_PROBE, marker, SANDBOX_PROBE, marker))
        cfg = base_config(args=["/bin/sh", "-c", script])
        cfg["process"]["path"] = "/bin/sh"
        p, pidns = self.start_sleeper(marker, cfg)
        self.assertNotEqual(pidns, host_ns("pid"), "the payload runs in the host's pid namespace")
        before = live_processes(marker, pidns)
        self.assertGreaterEqual(len(before), 2, "test setup: expected the sleeper and its daemon, saw %s" % before)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        left = wait_gone(marker, pidns, timeout=3.0)
        kill_pids(left, marker, pidns)
        self.assertEqual(left, [], "sandbox processes outlived the launcher: %s"
                         % [(pid, live_cmd(pid)) for pid in left])

    def test_payload_exit_ends_the_sandbox(self):
        marker = "cr-e2e-" + uuid.uuid4().hex
        t0 = time.monotonic()
        res = self.run_cr(base_config(args=[SANDBOX_PROBE, "daemon", "20", marker]), timeout=15)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertLess(time.monotonic() - t0, 10, "the launcher waited for the payload's daemon")
        left = wait_gone(marker, None, timeout=2.0)
        kill_pids(left, marker)
        self.assertEqual(left, [], "a process of the sandbox outlived the run")

    def test_orphans_are_reaped(self):
        out, _ = self.probe(probe_args=["orphans"])
        self.assertTrue(out["orphan"] > 0, out)
        self.assertEqual(out["zombies"], [], "unreaped zombies in the sandbox: %s" % out)

    def test_time_limit(self):
        # sleep sums its arguments: a unique tiny second one marks the process.
        marker = "0.000%012d" % (uuid.uuid4().int % 10 ** 12)
        cfg = base_config(args=["/usr/bin/sleep", "30", marker],
                          limits={"time_ms": 500, "kill_grace_ms": 500})
        cfg["process"]["path"] = "/usr/bin/sleep"
        res = self.run_cr(cfg, timeout=20)
        self.assertLess(res.elapsed, 8, "the time limit did not end the run" + res.describe())
        self.assertIn(res.rc, (128 + signal.SIGKILL, 128 + signal.SIGTERM), res.describe())
        left = wait_gone(marker, None, 2.0)
        kill_pids(left, marker)
        self.assertEqual(left, [], "the payload outlived the time limit")


def live_cmd(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return "?"


# ---------------------------------------------------------------------------
# The command line: check, the built-in default.
# ---------------------------------------------------------------------------
class Cli(SandboxTest):

    def check(self, cfg):
        res = self.run_cr(cfg, sub="check")
        self.assertEqual(res.rc, 0, res.describe())
        try:
            return res.json(), res
        except ValueError:
            self.fail("check did not print JSON" + res.describe())

    def test_check_prints_resolved_config(self):
        default, _ = self.check(self.write_config("{}"))
        for key in ("process", "namespaces", "filesystem", "fds", "seccomp", "network", "hostname"):
            self.assertIn(key, default, "resolved default lacks %s" % key)
        self.assertEqual(default["hostname"], "cleanroom")
        self.assertEqual(default["network"], "none")
        self.assertEqual(default["process"]["env"].get("HOME"), "/tmp")
        cfg = {"hostname": "check-" + uuid.uuid4().hex[:6], "process": {"args": ["/bin/true", "x"]}}
        got, _ = self.check(cfg)
        self.assertEqual(got["hostname"], cfg["hostname"])
        self.assertEqual(got["process"]["args"], ["/bin/true", "x"])
        # Sections the file does not name are the default's.
        for key in ("namespaces", "filesystem", "fds", "seccomp", "network"):
            self.assertEqual(got[key], default[key], "section %s is not the default's" % key)
        # The printed config is itself a config that resolves to the same.
        again, _ = self.check(self.write_config(json.dumps(got)))
        self.assertEqual(again, got)

    def test_check_does_not_run(self):
        out = self.make_dir("out", 0o777)
        cfg = base_config(args=[SANDBOX_PROBE, "write", "/out/ran", "x"])
        cfg["filesystem"].append({"type": "bind", "source": out, "target": "/out", "writable": True})
        self.check(cfg)
        self.assertFalse(os.path.exists(os.path.join(out, "ran")))

    def test_check_errors_125(self):
        res = self.run_cr(self.write_config('{"nmespaces": []}'), sub="check")
        self.assert_launcher_error(res, mentions=["$.nmespaces"])

    def test_check_compiles_an_inline_seccomp_profile(self):
        # The inline profile is checked as a profile, and its errors are
        # placed in the config: $.seccomp..., not the profile's own $....
        rule = {"names": ["read"], "action": "SCMP_ACT_ALLOW"}
        cases = [
            (dict(rule, action="SCMP_ACT_BOGUS"), "$.seccomp.syscalls[0].action"),
            (dict(rule, args=[{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]), "$.seccomp.syscalls[0].args[0].index"),
            # only libseccomp's compilation refuses this one
            (dict(rule, args=[{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                              {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]), "$.seccomp.syscalls[0].args[1]"),
        ]
        for bad, where in cases:
            cfg = {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [bad]}}
            for sub in ("check", "run"):
                res = self.run_cr(self.write_config(json.dumps(cfg)), args=["/bin/true"] if sub == "run" else None,
                                  sub=sub)
                self.assert_launcher_error(res, mentions=[where + ": "])

    def test_long_paths_are_whole_in_errors(self):
        # A missing bind source (found by the config's check) and a mount
        # that fails in the sandbox (found by the init), with paths longer
        # than any fixed buffer the messages once had.
        src = "/" + "/".join(c * 120 for c in "def") + "/missing"
        cfg = {"filesystem": [{"type": "bind", "source": src, "target": "/x"}]}
        res = self.run_cr(self.write_config(json.dumps(cfg)), args=["/bin/true"])
        self.assert_launcher_error(res, mentions=["$.filesystem[0].source", src])
        target = "/tmp/f/" + "t" * 150 + "/" + "u" * 150
        cfg = {"process": {"args": ["/bin/true"]},
               "filesystem": [{"type": "tmpfs", "target": "/tmp"},
                              {"type": "file", "target": "/tmp/f", "content": "x"},
                              {"type": "bind", "source": "/etc", "target": target}]}
        res = self.run_cr(self.write_config(json.dumps(cfg)))
        self.assert_launcher_error(res, mentions=["$.filesystem[2] " + target + ": ", "Not a directory"])

    def test_default_sandbox_shell(self):
        script = ("echo $$; cat /proc/sys/kernel/hostname; pwd; umask; id -u; grep -E "
                  "'^(CapEff|CapBnd|NoNewPrivs|SigIgn|SigBlk):' /proc/self/status; tail -n +3 /proc/net/dev")
        res = self.run_cr(None, args=["/bin/sh", "-c", script])
        self.assertEqual(res.rc, 0, res.describe())
        lines = res.out.splitlines()
        self.assertLessEqual(int(lines[0]), 3, "the shell's pid is not small: not a new pid namespace")
        self.assertEqual(lines[1], "cleanroom")
        self.assertEqual(lines[2], "/tmp")
        self.assertEqual(lines[3], "0022")
        self.assertEqual(int(lines[4]), expected_default_uid())
        status = dict(l.split(":\t") for l in lines[5:10])
        self.assertEqual(int(status["CapEff"], 16), 0)
        self.assertEqual(int(status["CapBnd"], 16), 0)
        self.assertEqual(status["NoNewPrivs"], "1")
        self.assertEqual(int(status["SigIgn"], 16), 0)
        self.assertEqual(int(status["SigBlk"], 16), 0)
        ifaces = [l.split(":")[0].strip() for l in lines[10:]]
        self.assertEqual(ifaces, ["lo"], res.describe())

    def test_report_file(self):
        report = self.path("report.json")
        res = self.run_cr(base_config(args=[SANDBOX_PROBE, "exit", "3"]), report=report)
        self.assertEqual(res.rc, 3, res.describe())
        self.assertTrue(os.path.exists(report), "--report wrote no file" + res.describe())
        with open(report) as f:
            rep = json.load(f)
        self.assertIn(3, [v for k, v in rep.items() if "exit" in k], "report: %s" % rep)


if __name__ == "__main__":
    unittest.main()
