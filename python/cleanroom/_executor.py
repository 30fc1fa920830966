# SPDX-License-Identifier: MIT
"""cleanroom.SandboxExecutor: a concurrent.futures executor whose workers
are persistent sandboxed interpreters (fresh at their start, then serving
many tasks, like Pool's); a worker that crashes, hangs past task_timeout or
hits its memory limit is replaced, and only its task's future fails.

One dispatcher thread does all the work with the workers: it starts them,
hands out tasks, reads answers, and watches each sandbox's fd, with
non-blocking sockets only, so no worker (hostile or stuck) can hold it up."""
from __future__ import annotations

import collections
import os
import pickle
import selectors
import struct
import threading
import time
from concurrent.futures import Executor, Future
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Union

from ._child import PythonChild, python_config
from ._config import Config
from ._errors import SandboxError, TimeLimitError
from ._result import no_answer_error

__all__ = ["SandboxExecutor"]

_HEADER = struct.Struct("!Q")
_ENDED = float("inf")  # kill_at once the kill is sent


class _WorkItem:
    __slots__ = ("future", "frame", "name")

    def __init__(self, future: Future, frame: bytes, name: str) -> None:
        self.future = future
        self.frame = frame
        self.name = name


class _Worker:
    def __init__(self, child: PythonChild) -> None:
        self.child = child
        self.item: Optional[_WorkItem] = None
        self.deadline: Optional[float] = None
        self.timed_out = False
        self.kill_at: Optional[float] = None  # its channel closed: ended unless its sandbox ends first
        self.tasks = 0
        self.out = bytearray()
        child.sock.setblocking(False)


