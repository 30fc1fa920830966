# SPDX-License-Identifier: MIT
"""Security round 2 (issue 11): the holes a hostile review found, each
reproduced as the attacker did it: as a plugin, as a plugin author who
writes its own config, and as a second local user. A test fails when its
attack works."""

import ctypes
import ctypes.util
import json
import os
import random
import signal
import struct
import subprocess
import time
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, PROBE, SANDBOX_PROBE, base_config, expected_host_uid
from esctest import EscapeTest

AS_ROOT = os.geteuid() == 0
NOBODY = 65534


# ---------------------------------------------------------------------------
# 1. The compiled-filter cache. The old key was a 64-bit FNV-style hash of
# (kernel, libseccomp, version, caps, text), and a load compared only key,
# text length and caps. Every step of that hash is invertible, so 16 chosen
# bytes in a "comment" give an allow-all profile default's key and length:
# run once, it was stored under default's name and every later "default"
# run got its program. The test builds exactly that profile and checks that
# a default run afterwards still has the default filter.
# ---------------------------------------------------------------------------
MASK = (1 << 64) - 1
FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
FNV_PRIME_INV = pow(FNV_PRIME, -1, 1 << 64)
OLD_MAGIC = b"CRBPF004"


def fnv_word(h, w):
    h = ((h ^ w) * FNV_PRIME) & MASK
    return h ^ (h >> 29)


def fnv_unword(h_after, w):
    """The state before fnv_word(state, w) gave h_after."""
    x = h_after ^ (h_after >> 29) ^ (h_after >> 58)
    return ((x * FNV_PRIME_INV) & MASK) ^ w


def old_fnv1a(h, data):
    n = len(data) // 8 * 8
    for i in range(0, n, 8):
        h = fnv_word(h, int.from_bytes(data[i:i + 8], "little"))
    for b in data[n:]:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def old_fnv1a_backwards(h_end, data):
    """The state before old_fnv1a(state, data) gave h_end (data starts at a
    word boundary of the text)."""
    n = len(data) // 8 * 8
    h = h_end
    for b in reversed(data[n:]):
        h = ((h * FNV_PRIME_INV) & MASK) ^ b
    for i in range(n - 8, -1, -8):
        h = fnv_unword(h, int.from_bytes(data[i:i + 8], "little"))
    return h


def libseccomp_version():
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2")
    lib.seccomp_version.restype = ctypes.POINTER(ctypes.c_uint * 3)
    v = lib.seccomp_version().contents
    return v[0], v[1], v[2]


def old_key_prefix(version):
    """The old key's state after everything but the profile text (caps 0)."""
    h = old_fnv1a(FNV_OFFSET, os.uname().release.encode())
    h = old_fnv1a(h, struct.pack("III", *libseccomp_version()))
    h = old_fnv1a(h, OLD_MAGIC + version.encode() + b"\0")
    return old_fnv1a(h, struct.pack("<Q", 0))


def printable(word):
    return all(0x20 <= c < 0x7f and c not in b'"\\' for c in word)


def colliding_profile(target, prefix_state):
    """An allow-all profile as long as `target` whose old key equals target's."""
    head = b'{"defaultAction": "SCMP_ACT_ALLOW", "comment": "'
    head += b"x" * (-len(head) % 8)
    tail_fixed = b'"}\n'
    pad = len(target) - len(head) - 16 - len(tail_fixed)
    assert pad >= 0, "the built-in default is too short for the collision"
    tail = b"y" * pad + tail_fixed
    goal = old_fnv1a(prefix_state, target)
    before_tail = old_fnv1a_backwards(goal, tail)
    state = old_fnv1a(prefix_state, head)
    rng = random.Random(11)
    for _ in range(1_000_000):
        w1 = bytes(rng.randrange(0x30, 0x7b) for _ in range(8))
        t = fnv_word(state, int.from_bytes(w1, "little"))
        # fnv_word(t, w2) must give before_tail
        w2 = (fnv_unword(before_tail, 0) ^ t).to_bytes(8, "little")
        if printable(w2):
            return head + w1 + w2 + tail
    raise AssertionError("no printable collision found")


