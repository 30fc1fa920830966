# SPDX-License-Identifier: MIT
"""cleanroom.call: one function, in a fresh interpreter in a sandbox."""
from __future__ import annotations

import pickle
from typing import Any, Callable, Mapping, Optional, TypeVar, Union

from ._child import END_GRACE, PythonChild, python_config
from ._python import check_untrusted_callable
from ._config import Config
from ._result import no_answer_error

__all__ = ["call"]

T = TypeVar("T")


def call(func: Callable[..., T], /, *args: Any,
         config: Union[None, str, Mapping[str, Any], Config] = None, timeout: Optional[float] = None,
         memory: Union[None, int, str] = None, result: str = "pickle", max_answer: Optional[int] = None,
         **kwargs: Any) -> T:
    """Run ``func(*args, **kwargs)`` in a fresh interpreter in a sandbox and
    return its value::

        total = cleanroom.call(count_words, "corpus.txt", timeout=10, memory="512M")

    The child is started from scratch: the interpreter that runs this
    program, with its sys.path (read-only), re-imports the main module as
    multiprocessing's spawn does, and gets nothing else of this process: no
    fds but its channel, no environment but the config's, no globals. So
    ``func`` and its arguments must be picklable (a module-level function).

    - ``config``: the sandbox's config (a Config, file, dict or None for the
      built-in default); ``timeout`` (seconds) and ``memory`` (bytes or
      "512M") are limits on top of it. For a function keyword of one of
      these names (or ``result``, ``max_answer``), use functools.partial.
    - What the child prints goes to this process's sys.stdout and
      sys.stderr; it gets no fd of this process.
    - An exception in ``func`` is raised here again with the sandboxed
      traceback as its ``__cause__``; a child that gives no answer raises a
      SandboxError: TimeLimitError, MemoryLimitError, CrashError (a signal,
      or an exit before answering) or SetupError, each with the run
      ``report``.
    - ``result="pickle"`` (the default) unpickles the answer in this process:
      only for code you trust, since unpickling runs code the child chose.
      For untrusted code use ``result="json"``: the answer must be JSON (an
      exception comes back as RemoteError, as text), at most ``max_answer``
      bytes (default 4 MiB), and nothing the child sends is executed here;
      the child then gets neither the main script nor the current folder
      (the function must come from a module), nor this program's argv, and
      what it prints comes without control characters."""
    if result == "json":
        check_untrusted_callable(func)
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    task = pickle.dumps((func, args, kwargs), pickle.HIGHEST_PROTOCOL)
    overrides = {"memory": memory} if memory is not None else {}
    child = PythonChild(python_config(config, overrides, trusted=result != "json"), result=result, one_shot=True,
                        time_limit=timeout, max_answer=max_answer)
    try:
        child.send(task)
        frame = child.recv()
        # answered (or its channel closed): it ends now, or is ended
        report = child.wait_end(grace=END_GRACE)
    finally:
        child.close()
    if frame is None:
        name = getattr(func, "__qualname__", None) or repr(func)
        raise no_answer_error(report, "the sandboxed call of %s" % name)
    return child.decode(frame)  # type: ignore[no-any-return]
