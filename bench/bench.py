#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Launch-latency driver for bench/run.sh (Python 3 standard library only).

Every launcher starts /bin/true. Launches are timed with time.perf_counter_ns()
around os.posix_spawn() + os.wait4(), the same code path for every launcher,
round-robin (one launch of each per round, the order rotated every round) so
that machine noise hits all launchers alike. See bench/README.md.
"""

import argparse
import base64
import ctypes
import datetime
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import time

CLONE_NEWNS = 0x00020000
SECCOMP_FD = 11  # the fd bwrap --seccomp reads the filter from
TRUE = "/bin/true"


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class Abort(Exception):
    pass


class MountNs:
    """A private mount namespace the driver enters (setns) only around crun's
    launches, outside the timed region. Needed on hybrid cgroup hosts, where
    crun refuses to start unless the cgroup2 mount under /sys/fs/cgroup is
    hidden."""

    def __init__(self, hide):
        self.libc = ctypes.CDLL(None, use_errno=True)
        script = ('for m in "$@"; do umount -l "$m" || exit 1; done; '
                  'echo ready; read x')
        helper = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             script, "sh"] + hide,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        line = helper.stdout.readline()
        if line.strip() != "ready":
            helper.stdin.close()
            err = helper.stderr.read().strip()
            helper.wait()
            raise OSError("private mount namespace: " + (err or "helper failed"))
        self.fd = os.open("/proc/%d/ns/mnt" % helper.pid, os.O_RDONLY | os.O_CLOEXEC)
        self.home = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
        helper.stdin.close()  # the namespace lives on through self.fd
        helper.wait()
        self.cwd = os.getcwd()

    def _setns(self, fd):
        if self.libc.setns(fd, CLONE_NEWNS) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))

    def __enter__(self):
        self._setns(self.fd)

    def __exit__(self, *exc):
        self._setns(self.home)
        os.chdir(self.cwd)


class NoNs:
    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass


class Launcher:
    def __init__(self, key, label, argv, seccomp_file=None, ns=None):
        self.key = key
        self.label = label
        self._argv = argv            # a list, or a callable returning one
        self.seccomp_file = seccomp_file
        self.ns = ns or NoNs()
        self.samples = []            # ns per launch, interleaved rounds
        self.loop_rate = None        # launches/s in the sequential loop
        self.loop_n = 0
        self.rss_kib = None

    def argv(self):
        return self._argv() if callable(self._argv) else self._argv


class ApiLauncher(Launcher):
    """cleanroom through its C API, as a plugin host uses it: bench/api_server.c
    loads the default config once and, per request, runs cr_run() (mode "run")
    or creates a sandbox and starts it with a job that sets the command (mode
    "job"); the driver times the request round trip over a pipe (no launcher
    process to spawn: the host already runs)."""

    def __init__(self, key, label, server, mode="run"):
        super().__init__(key, label, [server])
        self.mode = mode
        self.proc = subprocess.Popen([server], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)

    def request(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().split()
        if len(reply) != 2:
            err = first_line(self.proc.stderr.read()) if self.proc.poll() is not None else ""
            raise Abort("%s: no reply to %r%s" % (self.key, line, (": " + err) if err else ""))
        return int(reply[0]), int(reply[1])

    def launch(self):
        t0 = time.perf_counter_ns()
        code, _ = self.request(self.mode)
        return time.perf_counter_ns() - t0, code

    def loop(self, max_runs, seconds):
        runs, ns = self.request("loop %d %g %s" % (max_runs, seconds, self.mode))
        if runs < 0:
            raise Abort("%s: a run failed in its loop" % self.key)
        return runs, ns

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class Driver:
    def __init__(self, args):
        self.args = args
        self.env = dict(os.environ)
        self.null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)

    def file_actions(self, l, stdout, stderr):
        fa = [(os.POSIX_SPAWN_DUP2, self.null, 0),
              (os.POSIX_SPAWN_DUP2, stdout, 1),
              (os.POSIX_SPAWN_DUP2, stderr, 2)]
        if l.seccomp_file:
            fa.append((os.POSIX_SPAWN_OPEN, SECCOMP_FD, l.seccomp_file, os.O_RDONLY, 0))
        return fa

    def launch(self, l, stderr=None):
        """One timed launch; returns (ns, exit code). Must be called inside l.ns."""
        if isinstance(l, ApiLauncher):
            return l.launch()
        argv = l.argv()
        fa = self.file_actions(l, self.null, self.null if stderr is None else stderr)
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, self.env, file_actions=fa)
        _, status, _ = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
        return t1 - t0, os.waitstatus_to_exitcode(status)

    def check(self, l):
        """Run once; returns None when it exits 0, else a one-line reason."""
        errpath = os.path.join(self.args.workdir, "check.err")
        fd = os.open(errpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            with l.ns:
                _, code = self.launch(l, stderr=fd)
        except OSError as e:
            return "cannot start: %s" % e
        finally:
            os.close(fd)
        if code == 0:
            return None
        with open(errpath, errors="replace") as f:
            err = " / ".join(x.strip() for x in f.read().strip().splitlines()[:3])
        return "exit %d%s" % (code, (": " + err) if err else "")

    def rss(self, l):
        """Peak RSS (KiB) of the launcher's process tree, through the small C
        probe (or GNU time): max over --rss-runs runs."""
        if isinstance(l, ApiLauncher):
            return None  # the host's own process: nothing to compare
        probe = self.args.rss_probe
        self.rss_method = ("a small C parent (bench/rss_probe.c)" if probe else
                           "GNU time" if os.path.exists("/usr/bin/time") else None)
        best = None
        for _ in range(self.args.rss_runs):
            if probe:
                cmd = [probe] + l.argv()
            elif os.path.exists("/usr/bin/time"):
                cmd = ["/usr/bin/time", "-f", "%M", "-o", "/dev/stdout", "--"] + l.argv()
            else:
                return None
            r, w = os.pipe()
            fa = self.file_actions(l, w, self.null)
            try:
                with l.ns:
                    pid = os.posix_spawn(cmd[0], cmd, self.env, file_actions=fa)
            finally:
                os.close(w)
            with os.fdopen(r) as f:
                out = f.read()
            _, status, _ = os.wait4(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            try:
                kib = int(out.split()[-1])
            except (ValueError, IndexError):
                return None
            best = kib if best is None else max(best, kib)
        return best


# --- setup ------------------------------------------------------------------

def run_out(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess(cmd, 1, "", str(e))


def first_line(s):
    s = (s or "").strip()
    return s.splitlines()[0] if s else ""


def version(cmd):
    r = run_out(cmd)
    return first_line(r.stdout or r.stderr) if r.returncode == 0 else "?"


def mountinfo():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            out.append((left.split()[4], right.split()[0]))
    return out


def bwrap_argv(bwrap, seccomp):
    a = [bwrap,
         "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
         "--unshare-uts", "--unshare-cgroup",
         "--die-with-parent", "--new-session", "--hostname", "cleanroom",
         "--ro-bind", "/usr", "/usr"]
    # Same entries as cleanroom's built-in default (config/default.json). On a
    # merged-/usr system /bin etc. are symlinks; --ro-bind follows them, as
    # cleanroom's bind does.
    for d in ("/bin", "/sbin", "/lib"):
        a += ["--ro-bind", d, d]
    for d in ("/lib32", "/lib64", "/libx32"):
        a += ["--ro-bind-try", d, d]
    a += ["--ro-bind", "/etc", "/etc",
          "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp"]
    if seccomp:
        a += ["--seccomp", str(SECCOMP_FD)]
    return a + [TRUE]


def crun_setup(crun, workdir, bpf, notes):
    """Returns the two crun launchers, or [] with a reason in notes."""
    if os.geteuid() != 0:
        notes.append("crun: skipped, needs root here (its bundle maps the "
                     "container's root to uid 65534, as cleanroom does as root)")
        return []
    base = os.path.join(workdir, "crun")
    rootfs = os.path.join(base, "rootfs")
    binds = ["/usr", "/bin", "/sbin", "/lib"] + \
        [d for d in ("/lib32", "/lib64", "/libx32") if os.path.exists(d)] + ["/etc"]
    for d in binds + ["/proc", "/dev", "/tmp"]:
        os.makedirs(rootfs + d, exist_ok=True)
    os.makedirs(os.path.join(base, "state"), exist_ok=True)
    os.chmod(workdir, 0o755)  # mkdtemp's 0700 would stop uid 65534 reaching rootfs
    for p in (base, rootfs):
        os.chmod(p, 0o755)
    mounts = [{"destination": d, "type": "bind", "source": d,
               "options": ["rbind", "ro", "nosuid"]} for d in binds]
    mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                "options": ["nosuid", "nodev", "mode=1777"]},
               {"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                "options": ["nosuid", "mode=755"]}]
    config = {
        "ociVersion": "1.0.0",
        "process": {"terminal": False, "user": {"uid": 0, "gid": 0},
                    "args": [TRUE], "env": ["PATH=/usr/bin:/bin"], "cwd": "/tmp",
                    "noNewPrivileges": True, "capabilities": {}},
        "root": {"path": rootfs, "readonly": True},
        "hostname": "cleanroom",
        "mounts": mounts,
        "linux": {
            "namespaces": [{"type": t} for t in
                           ("pid", "network", "ipc", "uts", "user", "mount", "cgroup")],
            "uidMappings": [{"containerID": 0, "hostID": 65534, "size": 1}],
            "gidMappings": [{"containerID": 0, "hostID": 65534, "size": 1}],
        },
    }
    bundles = {}
    for key, with_seccomp in (("crun", False), ("crun+seccomp", True)):
        b = os.path.join(base, key.replace("+", "-"))
        os.makedirs(b, exist_ok=True)
        c = json.loads(json.dumps(config))
        if with_seccomp:
            # the same compiled filter bwrap gets, as raw BPF (crun >= 1.0)
            with open(bpf, "rb") as f:
                c["annotations"] = {"run.oci.seccomp_bpf_data": base64.b64encode(f.read()).decode()}
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(c, f)
        bundles[key] = b

    # Hybrid cgroup host (tmpfs on /sys/fs/cgroup with a cgroup2 mount below
    # it): crun refuses ("cgroups in hybrid mode not supported"), so its
    # launches run in a private mount namespace with the cgroup2 mount hidden.
    mi = mountinfo()
    top = [fs for mp, fs in mi if mp == "/sys/fs/cgroup"]
    hide = []
    if top and top[-1] != "cgroup2":
        hide = sorted({mp for mp, fs in mi if fs == "cgroup2" and mp.startswith("/sys/fs/cgroup/")})
    ns = None
    if hide:
        if not shutil.which("unshare"):
            notes.append("crun: skipped, hybrid cgroup host and no unshare(1) to hide the cgroup2 mount")
            return []
        try:
            ns = MountNs(hide)
        except OSError as e:
            notes.append("crun: skipped, %s" % e)
            return []
        notes.append("crun runs in a private mount namespace with %s unmounted (hybrid cgroup host; "
                     "the driver enters it with setns outside the timed region)" % ", ".join(hide))

    counter = [0]

    def argv_for(bundle):
        def argv():
            counter[0] += 1
            return [crun, "--root", os.path.join(base, "state"), "--cgroup-manager=disabled",
                    "run", "--bundle", bundle, "bench-%d-%d" % (os.getpid(), counter[0])]
        return argv

    return [Launcher("crun", "crun (OCI bundle, same mounts)", argv_for(bundles["crun"]), ns=ns),
            Launcher("crun+seccomp", "crun + seccomp (default profile's BPF)",
                     argv_for(bundles["crun+seccomp"]), ns=ns)]


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return platform.release(), os.cpu_count(), cpu


def pct(sorted_ns, q):
    n = len(sorted_ns)
    if n == 1:
        return sorted_ns[0]
    x = q * (n - 1)
    i = int(x)
    j = min(i + 1, n - 1)
    return sorted_ns[i] + (sorted_ns[j] - sorted_ns[i]) * (x - i)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cleanroom", required=True)
    ap.add_argument("--api", default="", help="bench/api_server.c built (cr-bench-api)")
    ap.add_argument("--baseline", default="",
                    help="another cleanroom (e.g. the last release's) timed in the same rounds")
    ap.add_argument("--baseline-api", default="", help="that build's cr-bench-api (its cr_run() row)")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--rss-probe", default="")
    ap.add_argument("--count", type=int, default=200, help="interleaved rounds (default 200)")
    ap.add_argument("--warmup", type=int, default=5, help="warm-up rounds (default 5)")
    ap.add_argument("--loop-seconds", type=float, default=2.0,
                    help="sequential loop per launcher: at most this long (default 2)")
    ap.add_argument("--loop-max", type=int, default=400,
                    help="sequential loop per launcher: at most this many launches (default 400)")
    ap.add_argument("--rss-runs", type=int, default=5, help="runs for peak RSS (default 5)")
    args = ap.parse_args()
    if args.count < 1 or args.loop_max < 1 or args.rss_runs < 1 or args.warmup < 0:
        ap.error("counts must be positive")

    d = Driver(args)
    cr = args.cleanroom
    notes = []
    root = os.geteuid() == 0

    # The filter bwrap and crun get is the one cleanroom's default profile compiles to.
    bpf = os.path.join(args.workdir, "default.bpf")
    r = run_out([cr, "policy", "export", "default", "--output", bpf])
    if r.returncode != 0:
        raise Abort("`%s policy export default` failed (exit %d): %s"
                    % (cr, r.returncode, first_line(r.stderr) or "no message"))
    none_cfg = os.path.join(args.workdir, "seccomp-none.json")
    with open(none_cfg, "w") as f:
        json.dump({"seccomp": "none", "process": {"args": [TRUE]}}, f)

    launchers = [Launcher("bare", "bare fork+exec (floor)", [TRUE])]
    required = {"bare", "cleanroom", "cleanroom-none"}
    unshare = shutil.which("unshare")
    if unshare:
        launchers.append(Launcher("unshare", "unshare -U -r -p -f -m -n -i -u",
                                  [unshare, "--user", "--map-root-user", "--pid", "--fork",
                                   "--mount", "--net", "--ipc", "--uts", TRUE]))
    else:
        notes.append("unshare: skipped, util-linux unshare(1) not found")
    bwrap = shutil.which("bwrap")
    if bwrap:
        launchers.append(Launcher("bwrap", "bwrap (no seccomp)", bwrap_argv(bwrap, False)))
        launchers.append(Launcher("bwrap+seccomp", "bwrap + seccomp (default profile's BPF)",
                                  bwrap_argv(bwrap, True), seccomp_file=bpf))
    else:
        notes.append("bwrap: skipped, not installed (Debian package bubblewrap)")
    crun = shutil.which("crun")
    if crun:
        launchers += crun_setup(crun, args.workdir, bpf, notes)
    else:
        notes.append("crun: skipped, not installed (optional; Debian package crun)")
    launchers.append(Launcher("cleanroom", "cleanroom run -- /bin/true (default)",
                              [cr, "run", "--", TRUE]))
    launchers.append(Launcher("cleanroom-none", 'cleanroom, seccomp "none"',
                              [cr, "run", none_cfg]))
    if args.api:
        launchers.append(ApiLauncher("cleanroom-api", "cleanroom C API: cr_run() of the default, "
                                     "config loaded once", args.api))
        launchers.append(ApiLauncher("cleanroom-api-job", "cleanroom handle API: create + start(job) + wait, "
                                     "one config, a job per run", args.api, mode="job"))
        required.update(("cleanroom-api", "cleanroom-api-job"))
    # A change on the launch path is judged against the build before it, in
    # the same interleaved rounds (the same noise for both).
    if args.baseline:
        launchers.append(Launcher("baseline", "baseline: %s run -- /bin/true (default)" % args.baseline,
                                  [args.baseline, "run", "--", TRUE]))
        required.add("baseline")
    if args.baseline_api:
        launchers.append(ApiLauncher("baseline-api", "baseline: %s (cr_run())" % args.baseline_api,
                                     args.baseline_api))
        required.add("baseline-api")

    # Each launcher must work before it is timed.
    ok = []
    for l in launchers:
        why = d.check(l)
        if why is None:
            ok.append(l)
            continue
        if l.key in required or (root and l.key in ("unshare", "bwrap", "bwrap+seccomp")):
            raise Abort("%s does not work here (%s): %s" % (l.key, " ".join(l.argv()), why))
        notes.append("%s: skipped, does not run here: %s" % (l.key, why))
    launchers = ok
    log("launchers: " + ", ".join(l.key for l in launchers))

    gc.collect()
    gc.disable()
    n = len(launchers)
    for r_ in range(args.warmup):
        for l in launchers:
            with l.ns:
                d.launch(l)
    log("timing %d interleaved rounds" % args.count)
    for r_ in range(args.count):
        for k in range(n):
            l = launchers[(r_ + k) % n]  # rotate the order every round
            with l.ns:
                dt, code = d.launch(l)
            if code != 0:
                raise Abort("%s exited %d during the run" % (l.key, code))
            l.samples.append(dt)
    log("sequential loops (<= %g s or %d launches each)" % (args.loop_seconds, args.loop_max))
    for l in launchers:
        if isinstance(l, ApiLauncher):
            l.loop_n, ns = l.loop(args.loop_max, args.loop_seconds)
            l.loop_rate = l.loop_n / (ns / 1e9)
            continue
        with l.ns:
            limit = args.loop_seconds * 1e9
            t0 = time.perf_counter_ns()
            i = 0
            el = 0
            while i < args.loop_max and el < limit:
                _, code = d.launch(l)
                if code != 0:
                    raise Abort("%s exited %d in its loop" % (l.key, code))
                i += 1
                el = time.perf_counter_ns() - t0
        l.loop_n = i
        l.loop_rate = i / (el / 1e9)
    gc.enable()
    for l in launchers:
        if isinstance(l, ApiLauncher):
            l.close()
    log("peak RSS")
    for l in launchers:
        l.rss_kib = d.rss(l)

    if not getattr(d, "rss_method", None):
        notes.append("peak RSS: n/a, no C compiler for bench/rss_probe.c and no /usr/bin/time")
    report(args, launchers, notes, cr, bwrap, crun, getattr(d, "rss_method", None) or "n/a")


def fmt_ms(ns):
    return "%.2f" % (ns / 1e6)


def report(args, launchers, notes, cr, bwrap, crun, rss_method):
    by = {l.key: l for l in launchers}
    med = {}
    kernel, ncpu, cpu = machine()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    vers = ["cleanroom " + version([cr, "--version"]).replace("cleanroom ", "")]
    if bwrap and "bwrap" in by:
        vers.append(version([bwrap, "--version"]))
    if crun and "crun" in by:
        vers.append(version([crun, "--version"]))
    if "unshare" in by:
        vers.append(version(["unshare", "--version"]))

    p = print
    p("### Launch latency of `/bin/true`: %d interleaved launches each" % args.count)
    p()
    p("%s · Linux %s · %s CPUs · %s · as %s" % (now, kernel, ncpu, cpu,
                                                  "root" if os.geteuid() == 0 else "uid %d" % os.geteuid()))
    p()
    p(" · ".join(vers))
    p()
    p("| launcher | median ms | p10 ms | p90 ms | launches/s (loop) | peak RSS MiB |")
    p("| --- | ---: | ---: | ---: | ---: | ---: |")
    for l in launchers:
        s = sorted(l.samples)
        med[l.key] = pct(s, 0.5)
        rss = "%.1f" % (l.rss_kib / 1024) if l.rss_kib else "n/a"
        p("| %s | %s | %s | %s | %.0f | %s |" % (
            l.label, fmt_ms(med[l.key]), fmt_ms(pct(s, 0.1)), fmt_ms(pct(s, 0.9)),
            l.loop_rate, rss))
    p()
    rows = []

    def ratio(a, b, label, target):
        if a in med and b in med:
            rows.append((label, "%.2f" % (med[a] / med[b]), target))
        else:
            rows.append((label, "n/a (%s not measured)" % (b if a in med else a), target))

    ratio("cleanroom", "bwrap+seccomp", "cleanroom default / bwrap + seccomp (median)", "≤ 0.70")
    ratio("cleanroom", "unshare", "cleanroom default / unshare (median)", "≤ 1.30")
    ratio("cleanroom-none", "bwrap", 'cleanroom seccomp "none" / bwrap (median)', "—")
    if "crun+seccomp" in med:
        ratio("cleanroom", "crun+seccomp", "cleanroom default / crun + seccomp (median)", "—")
    if "cleanroom-api" in med:
        ratio("cleanroom-api", "unshare", "cleanroom C API / unshare (median)", "—")
    if "cleanroom-api-job" in med:
        ratio("cleanroom-api-job", "cleanroom-api", "cleanroom handle API with a job / cr_run() (median)", "—")
    if "baseline" in med:
        ratio("cleanroom", "baseline", "cleanroom default / baseline default (median)", "≤ 1.00")
    if "baseline-api" in med:
        ratio("cleanroom-api", "baseline-api", "cleanroom C API / baseline C API (median)", "≤ 1.00")
    c = by.get("cleanroom")
    rows.append(("cleanroom default, launches/s in a sequential loop",
                 "%.0f" % c.loop_rate, "≥ 400"))
    a = by.get("cleanroom-api")
    if a:
        rows.append(("cleanroom C API, launches/s in a sequential loop", "%.0f" % a.loop_rate, "≥ 400"))
    h = by.get("cleanroom-api-job")
    if h:
        rows.append(("cleanroom handle API with a job, launches/s in a sequential loop", "%.0f" % h.loop_rate, "—"))
    b = by.get("bwrap+seccomp")
    if c.rss_kib and b and b.rss_kib:
        rows.append(("cleanroom default / bwrap + seccomp (peak RSS)",
                     "%.2f" % (c.rss_kib / b.rss_kib), "≤ 1.00"))
    p("| ratio | value | target (issue 6) |")
    p("| --- | ---: | ---: |")
    for r in rows:
        p("| %s | %s | %s |" % r)
    p()
    loops = sorted({l.loop_n for l in launchers})
    p("Latency: wall time of posix_spawn + wait4 of the launcher, launching `/bin/true` "
      "(C API rows: of one request to bench/api_server.c, which loaded the config once: cr_run(), or "
      "cr_sandbox_create + cr_sandbox_start with a job setting the command + cr_sandbox_wait), "
      "after %d warm-up rounds. Loop: up to %g s or %d launches per launcher, one after another "
      "(%s launches each). Peak RSS: ru_maxrss of the launcher from wait4 in %s, "
      "i.e. the largest process of its tree, max of %d runs (bench/README.md)."
      % (args.warmup, args.loop_seconds, args.loop_max,
         ("%d" % loops[0]) if len(loops) == 1 else "%d to %d" % (loops[0], loops[-1]), rss_method, args.rss_runs))
    if notes:
        p()
        for note in notes:
            p("- " + note)
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except Abort as e:
        log("error: %s" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
