# SPDX-License-Identifier: MIT
"""Helpers for the cleanroom end-to-end tests.

The tests start real sandboxes with the `cleanroom` binary and run `cr-probe`
inside them; the probe reports as JSON what the child actually sees. The
paths of both binaries come from the environment (run_e2e.py sets them):

    CR_E2E_CLEANROOM   the cleanroom CLI
    CR_E2E_PROBE       cr-probe; its folder is bound at /probe in sandboxes

Everything a test writes goes to a temp folder of its own, removed afterwards.
Python 3 standard library only.
"""

import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest
import uuid

CLEANROOM = os.environ.get("CR_E2E_CLEANROOM", "")
PROBE = os.environ.get("CR_E2E_PROBE", "")
PROBE_DIR = os.path.dirname(PROBE)
SANDBOX_PROBE_DIR = "/probe"
SANDBOX_PROBE = SANDBOX_PROBE_DIR + "/" + os.path.basename(PROBE or "cr-probe")

# A value that must never reach a child: put in the launcher's environment,
# in config file names, and checked for in everything the child can read.
CANARY = "CANARY-" + uuid.uuid4().hex
OVERFLOW_ID = 65534
RUN_TIMEOUT = 30

# The launcher's own environment: things a child must not inherit.
LAUNCHER_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C",
    "CANARY_SECRET": CANARY,
    "PWD": "/" + CANARY,
    "SHLVL": "7",
    "FOO": "from-the-host",
    "LD_PRELOAD": "",
    "HOME": "/nonexistent-" + CANARY,
}
# The runner's compiled-filter cache (a temp folder), so runs leave nothing behind.
if os.environ.get("CLEANROOM_CACHE_DIR"):
    LAUNCHER_ENV["CLEANROOM_CACHE_DIR"] = os.environ["CLEANROOM_CACHE_DIR"]

FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"]

NS_NAMES = {"user": "user", "pid": "pid", "mount": "mnt", "net": "net", "ipc": "ipc",
            "uts": "uts", "cgroup": "cgroup", "time": "time"}


def host_ns(name):
    """The test process's own namespace id, e.g. 'net:[4026531833]'."""
    return os.readlink("/proc/self/ns/" + name)


# A root caller's sandbox user: not the overflow id, which every unmapped
# file shows as its owner (issue 17).
ROOT_SANDBOX_ID = 1000


def expected_default_uid():
    """process.uid when the config does not say: the caller's uid, 1000 for root."""
    uid = os.getuid()
    return ROOT_SANDBOX_ID if uid == 0 else uid


def expected_default_gid():
    gid = os.getgid()
    return ROOT_SANDBOX_ID if os.getuid() == 0 else gid


def expected_host_uid():
    """The host uid the sandbox's processes run as."""
    uid = os.getuid()
    return OVERFLOW_ID if uid == 0 else uid


def base_filesystem():
    """Enough of the host to run the probe (and /bin/sh), plus /probe.

    Host folders that are symlinks (/bin -> usr/bin on merged-/usr systems)
    become symlink entries; real folders become read-only binds."""
    fs = [{"type": "bind", "source": "/usr", "target": "/usr"}]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            fs.append({"type": "symlink", "target": top, "to": os.readlink(top)})
        elif os.path.isdir(top):
            fs.append({"type": "bind", "source": top, "target": top})
    fs += [
        {"type": "bind", "source": "/etc", "target": "/etc"},
        {"type": "tmpfs", "target": "/tmp"},
        {"type": "proc", "target": "/proc"},
        {"type": "dev", "target": "/dev"},
        {"type": "bind", "source": PROBE_DIR, "target": SANDBOX_PROBE_DIR},
    ]
    return fs


def base_config(args=None, **sections):
    """A complete config that runs the probe; `sections` replace top-level keys."""
    cfg = {
        "process": {
            "path": SANDBOX_PROBE,
            "args": list(args) if args else [SANDBOX_PROBE, "dump"],
            "env": {"PATH": "/usr/bin:/bin"},
            "cwd": "/",
        },
        "namespaces": ["user", "pid", "mount", "net", "ipc", "uts", "cgroup"],
        "hostname": "cr-e2e-" + uuid.uuid4().hex[:8],
        "filesystem": base_filesystem(),
        "network": "none",
    }
    cfg.update(sections)
    return cfg


class Result:
    def __init__(self, cmd, rc, out, err, config, elapsed, stdout_stat=None):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err
        self.config, self.elapsed, self.stdout_stat = config, elapsed, stdout_stat

    def describe(self):
        cfg = json.dumps(self.config, indent=1) if self.config is not None else "(none)"
        return ("\n  command: %s\n  exit: %s\n  stdout: %s\n  stderr: %s\n  config: %s"
                % (" ".join(self.cmd), self.rc, self.out[:3000], self.err[:3000], cfg[:3000]))

    def json(self):
        return json.loads(self.out)


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read()
    except OSError:
        return b""


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2:data.rindex(b")") + 3].decode()
    except (OSError, ValueError):
        return None


