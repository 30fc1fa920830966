# SPDX-License-Identifier: MIT
"""What a sandboxed Python child needs of the host, read-only at the same
paths: the interpreter that runs this program (system, venv, pyenv,
conda), its sys.path, the main script's folder and this package; nothing
else. And the child's command line."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Dict, List, Optional

from ._config import Config, host_binds, visible_at_same_path

# Never bound from the host: the sandbox has its own.
_NEVER = ("/proc", "/dev", "/sys", "/run")



def package_root() -> str:
    """The folder that holds the cleanroom package."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main_path() -> Optional[str]:
    """The main script's path when the program runs one (not -c, -m or a REPL)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", None):
        return None  # python -m NAME: found on sys.path again
    path = getattr(main, "__file__", None)
    return os.path.abspath(path) if path else None


def needed_paths() -> List[str]:
    """Host paths a fresh interpreter like this one reads, folders first."""
    candidates = [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.abspath(sys.executable)),
                  os.path.dirname(os.path.realpath(sys.executable)), package_root()]
    cwd = os.getcwd()
    candidates += [os.path.abspath(p) if p else cwd for p in sys.path]
    main = main_path()
    if main:
        candidates.append(os.path.dirname(main))
    out: List[str] = []
    for path in candidates:
        path = os.path.normpath(path)
        if path in out or not os.path.exists(path):
            continue
        if any(path == n or path.startswith(n + "/") for n in _NEVER):
            continue
        out.append(path)
    return out


def bind_interpreter(cfg: Config) -> Config:
    """Add read-only binds of what needed_paths() lists and the config does not
    show at the same path already; the shortest paths first, so that one
    folder covers what is below it."""
    binds = list(host_binds(cfg))
    added = []
    for path in sorted(needed_paths(), key=len):
        if visible_at_same_path(path, binds):
            continue
        binds.append((path, path))
        added.append(path)
    if added:
        cfg.set(binds=added)
    return cfg


def interpreter_flags() -> List[str]:
    """The flags this interpreter runs with that matter to its children (-O,
    -X ..., as multiprocessing passes them); never -I/-E, which would hide
    the sys.path the child is given."""
    flags = subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]
    return [f for f in flags if f not in ("-I", "-E", "-s")]


def child_argv() -> List[str]:
    """The child's command: this interpreter, running the bootstrap from
    this package (its folder first on sys.path: the child's environment has
    no PYTHONPATH; the bootstrap then takes the parent's whole sys.path)."""
    code = "import sys; sys.path.insert(0, %r); from cleanroom._worker import main; main()" % package_root()
    return [sys.executable] + interpreter_flags() + ["-c", code]


def preparation(result: str, one_shot: bool) -> Dict[str, Any]:
    """What the child's bootstrap needs before it can unpickle the work: the
    parent's sys.path (with '' as the current folder), argv, the folder to
    work in when the sandbox has it, and how to rebuild __main__ (as
    multiprocessing's spawn does)."""
    cwd = os.getcwd()
    data: Dict[str, Any] = {
        "sys_path": [os.path.abspath(p) if p else cwd for p in sys.path],
        "sys_argv": list(sys.argv),
        "result": result,
        "one_shot": one_shot,
    }
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    name = getattr(spec, "name", None) if spec is not None else None
    if name:
        data["main_name"] = name
    else:
        path = main_path()
        if path:
            data["main_path"] = path
    return data
