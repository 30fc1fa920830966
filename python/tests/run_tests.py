#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the cleanroom package's pytest suite as root or as uid 65534, from
copies the sandbox's host identity can read.

    run_tests.py --as root|nobody --python PY --cli CLEANROOM [--package DIR] [PYTEST_ARG...]

--package: the folder holding the built `cleanroom` package (the CMake
build's BUILD/python); without it, the package PY has installed (a venv).
Exit 77 (skipped) for --as nobody when not root."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--as", dest="who", choices=("root", "nobody"), required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--package")
    ap.add_argument("pytest_args", nargs="*")
    args = ap.parse_args()
    if args.who == "nobody" and os.geteuid() != 0:
        print("python tests as nobody: SKIP: needs root to become uid 65534")
        return 77
    top = tempfile.mkdtemp(prefix="cleanroom-pytests-")
    try:
        os.chmod(top, 0o755)
        shutil.copytree(HERE, os.path.join(top, "tests"), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        env = dict(os.environ)
        env["HOME"] = top
        env["CLEANROOM_CACHE_DIR"] = os.path.join(top, "cache")
        cli = os.path.join(top, "cleanroom")
        shutil.copy(args.cli, cli)
        env["CLEANROOM_TEST_CLI"] = cli
        if args.package:
            shutil.copytree(os.path.join(args.package, "cleanroom"), os.path.join(top, "pkg", "cleanroom"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            env["PYTHONPATH"] = os.path.join(top, "pkg")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for dirpath, dirnames, filenames in os.walk(top):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
            for f in filenames:
                path = os.path.join(dirpath, f)
                os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)
        cmd = [args.python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", os.path.join(top, "tests")]
        cmd += args.pytest_args
        if args.who == "nobody":
            cmd = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] + cmd
        print("python tests as %s: %s" % (args.who, " ".join(cmd)), flush=True)
        return subprocess.call(cmd, env=env, cwd=top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
