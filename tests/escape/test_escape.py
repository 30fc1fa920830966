# SPDX-License-Identifier: MIT
"""Escape tests: one class per attack class, each running cr-attack (a real
attacker program) inside a real sandbox and failing when the attack works.

The attacks come from the record of sandbox escapes (bubblewrap, runc, crun,
firejail): TIOCSTI injection (CVE-2017-5226, CVE-2016-7545), overwriting the
runtime through /proc/self/exe (CVE-2019-5736), a leaked fd as cwd
(CVE-2024-21626), symlinks in mount targets (CVE-2021-30465, CVE-2018-1000001
class), capabilities kept across exec, seccomp only installed through a
dynamic loader, namespace re-entry, and resource exhaustion.

Where an attack's detection could silently not work, the test first runs the
same attacker on the host as a control.
"""

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import pty
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import termios
import time
import unittest
import uuid

from crtest import (CLEANROOM, LAUNCHER_ENV, PROBE, SANDBOX_PROBE, base_config, kill_pids,
                    live_processes, wait_gone)
from esctest import ATTACK, SANDBOX_ATTACK, EscapeTest, attack_config, last_json, new_marker

AS_ROOT = os.geteuid() == 0


def legacy_tiocsti():
    try:
        with open("/proc/sys/dev/tty/legacy_tiocsti") as f:
            return f.read().strip() != "0"
    except OSError:
        return True


def drain(fd):
    """Everything readable from fd now (non-blocking)."""
    data = b""
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    try:
        while select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, fl)
    return data


