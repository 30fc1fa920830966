#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run an end-to-end suite as root or as uid/gid 65534.

    run_e2e.py --as root|nobody --cleanroom PATH --probe PATH
               [--attack PATH] [--module FILE ...] [unittest args...]

The default suite is tests/e2e (crtest.py, test_sandbox.py, test_seccomp.py, test_cli.py,
test_fresh.py, test_explain.py);
--module names other test modules to copy and run (tests/escape uses it, with
--attack for its attacker program, which sits next to the probe).

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
MODULES = [os.path.join(HERE, m) for m in ("crtest.py", "test_sandbox.py", "test_seccomp.py", "test_cli.py", "test_fresh.py",
                                            "test_explain.py", "test_learn.py")]
SOURCE = os.path.dirname(os.path.dirname(HERE))
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
    ap.add_argument("--attack", default=None, help="cr-attack, bound next to the probe (tests/escape)")
    ap.add_argument("--module", action="append", default=None,
                    help="a test module to copy and run (default: the e2e suite); repeatable")
    ap.add_argument("--python", default=None, help="interpreter for the suite (default: one the target uid can run)")
    opts, rest = ap.parse_known_args()

    binaries = [(opts.cleanroom, "cleanroom"), (opts.probe, "cr-probe")]
    if opts.attack:
        binaries.append((opts.attack, "cr-attack"))
    modules = [os.path.join(HERE, "crtest.py")] + opts.module if opts.module else MODULES
    for p, _ in binaries:
        if not os.access(p, os.X_OK):
            print("run_e2e: %s is not an executable" % p, file=sys.stderr)
            return 1

    euid = os.geteuid()
    prefix = []
    if opts.who == "root" and euid != 0:
        print("run_e2e: SKIP: --as root needs root (running as uid %d)" % euid)
        return SKIP
    if opts.who == "nobody":
        if euid == NOBODY:
            pass
        elif euid != 0:
            print("run_e2e: SKIP: --as nobody needs root to become uid %d" % NOBODY)
            return SKIP
        else:
            prefix = drop_privileges()
            if prefix is None:
                print("run_e2e: SKIP: no setpriv to drop to uid %d" % NOBODY)
                return SKIP

    work = tempfile.mkdtemp(prefix="cr-e2e-bin-")
    try:
        os.chmod(work, 0o755)
        # The probe (and the attacker) alone in their folder: it is bound at /probe.
        probe_dir = os.path.join(work, "probe")
        os.mkdir(probe_dir)
        os.chmod(probe_dir, 0o755)
        for src, name in binaries:
            dst = os.path.join(work if name == "cleanroom" else probe_dir, name)
            shutil.copy2(src, dst)
            os.chmod(dst, 0o755)
        for m in modules:
            dst = os.path.join(work, os.path.basename(m))
            shutil.copy2(m, dst)
            os.chmod(dst, 0o644)

        # The example configs (test_explain), where 65534 can read them.
        examples = os.path.join(work, "examples")
        shutil.copytree(os.path.join(SOURCE, "config", "examples"), os.path.join(examples, "config"))
        shutil.copytree(os.path.join(SOURCE, "examples"), os.path.join(examples, "examples"))
        for top, dirs, files in os.walk(examples):
            os.chmod(top, 0o755)
            for f in files:
                os.chmod(os.path.join(top, f), 0o755 if os.access(os.path.join(top, f), os.X_OK) else 0o644)

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
            print("run_e2e: SKIP: no python3 that uid %d can run" % NOBODY)
            return SKIP

        # The compiled-filter cache goes to the temp folder too, owned by the
        # uid that runs the suite, so the run leaves nothing in /tmp or ~.
        cache = os.path.join(work, "cache")
        os.mkdir(cache, 0o700)
        if prefix:
            os.chown(cache, NOBODY, NOBODY)
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
            "CLEANROOM_CACHE_DIR": cache,
            "CR_E2E_EXAMPLES": examples,
        }
        suites = [os.path.basename(m)[:-3] for m in modules if os.path.basename(m).startswith("test_")]
        cmd = prefix + [python, "-m", "unittest", "-v"] + (rest or suites)
        print("run_e2e: as %s (uid %s): %s" % (opts.who, NOBODY if prefix else euid, " ".join(cmd)), flush=True)
        return subprocess.call(cmd, cwd=work, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
