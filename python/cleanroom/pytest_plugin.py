# SPDX-License-Identifier: MIT
"""The cleanroom pytest plugin: tests that run in a fresh interpreter in a
sandbox, so a test that only passes because of state the test process
happens to hold (a global an earlier test set, an open connection, an
environment variable) fails, with the reason in its report.

    pytest -p cleanroom.pytest_plugin           (or installed: loaded by its entry point)

    @pytest.mark.cleanroom                       # this test
    @pytest.mark.cleanroom(memory="256M", time=30, config="sandbox.json")
    pytest --cleanroom                           # every test
    pytest --cleanroom --cleanroom-config sandbox.json

Each such test is run by a pytest of its own (the same interpreter, its
sys.path, the rootdir and the test's folder visible read-only, the
project's ini file), whose reports come back to this one: setup, call and
teardown are reported as usual, fixtures run in the sandbox."""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from typing import Any, Dict, List, Optional

import pytest

_CHILD_FD_OPTION = "--cleanroom-child"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("cleanroom", "run tests in sandboxes (cleanroom)")
    group.addoption("--cleanroom", action="store_true", dest="cleanroom_all", default=False,
                    help="run every test in a fresh interpreter in a sandbox")
    group.addoption("--cleanroom-config", dest="cleanroom_config", default=None, metavar="FILE",
                    help="the config of the tests' sandboxes (default: the built-in one)")
    group.addoption(_CHILD_FD_OPTION, dest="cleanroom_child", type=int, default=None, help=argparse.SUPPRESS)


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "cleanroom(config=None, **overrides): run this test in a fresh Python interpreter in a "
        "sandbox (cleanroom); overrides as cleanroom.Config.set (memory=, time=, binds=, network=...)")
    fd = config.getoption("cleanroom_child")
    if fd is not None:
        config.pluginmanager.register(_ChildReporter(config, fd), "cleanroom-child-reporter")


class _ChildReporter:
    """In the sandboxed pytest: every report, as JSON lines, to the parent."""

    def __init__(self, config: Any, fd: int) -> None:
        self.config = config
        self.out = os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=True)
        os.set_inheritable(fd, False)

    def _send(self, kind: str, report: Any) -> None:
        data = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        self.out.write(json.dumps({"kind": kind, "report": data}) + "\n")

    def pytest_runtest_logreport(self, report: Any) -> None:
        self._send("test", report)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self._send("collect", report)


def _is_child(config: Any) -> bool:
    return config.getoption("cleanroom_child") is not None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Optional[bool]:
    config = item.config
    if _is_child(config):
        return None
    marker = item.get_closest_marker("cleanroom")
    if marker is None and not config.getoption("cleanroom_all"):
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in _run_in_sandbox(item, marker):
        item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _child_command(item: Any) -> List[str]:
    from cleanroom._python import interpreter_flags
    config = item.config
    argv = [sys.executable] + interpreter_flags() + [
        "-m", "pytest", "-p", "cleanroom.pytest_plugin", "%s=3" % _CHILD_FD_OPTION,
        "-p", "no:cacheprovider", "-q", "--no-header", "--rootdir", str(config.rootpath)]
    if config.inipath is not None:
        argv += ["-c", str(config.inipath)]
    return argv + [item.nodeid]


def _sandbox_config(item: Any, marker: Any) -> Any:
    from cleanroom._child import python_config
    kwargs = dict(marker.kwargs) if marker is not None else {}
    config = kwargs.pop("config", None) or item.config.getoption("cleanroom_config")
    cfg = python_config(config, kwargs)
    rootdir = str(item.config.rootpath)
    binds = [rootdir, os.path.dirname(str(item.path))]
    from cleanroom._config import host_binds, visible_at_same_path
    have = host_binds(cfg)
    for path in binds:
        if not visible_at_same_path(path, have):
            cfg.set(binds=[path])
            have.append((path, path))
    env = dict(cfg.env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.exists(p))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return cfg.set(env=env, cwd=rootdir)


def _failure(item: Any, text: str) -> Any:
    from _pytest.reports import TestReport
    keywords = {x: 1 for x in item.keywords}
    return TestReport(item.nodeid, item.location, keywords, "failed", text, "call", [], 0.0)


def _run_in_sandbox(item: Any, marker: Any) -> List[Any]:
    import tempfile

    import cleanroom
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    lines: List[Dict[str, Any]] = []
    # the child's own output (a crash's traceback) to a file: read at the end
    with tempfile.TemporaryFile() as output:
        try:
            try:
                cfg = _sandbox_config(item, marker)
                sb = cleanroom.Sandbox(_child_command(item), config=cfg, stdin=cleanroom.DEVNULL, stdout=output,
                                       stderr=output, pass_fds={3: theirs.fileno()})
            except cleanroom.CleanroomError as exc:
                return [_failure(item, "cleanroom: the test's sandbox could not be made: %s" % exc)]
            finally:
                theirs.close()
            with sb:
                with ours.makefile("r", encoding="utf-8") as reader:
                    for line in reader:
                        lines.append(json.loads(line))
            report = sb.result.report
        finally:
            ours.close()
        output.seek(0)
        out = output.read()
    config = item.config
    reports = []
    for entry in lines:
        rep = config.hook.pytest_report_from_serializable(config=config, data=entry["report"])
        if isinstance(rep.longrepr, list):  # a skip's (path, line, reason), a list after JSON
            rep.longrepr = tuple(rep.longrepr)
        if entry["kind"] == "collect":
            return [_failure(item, "the sandboxed pytest could not collect %s:\n%s" % (item.nodeid, rep.longreprtext))]
        reports.append(rep)
    if not any(getattr(r, "when", None) == "call" for r in reports) and not any(r.failed or r.skipped for r in reports):
        tail = (out or b"").decode("utf-8", "replace")[-4000:]
        why = report.get("error") or (
            "killed by signal %s" % report["signal"] if report.get("signal") else "exit status %s" % report["exit_code"])
        if report.get("time_limit_hit"):
            why = "it ran out of its time limit"
        elif report.get("oom_killed"):
            why = "it hit its memory limit"
        reports.append(_failure(item, "cleanroom: the sandboxed test ended without a result (%s); its output:\n%s"
                                % (why, tail)))
    return reports