def queued(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


# ---------------------------------------------------------------------------
# Terminal injection (TIOCSTI, CVE-2017-5226 in bubblewrap, CVE-2016-7545 in
# SELinux sandbox): a pty as stdin, the attacker pushes input into it.
# ---------------------------------------------------------------------------
class TerminalInjection(EscapeTest):

    def pty(self):
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        # Non-canonical with echo: an injected byte is readable from the slave
        # at once (FIONREAD) and echoed to the master.
        attrs = termios.tcgetattr(slave)
        attrs[3] = (attrs[3] & ~termios.ICANON) | termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        return master, slave

    def control(self):
        """On the host, with the pty as controlling tty, the attacker injects."""
        if not legacy_tiocsti():
            self.skipTest("dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI to everyone, "
                          "so this test could not fail")
        master, slave = self.pty()
        out = self.host_attack("tty", stdin=slave, prefix=[PROBE, "exec-with", "--ctty", "--"])
        self.assertIn("ioctl(0, TIOCSTI)", out["wins"], "test setup: TIOCSTI fails on the host: %s" % out)
        self.assertIn(b"#", drain(master), "test setup: an injected byte is not seen on the master")

    def run_tty_attack(self, launcher_has_ctty, seccomp):
        master, slave = self.pty()
        cfg = attack_config("tty", fds=[{"fd": 0, "inherit": 0}, {"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2}])
        if seccomp is not None:
            cfg["seccomp"] = seccomp
        wrapper = ["--ctty"] if launcher_has_ctty else None
        res = self.run_cr(cfg, stdin=slave, wrapper=wrapper, new_session=True)
        self.assertEqual(res.rc, 0, res.describe())
        out = last_json(res.out)
        self.assertIsNotNone(out, res.describe())
        self.assertTrue(out["isatty0"], "test setup: fd 0 of the payload is not the pty" + res.describe())
        injected = queued(slave)
        echoed = drain(master)
        # default allows TIOCSCTTY (forkpty, pexpect, tmux need it): a pty that
        # is nobody's controlling tty may become the payload's. Input still
        # cannot be pushed into it (TIOCSTI, TIOCLINUX refused). strict
        # refuses TIOCSCTTY too.
        takes_ctty = seccomp == "default" and not launcher_has_ctty
        allowed = ("setsid()",)
        if takes_ctty:
            allowed += ("ioctl(0, TIOCSCTTY, 0)", "ioctl(0, TIOCSCTTY, 1 /* steal */)", "open(/dev/tty)")
        self.assert_no_wins(out, res, allowed=allowed)
        self.assertNotIn("ioctl(0, TIOCSTI)", out["wins"], res.describe())
        self.assertEqual(injected, 0, "bytes were pushed into the pty's input queue" + res.describe())
        self.assertNotIn(b"#", echoed, "the pty echoed injected input" + res.describe())
        # A session of its own, led inside the sandbox (the launcher's session
        # leader is outside the pid namespace: its sid would read 0).
        self.assertNotEqual(out["sid"], 0, "the payload is in the launcher's session" + res.describe())
        self.assertIn(out["sid"], (1, out["pid"]), res.describe())
        if not takes_ctty:
            self.assertLess(out["tcgetsid0"], 0, "the pty is the payload's controlling tty" + res.describe())
        return out

    def test_tiocsti_launcher_has_the_pty_as_ctty(self):
        self.control()
        for seccomp in ("default", "strict"):
            with self.subTest(seccomp=seccomp):
                self.run_tty_attack(True, seccomp)

    def test_tiocsti_pty_not_a_ctty(self):
        """The launcher's stdin is a pty that is nobody's controlling tty: the
        payload (a session leader) must not inject into it (under default it
        may make it its controlling tty, as forkpty does; under strict not)."""
        self.control()
        for seccomp in ("default", "strict"):
            with self.subTest(seccomp=seccomp):
                self.run_tty_attack(False, seccomp)

    def test_tiocsti_without_seccomp_when_launcher_holds_the_tty(self):
        """Even with seccomp "none" the new session keeps the launcher's tty
        out of reach (TIOCSTI needs it to be the caller's controlling tty)."""
        self.control()
        self.run_tty_attack(True, "none")


# ---------------------------------------------------------------------------
# Overwriting the launcher (runc CVE-2019-5736): /proc/<pid>/exe of the init
# (pid 1, a copy of the launcher) and the launcher's file by path; ptrace.
# ---------------------------------------------------------------------------
class LauncherOverwrite(EscapeTest):

    def writable_launcher(self):
        """A copy of the launcher that the sandbox's uid could write if it
        reached it: only the kernel's and the launcher's protections hold."""
        d = self.make_dir("lbin", 0o777)
        exe = os.path.join(d, "cleanroom")
        shutil.copy2(CLEANROOM, exe)
        os.chmod(exe, 0o777)
        with open(exe, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return d, exe, digest

    def test_launcher_exe_not_writable_nor_traceable(self):
        d, exe, digest = self.writable_launcher()
        for seccomp in ("default", "none"):
            with self.subTest(seccomp=seccomp):
                cfg = attack_config("exe", "/l/cleanroom", seccomp=seccomp)
                cfg["filesystem"].append({"type": "bind", "source": d, "target": "/l", "writable": True})
                cmd = [exe, "run", self.write_config(cfg)]
                p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(LAUNCHER_ENV), timeout=30, cwd=self.tmp)
                desc = "\n  stdout: %s\n  stderr: %s" % (p.stdout[:4000], p.stderr[:2000])
                self.assertEqual(p.returncode, 0, desc)
                out = last_json(p.stdout.decode())
                self.assertIsNotNone(out, desc)
                self.assertIn(1, out["pids"], "pid 1 (the sandbox init) is not visible: nothing attacked" + desc)
                attempted = [a["what"] for a in out["attempts"]]
                self.assertIn("open(/proc/1/exe, O_WRONLY)", attempted, desc)
                self.assertIn("ptrace(PTRACE_ATTACH, 1)", attempted, desc)
                self.assertIn("ptrace(PTRACE_SEIZE, 1)", attempted, desc)
                self.assert_no_wins(out)
                with open(exe, "rb") as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest, "the launcher was modified")

    def test_writable_bind_of_launcher_control(self):
        """Control: the same bind lets the sandbox write an ordinary file of
        that folder (so the test above would see a write that worked)."""
        d, exe, _ = self.writable_launcher()
        other = os.path.join(d, "not-running")
        shutil.copy2(exe, other)
        os.chmod(other, 0o777)
        cfg = attack_config("exe", "/l/not-running")
        cfg["filesystem"].append({"type": "bind", "source": d, "target": "/l", "writable": True})
        out, _ = self.attack(cfg)
        self.assertIn("open(/l/not-running, O_WRONLY)", out["wins"],
                      "test setup: the sandbox cannot write a non-running file of the bind: %s" % out)


# ---------------------------------------------------------------------------
# Leaked fd plus cwd (runc CVE-2024-21626): a cwd or path through
# /proc/self/fd/N reaches a host directory the launcher holds open.
# ---------------------------------------------------------------------------
class LeakedFdCwd(EscapeTest):

    def leaked_dir_fd(self):
        d = self.make_dir("host-secret-dir")
        fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        hi = fcntl.fcntl(fd, fcntl.F_DUPFD, 60)
        os.close(fd)
        self.addCleanup(os.close, hi)
        return hi

    def test_proc_fd_paths_rejected(self):
        n = self.leaked_dir_fd()
        out_dir = self.make_dir("out", 0o777)
        host_file = self.write_file("input.txt", "x")
        fdpaths = ["/proc/self/fd/%d" % n, "/proc/thread-self/fd/%d" % n, "/dev/fd/%d" % n,
                   "/proc/1/fd/%d" % n, "/proc/%d/fd/%d" % (os.getpid(), n), "/proc/self/fd/%d/." % n]
        cases = []
        for fp in fdpaths:
            cases += [("process.cwd", fp, lambda c, v: c["process"].__setitem__("cwd", v)),
                      ("process.path", fp, lambda c, v: c["process"].__setitem__("path", v)),
                      ("bind source", fp, lambda c, v: c["filesystem"].append(
                          {"type": "bind", "source": v, "target": "/leak"})),
                      ("bind target", fp, lambda c, v: c["filesystem"].append(
                          {"type": "bind", "source": host_file, "target": v})),
                      ("fds path", fp, lambda c, v: c.__setitem__("fds", [
                          {"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2}, {"fd": 3, "path": v, "mode": "r"}])),
                      ("seccomp file", fp, lambda c, v: c.__setitem__("seccomp", v))]
        accepted = []
        for what, value, apply in cases:
            cfg = attack_config("fds")
            cfg["filesystem"].append({"type": "bind", "source": out_dir, "target": "/out", "writable": True})
            apply(cfg, value)
            res = self.run_cr(cfg, pass_fds=(n,))
            if res.rc != 125 or not res.err.startswith("cleanroom: ") or res.out:
                accepted.append("%s = %s -> exit %s, stderr %r, stdout %r"
                                % (what, value, res.rc, res.err.strip()[:200], res.out.strip()[:300]))
        self.assertEqual(accepted, [], "configs reaching into /proc/<pid>/fd were not rejected with 125:\n  "
                         + "\n  ".join(accepted))

    def test_every_fd_is_a_declared_one(self):
        n = self.leaked_dir_fd()
        a, b = socket.socketpair()
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        sock = fcntl.fcntl(a.fileno(), fcntl.F_DUPFD, 70)
        self.addCleanup(os.close, sock)
        leaked_file = self.write_file("leaked", "secret")
        declared = self.write_file("declared", "data")
        cfg = attack_config("fds", fds=[{"fd": 0, "null": True}, {"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2},
                                        {"fd": 5, "inherit": sock}, {"fd": 7, "path": declared, "mode": "r"}])
        cmd = self.command(cfg, wrapper=["--open", "17:" + leaked_file, "--open", "1500:" + leaked_file,
                                         "--nofile", "4096"])
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             pass_fds=(n, sock), env=dict(LAUNCHER_ENV), cwd=self.tmp)
        so, se = os.fstat(p.stdout.fileno()), os.fstat(p.stderr.fileno())
        out, err = p.communicate(timeout=30)
        desc = "\n  stdout: %s\n  stderr: %s" % (out[:3000], err[:2000])
        self.assertEqual(p.returncode, 0, desc)
        got = {e["fd"]: e for e in last_json(out.decode())["fds"]}
        ident = lambda st: (st.st_dev, st.st_ino)
        want = {1: ident(so), 2: ident(se), 5: ident(os.fstat(sock)), 7: ident(os.stat(declared))}
        self.assertEqual(sorted(got), [0, 1, 2, 5, 7], "the child's fd table is not the declared one" + desc)
        for fd, idt in want.items():
            self.assertEqual((got[fd]["dev"], got[fd]["ino"]), idt, "fd %d is not what was declared%s" % (fd, desc))
        self.assertEqual((got[0]["type"], got[0]["rdev"]), ("chr", "1:3"), "fd 0 is not /dev/null" + desc)
        forbidden = {ident(os.fstat(n)), ident(os.stat(leaked_file)), ident(os.fstat(b.fileno()))}
        for e in got.values():
            self.assertNotIn((e["dev"], e["ino"]), forbidden, "a leaked object reached the child: %s" % e)
        cwd = last_json(out.decode())
        self.assertTrue(cwd.get("cwd_matches"), "the cwd is not the path getcwd names" + desc)
        self.assertNotEqual((cwd.get("cwd_dev"), cwd.get("cwd_ino")), ident(os.fstat(n)))


# ---------------------------------------------------------------------------
# Symlinked mount targets (runc CVE-2021-30465 and kin): symlinks in a bound
# host folder must not lead a mount, a file or a directory outside the root.
# ---------------------------------------------------------------------------
def snapshot(top, depth=3):
    """(path, type, mode, size, mtime_ns) of everything under top, lstat only."""
    entries = []
    def walk(p, d):
        try:
            st = os.lstat(p)
        except OSError:
            return
        entries.append((p, stat.S_IFMT(st.st_mode), st.st_mode & 0o7777, st.st_size if not stat.S_ISDIR(st.st_mode)
                        else 0, st.st_mtime_ns, os.readlink(p) if stat.S_ISLNK(st.st_mode) else None))
        if stat.S_ISDIR(st.st_mode) and d > 0:
            try:
                names = sorted(os.listdir(p))
            except OSError:
                return
            for n in names:
                walk(os.path.join(p, n), d - 1)
    walk(top, depth)
    return entries


class SymlinkTargets(EscapeTest):

    def setup_dirs(self):
        host = self.make_dir("hostdir", 0o777)
        victim = self.make_dir("victim", 0o777)
        self.write_file("victim/keep", "victim file\n", 0o666)
        self.make_dir("victim/sub", 0o777)
        src = self.make_dir("bindsrc")
        links = {"etc": "/etc", "root": "/", "up": "../..", "sib": "../victim", "abs": victim,
                 "tmp": "/tmp", "loop": "loop", "deep": "sib/sub"}
        for name, to in links.items():
            os.symlink(to, os.path.join(host, name))
        return host, victim, src

    def test_no_mount_or_write_outside_the_root(self):
        host, victim, src = self.setup_dirs()
        u = uuid.uuid4().hex[:10]
        name = "cr-esc-" + u
        outside = ["/etc/" + name, "/tmp/" + name, "/" + name, os.path.join(victim, name),
                   os.path.join(os.path.dirname(self.tmp), name)]
        targets = [
            {"type": "tmpfs", "target": "/w/etc/" + name},
            {"type": "file", "target": "/w/etc/" + name, "content": "x"},
            {"type": "file", "target": "/w/root/tmp/" + name, "content": "x"},
            {"type": "tmpfs", "target": "/w/root/" + name},
            {"type": "tmpfs", "target": "/w/up/" + name},
            {"type": "file", "target": "/w/up/" + name, "content": "x"},
            {"type": "file", "target": "/w/sib/" + name, "content": "x"},
            {"type": "tmpfs", "target": "/w/sib/sub"},
            {"type": "file", "target": "/w/sib/keep", "content": "overwritten"},
            {"type": "tmpfs", "target": "/w/abs/" + name},
            {"type": "bind", "source": src, "target": "/w/abs/" + name},
            {"type": "bind", "source": src, "target": "/w/deep"},
            {"type": "symlink", "target": "/w/abs/" + name, "to": "/etc/shadow"},
            {"type": "tmpfs", "target": "/w/abs"},
            {"type": "tmpfs", "target": "/w/tmp/" + name},
            {"type": "dev", "target": "/w/tmp/" + name},
            {"type": "proc", "target": "/w/etc/" + name},
            {"type": "tmpfs", "target": "/w/loop/x"},
            {"type": "file", "target": "/w/etc", "content": "x"},
        ]
        with open("/proc/self/mountinfo") as f:
            mounts_before = f.read()
        before = {p: snapshot(p) for p in (host, victim, src)}
        # Others may touch / and /etc meanwhile: their names only.
        etc_before = sorted(os.listdir("/etc"))
        root_before = sorted(os.listdir("/"))
        for writable in (False, True):
            for entry in targets:
                with self.subTest(writable=writable, entry=entry):
                    cfg = attack_config("true")
                    cfg["filesystem"].append({"type": "bind", "source": host, "target": "/w", "writable": writable})
                    cfg["filesystem"].append(dict(entry))
                    res = self.run_cr(cfg)
                    # Whatever the exit code: nothing outside may have changed.
                    self.assertIn(res.rc, (0, 125), res.describe())
                    for o in outside:
                        self.assertFalse(os.path.lexists(o), "the launcher created %s on the host%s"
                                         % (o, res.describe()))
                    for p, snap in before.items():
                        self.assertEqual(snapshot(p), snap, "%s changed on the host%s" % (p, res.describe()))
                    self.assertEqual(sorted(os.listdir("/etc")), etc_before, "/etc changed" + res.describe())
                    self.assertEqual(sorted(os.listdir("/")), root_before, "/ changed" + res.describe())
                    with open("/proc/self/mountinfo") as f:
                        self.assertEqual(f.read(), mounts_before, "the host's mount table changed")

    def test_symlinks_resolve_inside_the_root(self):
        """A symlink of the bound folder, read inside, points into the
        sandbox's own tree: /w/etc is the sandbox's /etc (here a file entry),
        not the host's."""
        host, victim, src = self.setup_dirs()
        cfg = base_config(args=[SANDBOX_PROBE, "read", "/w/etc/marker"])
        cfg["filesystem"] = [e for e in cfg["filesystem"] if e.get("target") != "/etc"]
        cfg["filesystem"] += [{"type": "bind", "source": host, "target": "/w"},
                              {"type": "file", "target": "/etc/marker", "content": "inside\n"}]
        r, res = self.probe(cfg, probe_args=["read", "/w/etc/marker"])
        self.assertEqual(bytes.fromhex(r.get("hex", "")), b"inside\n", res.describe())


# ---------------------------------------------------------------------------
# Capabilities: nothing survives into the payload, whatever the launcher had.
# ---------------------------------------------------------------------------
CAP_NAMES = ["chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
             "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
             "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
             "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
             "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
             "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore"]


class Capabilities(EscapeTest):

    def check_status(self, out, res, bounding=()):
        st = out["status"]
        for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(int(st[k], 16), 0, "%s = %s%s" % (k, st[k], res.describe() if res else json.dumps(out)))
        self.assertEqual(int(st["CapBnd"], 16), sum(1 << c for c in bounding), "CapBnd = %s: %s" % (st["CapBnd"], json.dumps(out)))
        self.assertEqual(out["bounding"], sorted(bounding))
        self.assertEqual(st["NoNewPrivs"], "1")
        self.assert_no_wins(out, res)

    def test_no_capabilities(self):
        for seccomp in ("default", "none"):
            with self.subTest(seccomp=seccomp):
                out, res = self.attack(attack_config("status", seccomp=seccomp))
                self.check_status(out, res)

    def test_launcher_with_every_capability_set(self):
        """The launcher as root with all capabilities, inheritable and ambient
        included (setpriv), still gives the payload none."""
        if not AS_ROOT:
            self.skipTest("needs root to give the launcher capabilities")
        setpriv = shutil.which("setpriv")
        if not setpriv:
            self.skipTest("no setpriv")
        # Every capability of our bounding set (+all fails where the bounding
        # set is not full, e.g. in a container).
        with open("/proc/self/status") as f:
            bnd = int([l for l in f if l.startswith("CapBnd:")][0].split()[1], 16)
        caps = ",".join("+" + CAP_NAMES[c] for c in range(len(CAP_NAMES)) if bnd >> c & 1)
        prefix = [setpriv, "--inh-caps=" + caps, "--ambient-caps=" + caps, "--"]
        host = self.host_attack("status", prefix=prefix)
        self.assertNotEqual(int(host["status"]["CapAmb"], 16), 0, "test setup: no ambient capabilities: %s" % host)
        self.assertNotEqual(int(host["status"]["CapInh"], 16), 0)
        for seccomp in ("default", "none"):
            with self.subTest(seccomp=seccomp):
                cmd = prefix + self.command(attack_config("status", seccomp=seccomp))
                p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(LAUNCHER_ENV), timeout=30, cwd=self.tmp)
                self.assertEqual(p.returncode, 0, p.stderr)
                out = last_json(p.stdout.decode())
                self.check_status(out, None)

    def test_declared_capability_only(self):
        out, res = self.attack(attack_config("status", capabilities=["CAP_NET_BIND_SERVICE"]))
        st = out["status"]
        self.assertEqual(int(st["CapBnd"], 16), 1 << 10, res.describe())
        for k in ("CapPrm", "CapEff"):
            self.assertEqual(int(st[k], 16) & ~(1 << 10), 0, "%s = %s" % (k, st[k]))
        # capset(all) must still fail: only the declared capability exists.
        self.assertNotIn("capset(all)", out["wins"])


# ---------------------------------------------------------------------------
# Seccomp without LD_PRELOAD: a statically linked payload is filtered too.
# ---------------------------------------------------------------------------
def is_static_elf(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        ptype, = struct.unpack_from("<I", data, phoff + i * phentsize)
        if ptype == 3:  # PT_INTERP
            return False
    return True


class StaticSeccomp(EscapeTest):

    def test_static_payload_is_filtered(self):
        self.assertTrue(is_static_elf(ATTACK), "test setup: cr-attack is not a static ELF")
        for seccomp in ("default", "strict"):
            with self.subTest(seccomp=seccomp):
                cfg = attack_config("status", seccomp=seccomp)
                cfg["process"]["env"]["LD_PRELOAD"] = ""
                out, res = self.attack(cfg)
                self.assertEqual(out["status"].get("Seccomp"), "2", "no seccomp filter: %s" % out["status"])
                self.assertGreaterEqual(int(out["status"].get("Seccomp_filters", "0")), 1)
                self.assertEqual(out["status"].get("NoNewPrivs"), "1")
                self.assertEqual(out["no_new_privs"], 1)

    def test_static_payload_without_any_host_library(self):
        """Only the attacker's folder and /proc: no dynamic loader in the
        sandbox at all, and still filtered."""
        cfg = attack_config("status")
        cfg["filesystem"] = [e for e in cfg["filesystem"] if e["type"] in ("proc", "tmpfs") or
                             e.get("target") == "/probe"]
        out, res = self.attack(cfg)
        self.assertEqual(out["status"].get("Seccomp"), "2", res.describe())
        self.assertEqual(out["status"].get("NoNewPrivs"), "1", res.describe())


# ---------------------------------------------------------------------------
# Namespaces: no unshare/setns; host processes, abstract sockets, SysV IPC
# and interfaces are invisible.
# ---------------------------------------------------------------------------
IPC_CREAT, IPC_RMID = 0o1000, 0


class Namespaces(EscapeTest):

    def host_objects(self):
        marker = new_marker()
        p = subprocess.Popen([PROBE, "sleep", "60", marker], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close()))
        self.read_line(p)
        name = "cr-esc-" + uuid.uuid4().hex
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0" + name)
        s.listen(4)
        self.addCleanup(s.close)
        key = 0x43530000 + (os.getpid() & 0xffff)
        libc = ctypes.CDLL(None, use_errno=True)
        shm = libc.shmget(key, 4096, IPC_CREAT | 0o600)
        msg = libc.msgget(key, IPC_CREAT | 0o600)
        sem = libc.semget(key, 1, IPC_CREAT | 0o600)
        self.assertTrue(shm >= 0 and msg >= 0 and sem >= 0, "test setup: SysV objects: %s" % os.strerror(ctypes.get_errno()))
        self.addCleanup(libc.shmctl, shm, IPC_RMID, None)
        self.addCleanup(libc.msgctl, msg, IPC_RMID, None)
        self.addCleanup(libc.semctl, sem, 0, IPC_RMID)
        return [marker, "@" + name, str(key)]

    def test_host_objects_invisible_and_no_ns_change(self):
        args = self.host_objects()
        host = self.host_attack("ns", *args)
        for w in ("see a host process by its cmdline", "connect to the host's abstract socket",
                  "find the host's abstract socket in /proc/net/unix", "shmget(host key)", "msgget(host key)",
                  "semget(host key)"):
            self.assertIn(w, host["wins"], "test setup: the host control does not detect %r" % w)
        host_ifs = sorted(n for _, n in socket.if_nameindex())
        for seccomp in ("default", "strict"):
            with self.subTest(seccomp=seccomp):
                out, res = self.attack(attack_config("ns", *args, seccomp=seccomp))
                self.assertTrue(any(a["what"].startswith("setns(/proc/") for a in out["attempts"]),
                                "test setup: no ns file reachable at all" + res.describe())
                self.assert_no_wins(out, res)
                self.assertEqual(out["netdev"], ["lo"], "host interfaces %s visible" % host_ifs)
                self.assertTrue(set(out["interfaces"]) <= {"lo"}, "host interfaces %s visible" % host_ifs)

    def test_no_nested_user_namespace_without_seccomp(self):
        """With seccomp "none" the payload has no capability: setns and every
        unshare but CLONE_NEWUSER need one. Report what a payload can do."""
        args = self.host_objects()
        out, res = self.attack(attack_config("ns", *args, seccomp="none"))
        wins = set(out["wins"]) - {"unshare(CLONE_NEWUSER)", "clone(CLONE_NEWUSER)"}
        self.assertEqual(sorted(wins), [], "ATTACK WORKED without seccomp" + res.describe())


# ---------------------------------------------------------------------------
# Resource exhaustion: bounded, and the host and the launcher stay responsive.
# ---------------------------------------------------------------------------
class ResourceExhaustion(EscapeTest):

    def limits(self, **kw):
        lim = {"time_ms": 8000, "kill_grace_ms": 500}
        lim.update(kw)
        return lim

    def test_fork_bomb(self):
        marker = new_marker()
        if AS_ROOT:
            # The cgroup limit is what is tested; NPROC only keeps the machine safe.
            lim, bound = self.limits(pids=32, rlimits={"NPROC": 512}), 32
        else:
            lim, bound = self.limits(rlimits={"NPROC": 64}), 64
        cfg = attack_config("forkbomb", 100000, marker, limits=lim)
        p = self.start(cfg)
        lat = self.version_latency()
        out, err = p.communicate(timeout=40)
        res = "\n  exit %s\n  stdout %s\n  stderr %s" % (p.returncode, out[:2000], err[:2000])
        self.assertLess(lat, 3.0, "cleanroom --version took %.1fs during a fork bomb" % lat)
        o = last_json(out.decode())
        self.assertIsNotNone(o, res)
        self.assertLessEqual(o["forks"], bound, "the fork bomb was not bounded" + res)
        self.assertIn(o["error"], ("EAGAIN", "ENOMEM"), res)
        self.assert_nothing_left(marker)

    def test_memory_bomb(self):
        marker = new_marker()
        if AS_ROOT:
            lim, bound_mb = self.limits(memory="64M"), 64
        else:
            lim, bound_mb = self.limits(rlimits={"AS": 256 << 20}), 256
        res = self.run_cr(attack_config("membomb", 2048, marker, limits=lim), timeout=40)
        reached = [json.loads(l)["mb"] for l in res.out.splitlines() if l.startswith("{")]
        self.assertTrue(reached, "test setup: the bomb did not start" + res.describe())
        self.assertLess(max(reached), bound_mb + 16, "allocated beyond the limit" + res.describe())
        self.assertNotIn('"done":true', res.out, res.describe())
        self.assertIn(res.rc, (0, 128 + signal.SIGKILL), res.describe())
        self.assert_nothing_left(marker)

    def test_fd_exhaustion(self):
        out, res = self.attack(attack_config("fdbomb", 100000, limits=self.limits(rlimits={"NOFILE": 64})))
        self.assertLessEqual(out["opened"], 64, res.describe())
        self.assertEqual(out["error"], "EMFILE", res.describe())
        self.assertEqual(out["nofile"], [64, 64])
        self.assertFalse(out["raise"], "the payload raised its NOFILE hard limit")
        self.assertLess(self.version_latency(), 3.0)

    def test_output_flood_to_a_pipe_nobody_reads(self):
        """stdout and stderr of the launcher are one pipe the host never reads;
        the payload floods it. The run still ends at time_ms, the launcher
        answers --version meanwhile, a second sandbox runs normally."""
        marker = new_marker()
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        cfg = attack_config("flood", 1, marker, limits={"time_ms": 1500, "kill_grace_ms": 500})
        cmd = self.command(cfg)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w, stderr=w, env=dict(LAUNCHER_ENV),
                             cwd=self.tmp, start_new_session=True)
        os.close(w)
        try:
            time.sleep(0.3)
            lat = self.version_latency()
            other = self.run_cr(base_config(args=[SANDBOX_PROBE, "exit", "7"]), timeout=20)
            try:
                rc = p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                rc = None
            elapsed = time.monotonic() - t0
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertIsNotNone(rc, "the launcher hung on a full output pipe (time_ms 1500)")
        self.assertLess(elapsed, 10, "the flooding run did not end near time_ms")
        self.assertNotEqual(rc, 0)
        self.assertLess(lat, 3.0, "cleanroom --version took %.1fs during a flood" % lat)
        self.assertEqual(other.rc, 7, "a second sandbox did not run normally" + other.describe())
        self.assert_nothing_left(marker)


if __name__ == "__main__":
    unittest.main()
