# SPDX-License-Identifier: MIT
"""The exceptions of the cleanroom package."""
from __future__ import annotations

import subprocess
from typing import Any, Dict, Optional

__all__ = [
    "CleanroomError", "ConfigError", "SandboxError", "SetupError", "TimeLimitError",
    "MemoryLimitError", "CrashError", "RemoteError", "TimeoutExpired", "Unsupported",
]


class CleanroomError(Exception):
    """Base of every error this package raises."""


class ConfigError(CleanroomError, ValueError):
    """A config (or an override) is not valid. ``str()`` is what ``cleanroom
    check`` prints, one ``WHERE: WHAT`` line per error; ``where``, ``what`` and
    ``errno`` are those of the first."""

    def __init__(self, message: str, where: str = "", what: str = "", errno: int = 0) -> None:
        super().__init__(message)
        self.where = where
        self.what = what
        self.errno = errno


class SandboxError(CleanroomError):
    """A sandbox did not give what was asked of it. ``report`` is the run
    report (the dict ``cleanroom run --report`` writes) when the sandbox ran,
    else None."""

    def __init__(self, message: str, report: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.report = report


class SetupError(SandboxError):
    """cleanroom could not build the sandbox or start its program (exit status
    125, 126 or 127); the message says what and where."""

    def __init__(self, message: str, report: Optional[Dict[str, Any]] = None, errno: int = 0) -> None:
        super().__init__(message, report)
        self.errno = errno


class TimeLimitError(SandboxError):
    """The sandbox ran out of its time and was ended."""


class MemoryLimitError(SandboxError):
    """The kernel's OOM killer ended a process of the sandbox's memory cgroup."""


class CrashError(SandboxError):
    """The sandboxed program ended without a result: killed by ``signal``, or
    exited with ``exit_code`` before it answered."""

    def __init__(self, message: str, report: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message, report)
        self.signal: Optional[int] = (report or {}).get("signal")
        self.exit_code: Optional[int] = (report or {}).get("exit_code")


class RemoteError(CleanroomError):
    """The function raised in the sandbox, and its exception could not (or,
    with ``result="json"``, must not) be rebuilt in the host: ``type_name``,
    ``message`` and the sandboxed ``traceback`` as text."""

    def __init__(self, type_name: str, message: str, traceback: str) -> None:
        super().__init__("%s: %s" % (type_name, message) if message else type_name)
        self.type_name = type_name
        self.message = message
        self.traceback = traceback

    def __str__(self) -> str:
        text = super().__str__()
        return text + ("\n\nThe sandboxed traceback:\n" + self.traceback if self.traceback else "")


class TimeoutExpired(subprocess.TimeoutExpired, TimeLimitError):
    """``run(timeout=...)``: the sandbox's time limit ended it. A
    ``subprocess.TimeoutExpired`` (with ``output`` and ``stderr`` when they
    were captured) and a ``TimeLimitError`` (with the ``report``)."""

    def __init__(self, cmd: Any, timeout: float, output: Any = None, stderr: Any = None,
                 report: Optional[Dict[str, Any]] = None) -> None:
        subprocess.TimeoutExpired.__init__(self, cmd, timeout, output, stderr)
        self.report = report

    def __str__(self) -> str:
        return subprocess.TimeoutExpired.__str__(self)


class Unsupported(CleanroomError, NotImplementedError):
    """What a sandboxed child cannot do, said instead of hanging."""