def live_processes(marker=None, pidns=None):
    """Host pids (not zombies, not us) whose cmdline holds `marker` or that
    live in pid namespace `pidns` (ignored when it is our own namespace)."""
    if pidns == host_ns("pid"):
        pidns = None
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid == os.getpid():
            continue
        hit = False
        if marker and marker.encode() in proc_cmdline(pid):
            hit = True
        if pidns and not hit:
            try:
                hit = os.readlink("/proc/%d/ns/pid" % pid) == pidns
            except OSError:
                pass
        if hit and proc_state(pid) not in (None, "Z", "X"):
            found.append(pid)
    return found


def wait_gone(marker=None, pidns=None, timeout=3.0):
    deadline = time.monotonic() + timeout
    left = live_processes(marker, pidns)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = live_processes(marker, pidns)
    return left


def kill_pids(pids, marker, pidns=None):
    """SIGKILL the given pids, but only those whose cmdline still holds
    `marker` (a unique string only our own test processes carry) or that
    live in the sandbox's pid namespace `pidns` (never our own)."""
    if not marker or len(marker) < 16:
        return
    if pidns == host_ns("pid"):
        pidns = None
    for pid in pids:
        if pid in (1, os.getpid(), os.getppid()):
            continue
        ours = marker.encode() in proc_cmdline(pid)
        if not ours and pidns:
            try:
                ours = os.readlink("/proc/%d/ns/pid" % pid) == pidns
            except OSError:
                pass
        if not ours:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class SandboxTest(unittest.TestCase):
    """Base class: a private temp folder and helpers to run sandboxes."""

    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        if not CLEANROOM or not os.access(CLEANROOM, os.X_OK):
            raise unittest.SkipTest("CR_E2E_CLEANROOM is not an executable (run through run_e2e.py)")
        if not PROBE or not os.access(PROBE, os.X_OK):
            raise unittest.SkipTest("CR_E2E_PROBE is not an executable (run through run_e2e.py)")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cr-e2e-")
        # The sandbox runs as another host uid when we are root: let it in.
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self._n = 0

    # -- files -------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def make_dir(self, name, mode=0o755):
        p = self.path(name)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, mode)
        return p

    def sandbox_dir(self, name):
        """A folder the sandbox's host identity may create files in: host
        paths a config names are opened with the sandbox's rights, and as
        root the sandbox is uid 65534 on the host."""
        p = self.make_dir(name, 0o755)
        if os.getuid() == 0:
            os.chown(p, expected_host_uid(), expected_host_uid())
        return p

    def write_file(self, name, content, mode=0o644):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(content)
        os.chmod(p, mode)
        return p

    def read_file(self, p):
        with open(p) as f:
            return f.read()

    def write_config(self, cfg, name=None):
        self._n += 1
        # The canary in the file name puts it in the launcher's argv.
        p = self.path(name or ("%s-%d.json" % (CANARY, self._n)))
        with open(p, "w") as f:
            if isinstance(cfg, str):
                f.write(cfg)
            else:
                json.dump(cfg, f, indent=1)
        os.chmod(p, 0o644)
        return p

    # -- running -----------------------------------------------------------

    def command(self, cfg, args=None, report=None, wrapper=None, sub="run"):
        cmd = [CLEANROOM, sub]
        if isinstance(cfg, str):      # a config file already written (or meant to be missing)
            cmd.append(cfg)
        elif cfg is not None:         # a dict: write it
            cmd.append(self.write_config(cfg))
        if report:
            cmd += ["--report", report]
        if args is not None:
            cmd += ["--"] + list(args)
        if wrapper is not None:
            cmd = [PROBE, "exec-with"] + list(wrapper) + ["--"] + cmd
        return cmd

    def start(self, cfg, args=None, wrapper=None, env=None, pass_fds=(), stdin=subprocess.DEVNULL,
              new_session=True, report=None):
        cmd = self.command(cfg, args=args, wrapper=wrapper, report=report)
        p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env if env is not None else dict(LAUNCHER_ENV), pass_fds=pass_fds,
                             start_new_session=new_session, cwd=self.tmp)
        p.cr_cmd = cmd
        p.cr_config = cfg
        self.addCleanup(self._reap, p)
        return p

    def _reap(self, p):
        if p.poll() is None:
            p.kill()
            p.wait()
        for f in (p.stdout, p.stderr):
            if f:
                f.close()

    def run_cr(self, cfg, args=None, wrapper=None, env=None, pass_fds=(), stdin=subprocess.DEVNULL,
               timeout=RUN_TIMEOUT, report=None, sub="run", new_session=False):
        """Run `cleanroom SUB CONFIG [-- ARGS]` to the end; returns a Result."""
        cmd = self.command(cfg, args=args, wrapper=wrapper, report=report, sub=sub)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env if env is not None else dict(LAUNCHER_ENV), pass_fds=pass_fds,
                             start_new_session=new_session, cwd=self.tmp)
        st = os.fstat(p.stdout.fileno())
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            res = Result(cmd, None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                         cfg, time.monotonic() - t0)
            self.fail("cleanroom did not finish within %ss%s" % (timeout, res.describe()))
        return Result(cmd, p.returncode, out.decode("utf-8", "replace"),
                      err.decode("utf-8", "replace"), cfg, time.monotonic() - t0, st)

    def probe(self, cfg=None, probe_args=("dump",), **kw):
        """Run the probe in a sandbox (base_config unless `cfg`), expect exit 0,
        return (parsed JSON, Result)."""
        if cfg is None:
            cfg = base_config()
        cfg = json.loads(json.dumps(cfg))
        cfg["process"]["args"] = [SANDBOX_PROBE] + list(probe_args)
        cfg["process"]["path"] = SANDBOX_PROBE
        res = self.run_cr(cfg, **kw)
        self.assertEqual(res.rc, 0, "the sandboxed probe did not exit 0" + res.describe())
        try:
            return res.json(), res
        except ValueError:
            self.fail("the probe's output is not JSON" + res.describe())

    def host_probe(self, *args, wrapper=None, env=None, pass_fds=(), stdin=subprocess.DEVNULL):
        """Run the probe on the host (the control of an experiment)."""
        cmd = [PROBE] + list(args)
        if wrapper is not None:
            cmd = [PROBE, "exec-with"] + list(wrapper) + ["--"] + cmd
        p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env if env is not None else dict(LAUNCHER_ENV), pass_fds=pass_fds,
                           timeout=RUN_TIMEOUT)
        self.assertEqual(p.returncode, 0, "host probe %s failed: %s" % (cmd, p.stderr.decode()))
        return json.loads(p.stdout)

    def read_line(self, p, timeout=10.0):
        """One line of p.stdout, or fail after `timeout`."""
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = time.monotonic() + timeout
        fd = p.stdout.fileno()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                sel.close()
                self.fail("no line from the sandbox within %ss (so far %r; launcher exit %s; stderr %r)"
                          % (timeout, buf, p.poll(), p.stderr.read() if p.poll() is not None else ""))
            chunk = os.read(fd, 1)
            if not chunk:
                sel.close()
                p.wait()
                self.fail("the sandbox closed stdout before a full line (got %r); exit %s; stderr %r"
                          % (buf, p.returncode, p.stderr.read()))
            buf += chunk
        sel.close()
        return buf.decode()

    # -- assertions --------------------------------------------------------

    def assert_launcher_error(self, res, rc=125, mentions=()):
        """Exit `rc`, stderr made only of `cleanroom: WHERE: WHAT` lines
        naming `mentions`, nothing on stdout (the payload never ran)."""
        self.assertEqual(res.rc, rc, "expected exit %d" % rc + res.describe())
        lines = res.err.splitlines()
        self.assertTrue(lines, "no error message on stderr" + res.describe())
        for line in lines:
            self.assertTrue(line.startswith("cleanroom: ") and line.count(": ") >= 2,
                            "stderr line %r is not 'cleanroom: WHERE: WHAT'%s" % (line, res.describe()))
        for m in mentions:
            self.assertIn(m, res.err, "the error message does not name %r%s" % (m, res.describe()))
        self.assertEqual(res.out, "", "the payload produced output although setup failed" + res.describe())


def fd_map(dump):
    """fd number -> entry of a probe dump, without the probe's listing fd."""
    return {e["fd"]: e for e in dump["fds"] if "fd" in e and e["fd"] != dump["listing_fd"]}


def mountinfo(dump):
    """Parsed /proc/self/mountinfo lines of a probe dump."""
    mounts = []
    for line in dump["mountinfo"]:
        pre, _, post = line.partition(" - ")
        f = pre.split(" ")
        g = post.split(" ")
        unesc = lambda s: (s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
                           .replace("\\134", "\\"))
        mounts.append({"id": f[0], "parent": f[1], "root": unesc(f[3]), "point": unesc(f[4]),
                       "opts": set(f[5].split(",")), "tags": f[6:], "fstype": g[0] if g else "",
                       "source": g[1] if len(g) > 1 else "", "super": set(g[2].split(",")) if len(g) > 2 else set()})
    return mounts


def host_mountpoints():
    points = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            points.add(line.split(" ")[4].replace("\\040", " "))
    return points


def cap_bits(value):
    return int(value, 16)