class FilterCachePoisoning(EscapeTest):

    def builtin_default(self):
        p = subprocess.run([CLEANROOM, "policy", "export", "default"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV), timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        # run_e2e.py copies policies/default.json next to this module (--module)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "default.json")
        self.assertTrue(os.path.exists(path), "test setup: policies/default.json was not copied here")
        with open(path, "rb") as f:
            return f.read()

    def test_colliding_profile_does_not_replace_default(self):
        version = subprocess.run([CLEANROOM, "--version"], stdout=subprocess.PIPE, check=True,
                                 timeout=30).stdout.decode().split()[-1]
        target = self.builtin_default()
        prefix = old_key_prefix(version)
        evil = colliding_profile(target, prefix)
        # The profile really meets default under the old scheme: same key, same length.
        self.assertEqual(len(evil), len(target))
        self.assertEqual(old_fnv1a(prefix, evil), old_fnv1a(prefix, target))
        json.loads(evil)

        cache = self.make_dir("cache", 0o700)
        env = dict(LAUNCHER_ENV, CLEANROOM_CACHE_DIR=cache)
        with open(self.path("evil.json"), "wb") as f:
            f.write(evil)
        os.chmod(self.path("evil.json"), 0o644)
        unshare = ["/usr/bin/unshare", "-r", "/usr/bin/id", "-u"]

        # The plugin's own config names its profile: allow-all, so unshare works.
        cfg = base_config(seccomp=self.path("evil.json"))
        cfg["process"]["args"] = unshare
        cfg["process"]["path"] = unshare[0]
        res = self.run_cr(cfg, env=env)
        self.assertEqual(res.rc, 0, "test setup: the allow-all profile did not run unshare" + res.describe())
        self.assertEqual(res.out.strip(), "0", res.describe())

        # Every later "default" run of this user must still get default's program.
        for _ in range(2):
            cfg = base_config(seccomp="default")
            cfg["process"]["args"] = unshare
            cfg["process"]["path"] = unshare[0]
            res = self.run_cr(cfg, env=env)
            self.assertNotEqual(res.out.strip(), "0",
                                "ATTACK WORKED: a default run got the colliding profile's program" + res.describe())
            self.assertNotEqual(res.rc, 0, res.describe())
            self.assertIn("Operation not permitted", res.err, res.describe())



# ---------------------------------------------------------------------------
# 2. A config's file names are not a key to the caller's rights. Whoever
# owns the config's folder (a plugin author) plants a symlink, and the
# launcher used to open it with the caller's rights and hand the result to
# the sandbox: a root-only file, a folder the sandbox's user cannot
# traverse, or through /proc/self/fd one of the launcher's own fds.
# ---------------------------------------------------------------------------
SECRET = "TOPSECRET-" + os.urandom(8).hex()


class HostPaths(EscapeTest):

    def unreachable_file(self):
        """A file the sandbox's host identity may not read: as root, one
        of root's own in a 0700 folder; as an ordinary user, /etc/shadow."""
        if AS_ROOT:
            d = self.make_dir("private", 0o700)
            p = os.path.join(d, "secret")
            with open(p, "w") as f:
                f.write(SECRET + "\n")
            os.chmod(p, 0o600)
            return p
        if os.access("/etc/shadow", os.R_OK) or not os.path.exists("/etc/shadow"):
            self.skipTest("no file this user cannot read")
        return "/etc/shadow"

    def fd_config(self, path, mode="r"):
        cfg = base_config(fds=[{"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2},
                               {"fd": 3, "path": path, "mode": mode}])
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "fdio", "3:r"]
        return cfg

    def assert_refused(self, res, *mentions):
        self.assertNotIn(SECRET, res.out, "ATTACK WORKED: the sandbox read the file" + res.describe())
        self.assert_launcher_error(res, 125, mentions)

    def test_fd_path_symlink_to_unreadable_file(self):
        target = self.unreachable_file()
        os.symlink(target, self.path("state.db"))
        res = self.run_cr(self.fd_config("./state.db"))
        self.assert_refused(res, "$.fds[2]", self.path("state.db"), "ermission denied",
                            "uid %d" % expected_host_uid())

    def test_fd_path_symlink_write_to_root_file(self):
        if not AS_ROOT:
            self.skipTest("needs root (a root-owned file the caller could write)")
        target = self.unreachable_file()
        os.symlink(target, self.path("out.log"))
        res = self.run_cr(self.fd_config("./out.log", "w"))
        self.assert_refused(res, "Permission denied")
        with open(target) as f:
            self.assertEqual(f.read(), SECRET + "\n", "ATTACK WORKED: the root-owned file was truncated")

    def test_fd_path_through_symlinked_folder(self):
        if AS_ROOT:
            d = self.make_dir("closed", 0o700)
            inner = os.path.join(d, "open")
            os.mkdir(inner, 0o755)
            with open(os.path.join(inner, "data"), "w") as f:
                f.write(SECRET)
            os.chmod(os.path.join(inner, "data"), 0o644)
            os.symlink(inner, self.path("data"))
        else:
            os.symlink("/root", self.path("data"))
            if os.access("/root", os.X_OK):
                self.skipTest("/root is reachable by this user")
        res = self.run_cr(self.fd_config("./data/data" if AS_ROOT else "./data/.bashrc"))
        self.assert_refused(res, "ermission denied")

    def test_fd_path_through_proc_self_fd(self):
        """A link to /proc/self/fd/9 passed the config's /proc/self/fd check
        and handed the sandbox the launcher's undeclared fd 9, deleted too."""
        secret = self.write_file("launcher-secret", SECRET + "\n", 0o600)
        os.symlink("/proc/self/fd/9", self.path("link"))
        res = self.run_cr(self.fd_config("./link"), wrapper=["--open", "9:" + secret])
        self.assert_refused(res, "magic link", self.path("link"))
        os.unlink(secret)  # the same with the file deleted: only the fd holds it
        res = self.run_cr(self.fd_config("./link"), wrapper=["--open", "9:" + secret])
        self.assert_refused(res, "magic link")

    def test_bind_source_symlink_to_unreachable_folder(self):
        if AS_ROOT:
            d = self.make_dir("closed", 0o700)
            inner = os.path.join(d, "open")
            os.mkdir(inner, 0o755)
            with open(os.path.join(inner, "data"), "w") as f:
                f.write(SECRET)
            os.chmod(os.path.join(inner, "data"), 0o644)
            os.symlink(inner, self.path("plugin"))
        else:
            if os.access("/root", os.X_OK):
                self.skipTest("/root is reachable by this user")
            os.symlink("/root/.", self.path("plugin"))  # a folder reached through /root
        cfg = base_config()
        cfg["filesystem"].append({"type": "bind", "source": "./plugin", "target": "/plugin"})
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "read", "/plugin/data"]
        res = self.run_cr(cfg)
        # (an ordinary user's config already fails to load: the user cannot reach the path)
        self.assert_refused(res, self.path("plugin"), "ermission denied",
                            *(["bind source", "uid %d" % expected_host_uid()] if AS_ROOT else []))

    def test_bind_source_through_proc_self_fd(self):
        secret = self.write_file("launcher-secret", SECRET + "\n", 0o644)
        os.symlink("/proc/self/fd/9", self.path("plugin"))
        cfg = base_config()
        cfg["filesystem"].append({"type": "bind", "source": "./plugin", "target": "/plugin"})
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "read", "/plugin"]
        os.unlink(secret)
        res = self.run_cr(cfg, wrapper=["--open", "9:" + secret])
        self.assert_refused(res, "bind source", "magic link")

    def test_seccomp_profile_symlink_to_unreadable_file(self):
        target = self.unreachable_file()
        if AS_ROOT:  # a valid profile: it would compile and run
            with open(target, "w") as f:
                f.write('{"defaultAction": "SCMP_ACT_ALLOW", "comment": "%s"}' % SECRET)
        os.symlink(target, self.path("profile.json"))
        cfg = base_config(seccomp="./profile.json")
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "exit", "0"]
        res = self.run_cr(cfg)
        self.assertNotIn(SECRET, res.err, res.describe())
        self.assert_refused(res, "seccomp", "Permission denied")



