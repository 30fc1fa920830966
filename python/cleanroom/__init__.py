# SPDX-License-Identifier: MIT
"""cleanroom: start programs, Python functions and multiprocessing children
in Linux sandboxes that hold only what a config declares, and nothing else
of the process that starts them.

- ``run(args, ...)`` and ``Sandbox(args, ...)``: any program, in the shape of
  subprocess.run and subprocess.Popen;
- ``call(func, *args, ...)``: a function in a fresh interpreter in a sandbox;
- ``get_context(...)``: a multiprocessing context whose children are fresh
  interpreters in sandboxes (Process, Pool, Queue, Lock, ...);
- ``SandboxExecutor(...)``: a concurrent.futures executor of persistent
  sandboxed workers that survive their plugins' crashes;
- ``Config``: the config (the JSON of ``cleanroom run``) with overrides;
- ``pytest -p cleanroom.pytest_plugin``: ``@pytest.mark.cleanroom``.

Names are imported on first use: ``import cleanroom`` loads neither the C
extension nor multiprocessing."""
from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: every sandboxed child imports this
# package, and typing alone costs it milliseconds.
TYPE_CHECKING = False

__version__ = "0.2.0"

_EXPORTS = {
    "Config": "_config",
    "run": "_run", "Sandbox": "_run", "PIPE": "_run", "DEVNULL": "_run", "STDOUT": "_run",
    "Result": "_result",
    "call": "_call",
    "get_context": "_context", "CleanroomContext": "_context",
    "SandboxExecutor": "_executor",
    "CleanroomError": "_errors", "ConfigError": "_errors", "SandboxError": "_errors",
    "SetupError": "_errors", "TimeLimitError": "_errors", "MemoryLimitError": "_errors",
    "CrashError": "_errors", "RemoteError": "_errors", "TimeoutExpired": "_errors",
    "Unsupported": "_errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError("module 'cleanroom' has no attribute %r" % name)
    import importlib
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from ._call import call
    from ._config import Config
    from ._context import CleanroomContext, get_context
    from ._errors import (CleanroomError, ConfigError, CrashError, MemoryLimitError, RemoteError,
                          SandboxError, SetupError, TimeLimitError, TimeoutExpired, Unsupported)
    from ._executor import SandboxExecutor
    from ._result import Result
    from ._run import DEVNULL, PIPE, STDOUT, Sandbox, run
