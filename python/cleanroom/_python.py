# SPDX-License-Identifier: MIT
"""What a sandboxed Python child needs of the host, read-only at the same
paths, and nothing else; and the child's command line.

For code you trust (results by pickle, multiprocessing): the interpreter
that runs this program (system, venv, pyenv, conda), its sys.path, the
main script's folder and this package. For untrusted code (results as
JSON): the interpreter, this package and the sys.path entries but the
current folder and the main script's (a project folder holds what an
untrusted child has no business reading: .env, .git, sockets); its
functions must then live in modules, not in the main script."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Callable, Dict, List, Optional

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


def _private_folders() -> List[str]:
    """The folders an untrusted child does not get: the current one and the
    main script's (sys.path[0] of a script, '' of -c and -m)."""
    out = [os.getcwd()]
    main = main_path()
    if main:
        out.append(os.path.dirname(main))
    return [os.path.normpath(p) for p in out]


def child_sys_path(trusted: bool) -> List[str]:
    """The sys.path a child gets ('' as the current folder)."""
    cwd = os.getcwd()
    path = [os.path.normpath(os.path.abspath(p) if p else cwd) for p in sys.path]
    if trusted:
        return path
    private = _private_folders()
    return [p for p in path if p not in private]


def needed_paths(trusted: bool) -> List[str]:
    """Host paths a fresh interpreter like this one reads, folders first."""
    candidates = [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.abspath(sys.executable)),
                  os.path.dirname(os.path.realpath(sys.executable)), package_root()]
    candidates += child_sys_path(trusted)
    main = main_path()
    if main and trusted:
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


def _targets(cfg: Config) -> List[str]:
    return [os.path.normpath(e["target"]) for e in cfg.to_dict().get("filesystem", []) or [] if "target" in e]


def bind_interpreter(cfg: Config, trusted: bool = True) -> Config:
    """Add read-only binds of what needed_paths() lists and the config does not
    show at the same path already; the shortest paths first, so that one
    folder covers what is below it. A path the config mounts something at
    (or below) is left to the config: "/" and a sandbox's own /tmp are not
    replaced by the host's."""
    binds = list(host_binds(cfg))
    targets = _targets(cfg)
    added = []
    for path in sorted(needed_paths(trusted), key=len):
        if visible_at_same_path(path, binds):
            continue
        if path == "/" or any(t == path or t.startswith(path.rstrip("/") + "/") for t in targets):
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


def check_untrusted_callable(func: Callable[..., Any]) -> None:
    """An untrusted child does not get the main script: its functions must
    come from modules."""
    if getattr(func, "__module__", None) == "__main__":
        raise ValueError("%s is defined in the main script, which a result='json' (untrusted) child does not "
                         "get: put it in a module of its own" % getattr(func, "__qualname__", repr(func)))


def preparation(result: str, one_shot: bool) -> Dict[str, Any]:
    """What the child's bootstrap needs before it can unpickle the work: the
    parent's sys.path, argv and how to rebuild __main__ (as
    multiprocessing's spawn does); for an untrusted ("json") child only the
    sys.path it is given, no argv (it may hold secrets), no main script."""
    trusted = result != "json"
    data: Dict[str, Any] = {
        "sys_path": child_sys_path(trusted),
        "sys_argv": list(sys.argv) if trusted else [""],
        "result": result,
        "one_shot": one_shot,
    }
    if not trusted:
        return data
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
