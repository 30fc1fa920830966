# SPDX-License-Identifier: MIT
"""Fixtures of the cleanroom package's tests (run by run_tests.py, as root
and as uid 65534, with the system Python and in a venv)."""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

ROOT = os.geteuid() == 0


@pytest.fixture
def workdir():
    """A folder of the test's own that the sandbox's host identity can read
    (as root that is uid 65534, which cannot enter pytest's tmp_path)."""
    path = tempfile.mkdtemp(prefix="cleanroom-pytest-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cli():
    """The cleanroom command line of the same build, for comparisons."""
    path = os.environ.get("CLEANROOM_TEST_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("CLEANROOM_TEST_CLI does not name the cleanroom binary (run_tests.py sets it)")
    return path


def run_script(workdir, code, *args, timeout=120, env=None):
    """Run `code` as the main script workdir/main.py with this interpreter
    (and this sys.path); returns the CompletedProcess."""
    path = os.path.join(workdir, "main.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(code))
    os.chmod(path, 0o644)
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    full_env.update(env or {})
    return subprocess.run([sys.executable, path] + list(args), cwd=workdir, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def script(workdir):
    def run(code, *args, **kw):
        return run_script(workdir, code, *args, **kw)
    return run