class SandboxExecutor(Executor):
    """An Executor of ``max_workers`` (default: the CPU count) sandboxed
    Python workers::

        with cleanroom.SandboxExecutor(4, task_timeout=10, memory="256M", result="json") as ex:
            futures = [ex.submit(plugin.handle, request) for request in requests]

    Each worker is a fresh interpreter in a sandbox made from ``config`` (a
    Config, file, dict or None for the built-in default) and the overrides,
    with the interpreter, its sys.path and the main script's folder
    visible read-only; it is started when a task needs it and serves tasks
    until ``max_tasks_per_child`` (then a fresh one replaces it). A task
    that runs past ``task_timeout`` seconds has its worker ended and gets
    TimeLimitError; a worker that dies gives its task a SandboxError
    (CrashError, MemoryLimitError) with the run report; the other tasks go
    on. The config's limits.time_ms does not apply to workers (they live
    long): task_timeout does. ``result`` is as for cleanroom.call: "pickle"
    for trusted code, "json" when the tasks' code is not trusted."""

    def __init__(self, max_workers: Optional[int] = None, *, max_tasks_per_child: Optional[int] = None,
                 config: Union[None, str, Mapping[str, Any], Config] = None,
                 task_timeout: Optional[float] = None, result: str = "pickle", options: Any = None,
                 **overrides: Any) -> None:
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if max_tasks_per_child is not None and max_tasks_per_child <= 0:
            raise ValueError("max_tasks_per_child must be greater than 0")
        if task_timeout is not None and task_timeout <= 0:
            raise ValueError("task_timeout must be a positive number of seconds")
        if result not in ("pickle", "json"):
            raise ValueError("result must be 'pickle' or 'json', not %r" % (result,))
        self._max_workers = max_workers
        self._max_tasks = max_tasks_per_child
        self._task_timeout = task_timeout
        self._result = result
        self._options = options
        self._config = python_config(config, overrides)
        self._queue: Deque[_WorkItem] = collections.deque()
        self._lock = threading.Lock()
        self._shutdown = False
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._thread: Optional[threading.Thread] = None
        self._workers: List[_Worker] = []
        self._retiring: List[PythonChild] = []

    # ---- the Executor interface ------------------------------------------------------

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            frame = pickle.dumps((fn, args, kwargs), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # as ProcessPoolExecutor: the future says it
            future.set_exception(exc)
            return future
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            name = getattr(fn, "__qualname__", None)
            name = "%s.%s" % (getattr(fn, "__module__", "?"), name) if name else repr(fn)
            self._queue.append(_WorkItem(future, frame, name))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cleanroom-executor", daemon=True)
                self._thread.start()
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft().future.cancel()
            thread = self._thread
        self._wake()
        if wait and thread is not None:
            thread.join()
        if thread is None or wait:
            self._close_wakeup()

    # ---- the dispatcher thread --------------------------------------------------------

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass  # already awake, or closed after shutdown

    def _close_wakeup(self) -> None:
        for fd in ("_wake_r", "_wake_w"):
            if getattr(self, fd, -1) >= 0:
                os.close(getattr(self, fd))
                setattr(self, fd, -1)

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            for w in self._workers:
                self._fail(w, SandboxError("the executor ended before the task's answer"))
                w.child.kill()
                self._retiring.append(w.child)
            self._workers = []
            for child in self._retiring:
                child.sock.close()
                child.wait_end()
                child.close()
            self._retiring = []

    def _next_item(self) -> Optional[_WorkItem]:
        with self._lock:
            while self._queue:
                item = self._queue.popleft()
                if item.future.set_running_or_notify_cancel():
                    return item
            return None

    def _start_worker(self) -> _Worker:
        return _Worker(PythonChild(self._config, result=self._result, one_shot=False, time_limit=0,
                                   options=self._options))

    def _assign(self) -> None:
        """Hand out queued tasks to idle workers, starting workers as needed."""
        while True:
            idle = [w for w in self._workers if w.item is None]
            if not idle and len(self._workers) >= self._max_workers:
                return
            item = self._next_item()
            if item is None:
                return
            if idle:
                w = idle[0]
            else:
                try:
                    w = self._start_worker()
                except BaseException as exc:  # its sandbox cannot be made: the task says why
                    item.future.set_exception(exc)
                    continue
                self._workers.append(w)
            w.item = item
            w.deadline = time.monotonic() + self._task_timeout if self._task_timeout else None
            w.out += _HEADER.pack(len(item.frame)) + item.frame
            item.frame = b""

    def _fail(self, w: _Worker, exc: BaseException) -> None:
        if w.item is not None and not w.item.future.done():
            w.item.future.set_exception(exc)
        w.item = None

    def _retire(self, w: _Worker) -> None:
        """Done with it: closing its channel ends it (EOF); reaped later."""
        self._workers.remove(w)
        w.child.sock.close()
        self._retiring.append(w.child)

    def _died(self, w: _Worker) -> None:
        report = w.child.wait_end()
        if w.timed_out:
            exc: BaseException = TimeLimitError("the task %s ran past the task_timeout of %gs; its worker was "
                                                "ended" % (w.item.name if w.item else "?", self._task_timeout or 0),
                                                report)
        else:
            exc = no_answer_error(report, "the worker of task %s" % (w.item.name if w.item else "?"))
        self._fail(w, exc)
        self._workers.remove(w)
        w.child.sock.close()
        w.child.close()

    def _answered(self, w: _Worker, frame: bytes) -> None:
        item, w.item, w.deadline = w.item, None, None
        w.tasks += 1
        if item is not None and not item.future.done():
            try:
                item.future.set_result(w.child.decode(frame))
            except BaseException as exc:
                item.future.set_exception(exc)
        if self._max_tasks is not None and w.tasks >= self._max_tasks:
            self._retire(w)

    def _read(self, w: _Worker) -> bool:
        """Read what the worker sent; False when its channel closed."""
        while True:
            try:
                chunk = w.child.sock.recv(1 << 20)
            except BlockingIOError:
                break
            except ConnectionResetError:
                return False
            if not chunk:
                return False
            w.child.feed(chunk)
        try:
            while w in self._workers:
                frame = w.child.take_frame()
                if frame is None:
                    break
                self._answered(w, frame)
        except SandboxError as exc:  # an answer too large: the worker is ended
            self._fail(w, exc)
        return True

    def _write(self, w: _Worker) -> None:
        try:
            n = w.child.sock.send(w.out)
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError):
            w.out.clear()  # it is gone: its sandbox fd will say so
            return
        del w.out[:n]

    def _reap_retired(self) -> None:
        for child in list(self._retiring):
            if child.poll_end() is not None:
                child.close()
                self._retiring.remove(child)

    def _loop(self) -> None:
        with selectors.DefaultSelector() as sel:
            while True:
                self._assign()
                self._reap_retired()
                with self._lock:
                    finished = self._shutdown and not self._queue
                if finished and all(w.item is None for w in self._workers):
                    return
                for key in list(sel.get_map().values()):
                    sel.unregister(key.fileobj)
                sel.register(self._wake_r, selectors.EVENT_READ, None)
                for w in self._workers:
                    events = (selectors.EVENT_READ if w.kill_at is None else 0) | \
                        (selectors.EVENT_WRITE if w.out and w.kill_at is None else 0)
                    if events:
                        sel.register(w.child.sock, events, ("sock", w))
                    sel.register(w.child.fileno(), selectors.EVENT_READ, ("end", w))
                for child in self._retiring:
                    sel.register(child.fileno(), selectors.EVENT_READ, ("retired", child))
                now = time.monotonic()
                deadlines = [w.deadline for w in self._workers if w.deadline is not None and not w.timed_out]
                deadlines += [w.kill_at for w in self._workers if w.kill_at is not None and w.kill_at != _ENDED]
                timeout = max(0.0, min(deadlines) - now) if deadlines else None
                for key, events in sel.select(timeout):
                    if key.data is None:
                        try:
                            while os.read(self._wake_r, 4096):
                                pass
                        except BlockingIOError:
                            pass
                        continue
                    kind, who = key.data
                    if kind == "retired" or who not in self._workers:
                        continue
                    if kind == "sock":
                        if events & selectors.EVENT_WRITE:
                            self._write(who)
                        if events & selectors.EVENT_READ and who.kill_at is None and not self._read(who):
                            # a worker that exits closes its channel first: its sandbox's end,
                            # which says how, follows; one that only closed it is ended
                            who.kill_at = time.monotonic() + 1.0
                    elif kind == "end":
                        if who.kill_at is None:
                            self._read(who)  # an answer sent just before the end still counts
                        if who in self._workers:
                            self._died(who)
                now = time.monotonic()
                for w in self._workers:
                    if w.deadline is not None and now >= w.deadline and not w.timed_out:
                        w.timed_out = True
                        w.child.kill()
                    if w.kill_at is not None and now >= w.kill_at:
                        w.kill_at = _ENDED
                        w.child.kill()
