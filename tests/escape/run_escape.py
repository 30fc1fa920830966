#!/usr/bin/env python3
"""Run the escape suites as root or as uid/gid 65534.

    run_escape.py --as root|nobody --cleanroom PATH --probe PATH --attack PATH [unittest args...]

The same approach as tests/e2e/run_e2e.py (whose crtest.py helpers the
suites reuse): the attacker cr-attack sits next to cr-probe in the folder
that sandboxes bind at /probe.

The build tree may live where 65534 cannot read (e.g. under /root), so the
binaries and the test modules are copied into a fresh temp folder (0755)
first; the suite then runs from there, as the requested user, with a clean
environment. Exit status: the suite's (0 = all passed), 77 = skipped (the
requested identity is not available), anything else = failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(os.path.dirname(HERE), "e2e")
MODULES = [os.path.join(E2E, "crtest.py"), os.path.join(HERE, "esctest.py"),
           os.path.join(HERE, "test_escape.py"), os.path.join(HERE, "test_bad_input.py")]
NOBODY = 65534
SKIP = 77


def can_run_as_nobody(python):
    try:
        r = subprocess.run(drop_privileges() + [python, "-c", "import unittest, json, pty, selectors"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def drop_privileges():
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups", "--"]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--as", dest="who", choices=["root", "nobody", "self"], default="self")
    ap.add_argument("--cleanroom", required=True)
    ap.add_argument("--probe", required=True)
    ap.add_argument("--attack", required=True)
    ap.add_argument("--python", default=None, help="interpreter for the suite (default: one the target uid can run)")
    opts, rest = ap.parse_known_args()

    for p in (opts.cleanroom, opts.probe, opts.attack):
        if not os.access(p, os.X_OK):
            print("run_escape: %s is not an executable" % p, file=sys.stderr)
            return 1

    euid = os.geteuid()
    prefix = []
    if opts.who == "root" and euid != 0:
        print("run_escape: SKIP: escape tests as root need root (running as uid %d)" % euid)
        return SKIP
    if opts.who == "nobody":
        if euid == NOBODY:
            pass
        elif euid != 0:
            print("run_escape: SKIP: escape tests as nobody need root to become uid %d" % NOBODY)
            return SKIP
        else:
            prefix = drop_privileges()
            if prefix is None:
                print("run_escape: SKIP: no setpriv to drop to uid %d" % NOBODY)
                return SKIP

    work = tempfile.mkdtemp(prefix="cr-esc-bin-")
    try:
        os.chmod(work, 0o755)
        for src, name in ((opts.cleanroom, "cleanroom"), (opts.probe, "cr-probe"), (opts.attack, "cr-attack")):
            shutil.copy2(src, os.path.join(work, name))
            os.chmod(os.path.join(work, name), 0o755)
        for m in MODULES:
            shutil.copy2(m, os.path.join(work, os.path.basename(m)))
            os.chmod(os.path.join(work, os.path.basename(m)), 0o644)
        # The probe and the attacker alone in their folder: it is bound at /probe.
        probe_dir = os.path.join(work, "probe")
        os.mkdir(probe_dir)
        os.chmod(probe_dir, 0o755)
        for name in ("cr-probe", "cr-attack"):
            os.rename(os.path.join(work, name), os.path.join(probe_dir, name))

        candidates = [opts.python] if opts.python else []
        candidates += [sys.executable, os.path.realpath(sys.executable), "/usr/bin/python3",
                       "/usr/local/bin/python3"]
        python = None
        for c in candidates:
            if not c or not os.access(c, os.X_OK):
                continue
            if prefix and not can_run_as_nobody(c):
                continue
            python = c
            break
        if python is None:
            print("run_escape: SKIP: no python3 that uid %d can run" % NOBODY)
            return SKIP

        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            "HOME": work,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "CR_E2E_CLEANROOM": os.path.join(work, "cleanroom"),
            "CR_E2E_PROBE": os.path.join(probe_dir, "cr-probe"),
            "CR_ESC_ATTACK": os.path.join(probe_dir, "cr-attack"),
        }
        cmd = prefix + [python, "-m", "unittest", "-v"] + (rest or ["test_sandbox", "test_seccomp"])
        print("run_escape: as %s (uid %s): %s" % (opts.who, NOBODY if prefix else euid, " ".join(cmd)), flush=True)
        return subprocess.call(cmd, cwd=work, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
