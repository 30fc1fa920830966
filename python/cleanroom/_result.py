# SPDX-License-Identifier: MIT
"""A finished sandbox's result, and the SandboxError that says why a
sandboxed Python child gave no answer."""
from __future__ import annotations

import json
import os
import signal as _signal
from typing import Any, Dict, Optional, Sequence

from ._errors import CrashError, MemoryLimitError, SandboxError, SetupError, TimeLimitError

__all__ = ["Result", "report_of", "returncode_of", "no_answer_error", "refusal_lines"]


def report_of(native_report: Any) -> Dict[str, Any]:
    """The run report (a dict) from the extension's (JSON, error) pair."""
    text, error = native_report
    report = dict(json.loads(text))
    report["error"] = error
    return report


def returncode_of(report: Dict[str, Any]) -> int:
    """Python's convention: -N for signal N, else the exit code (125, 126, 127
    when cleanroom or the exec failed)."""
    sig = report.get("signal")
    return -int(sig) if sig else int(report["exit_code"])


def _signal_name(sig: int) -> str:
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return "signal %d" % sig


class Result:
    """How a sandbox ended, in the shape of ``subprocess.CompletedProcess``:
    ``args``, ``returncode`` (-N for signal N), ``stdout``/``stderr`` when
    captured, and the run report's fields as attributes: ``exit_code``,
    ``signal``, ``wall_ms``, ``user_ms``, ``sys_ms``, ``max_rss_kb``,
    ``oom_killed``, ``time_limit_hit``, ``pids_limit_hit``, ``setup_failed``,
    ``error``, ``peak_memory_kb``, ``cgroup``, ``denied`` (the system calls
    the seccomp filter refused on purpose: syscall, arch, action, errno,
    count, args), ``seccomp_killed_at`` (the call the filter killed the
    program at, or None), and with ``audit=True``
    ``withheld`` and ``carried`` (dicts: what the host had that the sandbox
    did not get, and the ceilings that reached it); ``report`` is the whole
    dict."""

    def __init__(self, args: Sequence[Any], report: Dict[str, Any], stdout: Any = None, stderr: Any = None):
        self.args = list(args)
        self.report = report
        self.returncode = returncode_of(report)
        self.stdout = stdout
        self.stderr = stderr

    def __getattr__(self, name: str) -> Any:
        report = self.__dict__.get("report")
        if report is not None and name in report:
            return report[name]
        raise AttributeError("%r has no attribute %r" % (type(self).__name__, name))

    def check_returncode(self) -> None:
        """Raise SetupError if cleanroom failed, subprocess.CalledProcessError if
        the program's status is not 0."""
        if self.report.get("setup_failed"):
            raise setup_error(self.report)
        if self.returncode:
            import subprocess
            err = subprocess.CalledProcessError(self.returncode, self.args, self.stdout, self.stderr)
            lines = refusal_lines(self.report)
            if lines:  # the refused syscalls are often the cause
                add_note(err, "\n".join(lines))
            raise err

    def __repr__(self) -> str:
        parts = ["args=%r" % (self.args,), "returncode=%r" % self.returncode]
        if self.stdout is not None:
            parts.append("stdout=%r" % (self.stdout,))
        if self.stderr is not None:
            parts.append("stderr=%r" % (self.stderr,))
        return "Result(%s)" % ", ".join(parts)


def _hint(message: str) -> Optional[str]:
    """What to do about a setup error that is about the sandbox's view."""
    if "as uid 65534" in message and os.geteuid() == 0:
        return ("cleanroom runs the sandbox as uid 65534 when the host program is root: the path must be "
                "readable (and its folders searchable) by that uid, e.g. chmod o+rX, or run the host "
                "program as an ordinary user")
    if "No such file or directory" in message and "exec" in message:
        return ("the program is not inside the sandbox: bind the folder that holds it "
                "(binds=[...] or Config.bind())")
    return None


def setup_error(report: Dict[str, Any]) -> SetupError:
    message = report.get("error") or "cleanroom failed (exit %s)" % report.get("exit_code")
    err = SetupError(message, report)
    hint = _hint(message)
    if hint:
        add_note(err, hint)
    return err


def add_note(exc: BaseException, note: str) -> None:
    """PEP 678's add_note (3.11), or the same text appended before 3.11."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    elif exc.args and isinstance(exc.args[0], str):
        exc.args = (exc.args[0] + "\n" + note,) + exc.args[1:]


def refusal_lines(report: Dict[str, Any]) -> list:
    """The system calls the seccomp filter refused, one line each, as the
    CLI prints them ("seccomp refused keyctl (EPERM) 3 times")."""
    lines = []
    for d in report.get("denied") or []:
        name, count = d.get("syscall"), int(d.get("count") or 0)
        times = "time" if count == 1 else "times"
        args = ", ".join("%s=%s" % kv for kv in sorted((d.get("args") or {}).items()))
        args = " (args: %s)" % args if args else ""
        if name is None:
            lines.append("seccomp refused %d more call%s" % (count, "" if count == 1 else "s"))
        elif d.get("action") == "kill":
            if name == report.get("seccomp_killed_at"):
                lines.append("seccomp killed the payload at %s%s" % (name, args))
            else:
                lines.append("seccomp killed a process at %s%s (%d %s)" % (name, args, count, times))
        else:
            lines.append("seccomp refused %s (%s) %d %s%s" % (name, d.get("action"), count, times, args))
    return lines


def _with_refusals(err: SandboxError, report: Dict[str, Any]) -> SandboxError:
    """The refused syscalls, as a note: often the cause of the failure."""
    lines = refusal_lines(report)
    if lines:
        add_note(err, "\n".join(lines))
    return err


def no_answer_error(report: Dict[str, Any], what: str) -> SandboxError:
    """Why `what` (e.g. "the sandboxed function") ended without an answer."""
    if report.get("setup_failed"):
        return setup_error(report)
    if report.get("time_limit_hit"):
        return _with_refusals(TimeLimitError("%s ran out of its time limit and was ended" % what, report), report)
    if report.get("oom_killed"):
        return _with_refusals(
            MemoryLimitError("%s hit its memory limit (the kernel's OOM killer ended it)" % what, report), report)
    sig = report.get("signal")
    killed_at = report.get("seccomp_killed_at")
    if sig and killed_at:
        message = "%s was killed by the seccomp filter at %s (%s)" % (what, killed_at, _signal_name(int(sig)))
        return _with_refusals(CrashError(message, report), report)
    if sig:
        return _with_refusals(CrashError("%s was killed by %s" % (what, _signal_name(int(sig))), report), report)
    return _with_refusals(
        CrashError("%s exited with status %s before it answered" % (what, report.get("exit_code")), report),
        report)
