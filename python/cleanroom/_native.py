# SPDX-License-Identifier: MIT
"""The C extension, loaded on first use (a sandboxed child that imports the
package for its bootstrap never loads it), and the default options.

The library reads no environment variable; this package does what the
``cleanroom`` command line does: ``CLEANROOM_CACHE_DIR`` (empty: no cache),
else ``$XDG_CACHE_HOME/cleanroom``, ``~/.cache/cleanroom`` (when HOME is the
caller's) or ``/tmp/cleanroom-UID`` for the compiled-filter cache, and
``CLEANROOM_CGROUP_PARENT``. Warnings of the library go to the ``cleanroom``
logger."""
from __future__ import annotations

import logging
import os
import threading
from typing import Any, Dict, Optional

_lock = threading.Lock()
_module: Any = None
_default_options: Dict[bool, Any] = {}

logger = logging.getLogger("cleanroom")


def lib() -> Any:
    """The cleanroom._cleanroom module."""
    global _module
    if _module is None:
        from . import _cleanroom  # type: ignore[attr-defined]
        _module = _cleanroom
    return _module


def default_cache_dir() -> Optional[str]:
    env = os.environ.get("CLEANROOM_CACHE_DIR")
    if env is not None:
        return env or None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg.startswith("/"):
        return os.path.join(xdg, "cleanroom")
    home = os.environ.get("HOME", "")
    try:
        if home.startswith("/") and os.stat(home).st_uid == os.geteuid():
            return os.path.join(home, ".cache", "cleanroom")
    except OSError:
        pass
    return "/tmp/cleanroom-%d" % os.geteuid()


def _log(level: int, message: str) -> None:
    logger.log({0: logging.ERROR, 1: logging.WARNING}.get(level, logging.DEBUG), "%s", message)


def make_options(cache_dir: Optional[str] = None, cgroup_parent: Optional[str] = None,
                 debug_timing: bool = False, audit: bool = False) -> Any:
    """Options for the library: the environment's defaults where not given."""
    return lib().Options(cache_dir=cache_dir if cache_dir is not None else default_cache_dir(),
                         cgroup_parent=cgroup_parent or os.environ.get("CLEANROOM_CGROUP_PARENT") or None,
                         debug_timing=debug_timing, log=_log, audit=audit)


def default_options(audit: bool = False) -> Any:
    """One Options object for the process (one more with the audit on), made
    on first use."""
    with _lock:
        if audit not in _default_options:
            _default_options[audit] = make_options(audit=audit)
        return _default_options[audit]