# ---------------------------------------------------------------------------
# 3. The run report. Its temporary file was <report>.tmp.<launcher pid>,
# opened without O_EXCL or O_NONBLOCK: whoever made that name first in a
# shared folder owned the final report, and a FIFO there hung the launcher
# for ever after the payload ended.
# ---------------------------------------------------------------------------
class ReportFile(EscapeTest):

    def sleeper(self, seconds="1"):
        cfg = base_config()
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "sleep", seconds]
        return cfg

    def test_fifo_at_the_temporary_name_does_not_hang(self):
        shared = self.make_dir("shared", 0o1777)
        report = os.path.join(shared, "report.json")
        p = self.start(self.sleeper(), report=report)
        os.mkfifo("%s.tmp.%d" % (report, p.pid), 0o666)
        try:
            rc = p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            rc = None
        self.assertIsNotNone(rc, "ATTACK WORKED: a FIFO at the report's temporary name hung the launcher")
        self.assertEqual(rc, 0, p.stderr.read().decode())
        with open(report) as f:
            self.assertEqual(json.load(f)["exit_code"], 0)

    def test_other_users_file_at_the_temporary_name_is_not_used(self):
        if not AS_ROOT:
            self.skipTest("needs root to act as a second user")
        shared = self.make_dir("shared", 0o1777)
        report = os.path.join(shared, "report.json")
        p = self.start(self.sleeper(), report=report)
        planted = "%s.tmp.%d" % (report, p.pid)
        with open(planted, "w") as f:
            f.write("{}")
        os.chmod(planted, 0o666)
        os.chown(planted, 12345, 12345)
        self.assertEqual(p.wait(timeout=15), 0, p.stderr.read().decode())
        st = os.stat(report)
        self.assertEqual(st.st_uid, 0, "ATTACK WORKED: the final report belongs to the user who planted "
                         "the temporary file (uid %d)" % st.st_uid)
        self.assertEqual(os.stat(planted).st_ino != st.st_ino, True)

    def test_report_named_by_the_config_is_written_with_the_sandbox_identity(self):
        """A plugin's own config must not make root overwrite a file of its choice."""
        if not AS_ROOT:
            self.skipTest("an ordinary user's sandbox has the user's own rights")
        victim = self.write_file("victim", "precious\n", 0o644)
        cfg = self.sleeper("0")
        cfg["report"] = victim
        res = self.run_cr(cfg)
        self.assertEqual(self.read_file(victim), "precious\n",
                         "ATTACK WORKED: the config's report path overwrote a file only root may write")
        self.assert_launcher_error(res, 125, ["report", "uid %d" % expected_host_uid()])
        # A folder the sandbox's host identity may write in is fine.
        out = self.sandbox_dir("reports")
        cfg["report"] = os.path.join(out, "r.json")
        res = self.run_cr(cfg)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(os.stat(cfg["report"]).st_uid, expected_host_uid())



