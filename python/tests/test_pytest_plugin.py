# SPDX-License-Identifier: MIT
"""The pytest plugin, on a small test project of its own."""
import os
import subprocess
import sys
import textwrap

import pytest

PROJECT = {
    "pytest.ini": """
        [pytest]
        markers = slow: a project marker of its own
    """,
    "conftest.py": """
        import os
        import pytest

        @pytest.fixture
        def where():
            return os.getpid()
    """,
    "test_state.py": """
        import os
        import pytest

        STATE = {}
        CONNECTION = None

        def test_a_sets_state():
            global CONNECTION
            STATE["user"] = "alice"
            CONNECTION = open(__file__)

        def test_b_in_process_sees_it():
            assert STATE.get("user") == "alice"

        @pytest.mark.cleanroom
        def test_c_in_a_sandbox_does_not():
            assert STATE.get("user") == "alice", "relies on state an earlier test left"

        @pytest.mark.cleanroom
        def test_d_connection_gone():
            assert CONNECTION is None

        @pytest.mark.cleanroom
        def test_e_fixture_runs_in_the_sandbox(where):
            assert where == os.getpid() and where <= 3

        @pytest.mark.cleanroom
        def test_f_no_host_secret():
            assert "CLEANROOM_TEST_SECRET" not in os.environ

        @pytest.mark.cleanroom(time=1)
        def test_g_hangs():
            import time
            time.sleep(30)

        @pytest.mark.cleanroom
        @pytest.mark.parametrize("n", [1, 2])
        def test_h_parametrized(n):
            assert n in (1, 2)

        @pytest.mark.cleanroom
        def test_i_skips():
            pytest.skip("skipped in the sandbox")

        @pytest.mark.cleanroom
        def test_j_crashes():
            os.kill(os.getpid(), 9)
    """,
}


def write_project(workdir):
    proj = os.path.join(workdir, "proj")
    os.mkdir(proj)
    os.chmod(proj, 0o755)
    for name, text in PROJECT.items():
        path = os.path.join(proj, name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        os.chmod(path, 0o644)
    return proj


def run_pytest(proj, *args, load=("-p", "cleanroom.pytest_plugin")):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["CLEANROOM_TEST_SECRET"] = "leak"
    r = subprocess.run([sys.executable, "-m", "pytest"] + list(load) + ["-p", "no:cacheprovider", "-rA", "-q"] +
                       list(args), cwd=proj, env=env, capture_output=True, text=True, timeout=300)
    outcomes = {}
    for line in r.stdout.splitlines():
        for word in ("PASSED", "FAILED", "SKIPPED", "ERROR"):
            if line.startswith(word + " "):
                outcomes[line.split()[1].split("::")[-1]] = word
    return r, outcomes


def test_marked_tests_run_from_scratch(workdir):
    proj = write_project(workdir)
    r, outcomes = run_pytest(proj)
    assert outcomes.get("test_a_sets_state") == "PASSED", r.stdout + r.stderr
    assert outcomes["test_b_in_process_sees_it"] == "PASSED"
    assert outcomes["test_c_in_a_sandbox_does_not"] == "FAILED"
    assert "relies on state an earlier test left" in r.stdout  # the reason is visible
    assert outcomes["test_d_connection_gone"] == "PASSED"
    assert outcomes["test_e_fixture_runs_in_the_sandbox"] == "PASSED"
    assert outcomes["test_f_no_host_secret"] == "PASSED"
    assert outcomes["test_g_hangs"] == "FAILED" and "time limit" in r.stdout
    assert outcomes["test_h_parametrized[1]"] == outcomes["test_h_parametrized[2]"] == "PASSED"
    # -rA names a skip by its file and line, not its test: the one skip is
    # test_i_skips, and its reason came back from the sandbox
    assert "test_i_skips" not in outcomes
    skips = [line for line in r.stdout.splitlines() if line.startswith("SKIPPED ")]
    assert len(skips) == 1 and "skipped in the sandbox" in skips[0], r.stdout
    assert " 1 skipped" in r.stdout.splitlines()[-1], r.stdout
    assert outcomes["test_j_crashes"] == "FAILED" and "signal 9" in r.stdout
    assert r.returncode == 1


def installed_entry_point():
    from importlib.metadata import entry_points
    eps = entry_points()
    group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", [])
    return any(ep.value == "cleanroom.pytest_plugin" for ep in group)


@pytest.mark.skipif(not installed_entry_point(), reason="the package is not installed here (its entry point loads "
                    "the plugin only where pip installed it: python_venv_*)")
def test_the_entry_point_loads_it(workdir):
    proj = write_project(workdir)
    r, outcomes = run_pytest(proj, "-k", "test_a or test_c", load=())
    assert outcomes == {"test_a_sets_state": "PASSED", "test_c_in_a_sandbox_does_not": "FAILED"}, r.stdout


def test_every_test_with_the_option(workdir):
    proj = write_project(workdir)
    r, outcomes = run_pytest(proj, "--cleanroom", "-k", "test_a or test_b")
    # in sandboxes, test_b no longer sees what test_a left
    assert outcomes == {"test_a_sets_state": "PASSED", "test_b_in_process_sees_it": "FAILED"}, r.stdout


def test_a_bad_sandbox_config_fails_the_test(workdir):
    proj = write_project(workdir)
    bad = os.path.join(workdir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"network": "bogus"}')
    os.chmod(bad, 0o644)
    r, outcomes = run_pytest(proj, "--cleanroom", "--cleanroom-config", bad, "-k", "test_a")
    assert outcomes == {"test_a_sets_state": "FAILED"} and "$.network" in r.stdout, r.stdout