# ---------------------------------------------------------------------------
# 4. A suspended sandbox is suspended. The payload has a session of its own,
# so ^Z (SIGTSTP to the launcher's process group) stopped only the launcher:
# the payload went on, with the terminal as fd 0, reading what the user
# typed next; and a 1 s time limit outlived a 3 s stop.
# ---------------------------------------------------------------------------
COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /out/n; sleep 0.05; done"

# A tiny job-control shell: a session with a pty as its terminal, the command
# as a background job in it (fd 0 the pty). It reports how the job first
# changes state; when stopped, it brings the job to the foreground (fg).
JOB_SHELL = r"""
import json, os, signal, sys, termios, fcntl, time
signal.alarm(25)
master, slave = os.openpty()
out = {"events": []}
leader = os.fork()
if leader == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        os.dup2(slave, 0)
        os.execv(sys.argv[1], sys.argv[1:])
    os.setpgid(job, job)
    events = []
    while True:
        _, st = os.waitpid(job, os.WUNTRACED)
        if os.WIFSTOPPED(st):
            events.append(["stopped", os.WSTOPSIG(st), os.path.exists(os.environ["MARKER"])])
            os.tcsetpgrp(slave, job)
            os.killpg(job, signal.SIGCONT)
            continue
        events.append(["exited", os.waitstatus_to_exitcode(st), os.path.exists(os.environ["MARKER"])])
        break
    with open(os.environ["EVENTS"], "w") as f:
        json.dump(events, f)
    os._exit(0)
os.waitpid(leader, 0)
"""


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
        return data[data.rindex(")") + 2]
    except (OSError, ValueError):
        return None


class JobControl(EscapeTest):

    def counter_config(self, **limits):
        out = self.sandbox_dir("out")
        cfg = base_config(limits=limits) if limits else base_config()
        cfg["filesystem"].append({"type": "bind", "source": out, "target": "/out", "writable": True})
        cfg["process"]["path"] = "/bin/sh"
        cfg["process"]["args"] = ["/bin/sh", "-c", COUNTER]
        return cfg, os.path.join(out, "n")

    def launch(self, cfg):
        """The launcher in a process group of its own, in our session: a
        job, whose group is not orphaned (stops would be discarded)."""
        cmd = self.command(cfg)
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV), cwd=self.tmp,
                             process_group=0)
        self.addCleanup(self._reap, p)
        return p

    def count(self, path):
        try:
            with open(path) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def wait_for(self, cond, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    def test_tstp_stops_the_whole_sandbox(self):
        cfg, counter = self.counter_config()
        p = self.launch(cfg)
        self.assertTrue(self.wait_for(lambda: self.count(counter) > 3), "test setup: the counter does not run")
        os.killpg(p.pid, signal.SIGTSTP)
        self.assertTrue(self.wait_for(lambda: proc_state(p.pid) == "T"), "the launcher did not stop")
        time.sleep(0.2)
        before = self.count(counter)
        time.sleep(0.6)
        after = self.count(counter)
        self.assertEqual(before, after, "ATTACK WORKED: the payload kept running while cleanroom was "
                         "stopped (%d -> %d)" % (before, after))
        os.killpg(p.pid, signal.SIGCONT)
        self.assertTrue(self.wait_for(lambda: self.count(counter) > after + 3),
                        "the sandbox did not go on after SIGCONT")
        p.terminate()
        self.assertEqual(p.wait(timeout=10), 128 + signal.SIGTERM)

    def test_time_limit_while_stopped(self):
        cfg, counter = self.counter_config(time_ms=1000)
        p = self.launch(cfg)
        self.assertTrue(self.wait_for(lambda: self.count(counter) > 1), "test setup: the counter does not run")
        t0 = time.monotonic()
        os.killpg(p.pid, signal.SIGTSTP)
        self.assertTrue(self.wait_for(lambda: proc_state(p.pid) == "T"), "the launcher did not stop")
        time.sleep(0.2)
        stopped_at = self.count(counter)
        time.sleep(2.5)
        self.assertEqual(self.count(counter), stopped_at, "the payload ran while cleanroom was stopped")
        os.killpg(p.pid, signal.SIGCONT)
        rc = p.wait(timeout=10)
        waited = time.monotonic() - t0
        self.assertEqual(rc, 128 + signal.SIGKILL, p.stderr.read().decode())
        self.assertLess(waited, 4.5, "the run did not end right after SIGCONT (time_ms 1000, stopped 2.7 s)")
        self.assertEqual(self.count(counter), stopped_at, "the payload ran after its time limit")

    def test_background_job_with_the_terminal_is_stopped_until_foreground(self):
        marker = os.path.join(self.sandbox_dir("out"), "ran")
        cfg = base_config(fds=[{"fd": 0, "inherit": 0}, {"fd": 2, "inherit": 2}])
        cfg["filesystem"].append({"type": "bind", "source": os.path.dirname(marker), "target": "/out",
                                  "writable": True})
        cfg["process"]["path"] = "/bin/sh"
        cfg["process"]["args"] = ["/bin/sh", "-c", "echo > /out/ran"]
        events = self.path("events.json")
        env = dict(LAUNCHER_ENV, MARKER=marker, EVENTS=events)
        subprocess.run(["/usr/bin/python3", "-c", JOB_SHELL] + self.command(cfg), env=env, timeout=40,
                       cwd=self.tmp, stdin=subprocess.DEVNULL)
        with open(events) as f:
            ev = json.load(f)
        self.assertEqual(ev[0][:2], ["stopped", signal.SIGTTIN],
                         "a background cleanroom with the terminal as fd 0 was not stopped: %s" % ev)
        self.assertFalse(ev[0][2], "ATTACK WORKED: the payload ran in the background with the terminal")
        self.assertEqual(ev[-1], ["exited", 0, True], "after fg the run did not complete: %s" % ev)



# ---------------------------------------------------------------------------
# 5. The built-in default protects the host from exhaustion: `cleanroom run
# -- CMD` had no pids bound (5000 processes in 3.7 s) and /, /tmp and /dev
# shared one unsized tmpfs of half the RAM, whose pages no OOM kill frees.
# ---------------------------------------------------------------------------
STATFS = r"""
import json, os
def size(p):
    s = os.statvfs(p)
    return s.f_blocks * s.f_frsize
out = {"tmp": size("/tmp"), "shm": size("/dev/shm"), "writable": {}}
for p in ("/x", "/dev/x", "/tmp/x", "/dev/shm/x"):
    try:
        open(p, "w").close()
        out["writable"][p] = True
    except OSError:
        out["writable"][p] = False
with open("/proc/self/limits") as f:
    for line in f:
        if line.startswith("Max processes"):
            out["nproc"] = line.split()[2:4]
with open("/proc/self/oom_score_adj") as f:
    out["oom_score_adj"] = int(f.read())
print(json.dumps(out))
"""

FORKS = r"""
import os, sys, time
n = 0
try:
    for _ in range(int(sys.argv[1])):
        if os.fork() == 0:
            time.sleep(float(sys.argv[2]))
            os._exit(0)
        n += 1
except OSError as e:
    print(n, e.errno, flush=True)
    time.sleep(float(sys.argv[2]))
    sys.exit(0)
print(n, 0, flush=True)
"""


def mem_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


class DefaultBounds(EscapeTest):

    def test_default_bounds_processes_tmpfs_and_oom_order(self):
        res = self.run_cr(None, args=["/usr/bin/python3", "-c", STATFS])
        self.assertEqual(res.rc, 0, res.describe())
        out = json.loads(res.out)
        total = mem_total()
        self.assertEqual(out["nproc"], ["4096", "4096"], "the default has no process bound" + res.describe())
        # tmpfs rounds its size to pages: 25% and 10% of RAM, within a page
        self.assertAlmostEqual(out["tmp"], total // 4, delta=8192, msg="/tmp is not 25% of RAM")
        self.assertAlmostEqual(out["shm"], total // 10, delta=8192, msg="/dev/shm is not 10% of RAM")
        self.assertEqual(out["writable"], {"/x": False, "/dev/x": False, "/tmp/x": True, "/dev/shm/x": True},
                         "only the sized tmpfs may take writes" + res.describe())
        self.assertEqual(out["oom_score_adj"], 500, "the OOM killer does not take the sandbox first")

    def test_process_bound_holds_per_sandbox(self):
        """RLIMIT_NPROC counts per user namespace: each sandbox has its own
        budget, and one sandbox cannot use up another's."""
        d = self.sandbox_dir("w")
        with open(os.path.join(d, "forks.py"), "w") as f:
            f.write(FORKS)
        os.chmod(os.path.join(d, "forks.py"), 0o644)

        def cfg():
            c = base_config(limits={"rlimits": {"NPROC": 40}})
            c["filesystem"].append({"type": "bind", "source": d, "target": "/w"})
            c["process"]["path"] = "/usr/bin/python3"
            return c
        first = self.start(cfg(), args=["/usr/bin/python3", "/w/forks.py", "1000", "3"])
        line = self.read_line(first, timeout=20)
        n, err = map(int, line.split())
        self.assertEqual(err, 11, "fork did not fail with EAGAIN at the bound: %s" % line)
        self.assertLessEqual(n, 40, "the sandbox forked %d processes under NPROC 40" % n)
        self.assertGreaterEqual(n, 30, "test setup: too few forks before the bound (%d)" % n)
        # the first one still holds its processes: a second sandbox gets its own budget
        res = self.run_cr(cfg(), args=["/usr/bin/python3", "/w/forks.py", "20", "0"])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.out.split(), ["20", "0"], "one sandbox used up another's budget" + res.describe())
        first.wait(timeout=20)



# ---------------------------------------------------------------------------
# 6. Smaller holes.
# ---------------------------------------------------------------------------
def pids_hierarchy():
    """Where a cgroup pids limit goes on this host: ("v2", dir) or ("v1", dir)."""
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            if "pids" in f.read().split():
                return "v2", "/sys/fs/cgroup"
    except OSError:
        pass
    try:
        with open("/sys/fs/cgroup/unified/cgroup.controllers") as f:
            if "pids" in f.read().split():
                return "v2", "/sys/fs/cgroup/unified"
    except OSError:
        pass
    if os.path.isdir("/sys/fs/cgroup/pids"):
        return "v1", "/sys/fs/cgroup/pids"
    return None, None


class SmallHoles(EscapeTest):

    def exit_config(self, code, **sections):
        cfg = base_config(**sections)
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "exit", str(code)]
        return cfg

    def test_closed_std_fds(self):
        """Started with fds 0, 1 and 2 closed, internal pipes took those
        numbers, and a warning written to "stderr" released the init before
        its id maps were written (14 of 20 runs failed as an ordinary user)."""
        with open(self.path("warns.json"), "w") as f:  # a warning at every run
            json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                       "syscalls": [{"names": ["no_such_syscall_xyz"], "action": "SCMP_ACT_ERRNO"}]}, f)
        os.chmod(self.path("warns.json"), 0o644)
        cmd = self.command(self.exit_config(7, seccomp="./warns.json"))

        def close_std():
            for fd in (0, 1, 2):
                os.close(fd)
        codes = [subprocess.run(cmd, preexec_fn=close_std, env=dict(LAUNCHER_ENV), cwd=self.tmp,
                                timeout=30).returncode for _ in range(20)]
        self.assertEqual(codes, [7] * 20, "runs with fds 0-2 closed failed: exit codes %s" % codes)

    def test_init_error_is_reported_not_the_consequence(self):
        """The init's first step fails (a filter refuses PR_SET_PDEATHSIG):
        its own error must be reported, not the launcher's "join ... No such
        process" that follows from the init being gone."""
        kind, _ = pids_hierarchy()
        # a v1 cgroup makes the launcher slower between clone and the id maps
        cfg = self.exit_config(0, limits={"pids": 100}) if AS_ROOT and kind else self.exit_config(0)
        path = self.write_config(cfg)
        errors = set()
        for _ in range(40):
            res = self.run_cr(path, wrapper=["--deny-prctl", "1"])
            self.assertEqual(res.rc, 125, res.describe())
            errors.add(res.err.strip())
        self.assertEqual(errors, {"cleanroom: init: PR_SET_PDEATHSIG: Operation not permitted"})

    def test_id_maps_when_proc_is_another_pid_namespace(self):
        """Under `unshare -p -f` without a new /proc the id maps went to
        /proc/<pid> of another process (there, /proc/2 was kthreadd)."""
        if not AS_ROOT:
            self.skipTest("a new pid namespace without a user namespace needs root")
        cmd = ["/usr/bin/unshare", "-p", "-f"] + self.command(self.exit_config(5))
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV),
                             cwd=self.tmp, timeout=30)
        self.assertEqual(res.returncode, 5, res.stderr.decode())

    def test_cgroup_of_another_launcher_is_never_touched(self):
        """Names were cleanroom-<getpid()>-<n>: a launcher in another pid
        namespace with the same pid "cleaned up" the first one's live
        cgroup. Under `unshare -p -f` the launcher is pid 1: a live cgroup
        named cleanroom-1-0 must survive its run."""
        if not AS_ROOT:
            self.skipTest("needs root to make cgroups")
        kind, root = pids_hierarchy()
        if not kind:
            self.skipTest("no pids controller")
        parent = "cr-test-" + os.urandom(6).hex()
        base = os.path.join(root, parent)
        os.mkdir(base)
        self.addCleanup(lambda: os.path.isdir(base) and os.rmdir(base))
        if kind == "v2":
            with open(os.path.join(root, "cgroup.subtree_control")) as f:
                if "pids" not in f.read().split():
                    self.skipTest("pids is not enabled for children of %s" % root)
            with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
                f.write("+pids")
        victim_dir = os.path.join(base, "cleanroom-1-0")
        os.mkdir(victim_dir)
        self.addCleanup(lambda: os.path.isdir(victim_dir) and os.rmdir(victim_dir))
        victim = subprocess.Popen(["/bin/sleep", "60"])
        self.addCleanup(victim.wait)
        self.addCleanup(victim.kill)
        with open(os.path.join(victim_dir, "cgroup.procs"), "w") as f:
            f.write(str(victim.pid))

        def move_out():  # out of the cgroup before it is removed (cleanups run last-in first)
            if victim.poll() is None:
                with open(os.path.join(root, "cgroup.procs"), "w") as f:
                    f.write(str(victim.pid))
        self.addCleanup(move_out)
        cmd = ["/usr/bin/unshare", "-p", "-f"] + self.command(
            self.exit_config(0, limits={"pids": 100, "cgroup_parent": "/" + parent}))
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV),
                             cwd=self.tmp, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.assertIsNone(victim.poll(), "ATTACK WORKED: the launcher killed another cgroup's process")
        self.assertTrue(os.path.isdir(victim_dir), "the launcher removed a cgroup it did not create")

    def test_untrusted_cache_folder_is_said_once(self):
        cache = self.make_dir("cache", 0o777)  # writable by others: never trusted
        if AS_ROOT:
            os.chmod(cache, 0o700)
            os.chown(cache, 12345, 12345)  # another user's
        env = dict(LAUNCHER_ENV, CLEANROOM_CACHE_DIR=cache)
        res = self.run_cr(self.exit_config(0), env=env)
        self.assertEqual(res.rc, 0, res.describe())
        warnings = [l for l in res.err.splitlines() if "filter cache" in l]
        self.assertEqual(len(warnings), 1, "expected one warning about the cache folder" + res.describe())
        self.assertIn(cache, warnings[0])
        self.assertIn("belongs to another user" if AS_ROOT else "writable by others", warnings[0])

    def test_fd_near_rlimit_nofile_names_the_limit(self):
        cfg = base_config(fds=[{"fd": 1, "inherit": 1}, {"fd": 2, "inherit": 2}, {"fd": 100, "null": True}])
        cfg["process"]["path"] = SANDBOX_PROBE
        cfg["process"]["args"] = [SANDBOX_PROBE, "exit", "0"]
        path = self.write_config(cfg)
        res = self.run_cr(path, wrapper=["--nofile", "64"])  # soft 64: raised to the hard limit for the layout
        self.assertEqual(res.rc, 0, res.describe())
        p = subprocess.run(["/usr/bin/prlimit", "--nofile=64:64", CLEANROOM, "run", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(LAUNCHER_ENV), timeout=30)
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertIn("RLIMIT_NOFILE", p.stderr.decode())
        self.assertIn("fd 100", p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
