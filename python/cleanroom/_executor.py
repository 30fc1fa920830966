# SPDX-License-Identifier: MIT
"""cleanroom.SandboxExecutor: a concurrent.futures executor whose workers
are persistent sandboxed interpreters (fresh at their start, then serving
many tasks, like Pool's); a worker that crashes, hangs past task_timeout or
hits its memory limit is replaced, and only its task's future fails.

One dispatcher thread does all the work with the workers: it starts them,
hands out tasks, reads answers and output, and watches each sandbox's fd,
with non-blocking sockets and one bounded read per wakeup, so no worker
(hostile or stuck) can hold it up: a worker that says more than its answer,
or stops reading, or outlives the closing of its channel, is ended."""
from __future__ import annotations

import collections
import os
import pickle
import selectors
import struct
import threading
import time
from concurrent.futures import BrokenExecutor as _BrokenExecutor
from concurrent.futures import Executor, Future
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple, Union

from ._child import END_GRACE, PythonChild, python_config
from ._config import Config
from ._errors import SandboxError, TimeLimitError
from ._python import check_untrusted_callable
from ._result import no_answer_error

__all__ = ["SandboxExecutor", "BrokenExecutor"]

_HEADER = struct.Struct("!Q")


class BrokenExecutor(_BrokenExecutor):
    """The executor's dispatcher failed: no task can run any more."""


class _WorkItem:
    __slots__ = ("future", "frame", "name")

    def __init__(self, future: Future, frame: bytes, name: str) -> None:
        self.future = future
        self.frame = frame
        self.name = name


# Tasks a worker holds at once: the one it runs and the next, already sent,
# so that it starts that one without waiting for a round trip to the host
# (as ProcessPoolExecutor queues one call ahead). A task waiting behind one
# that crashes its worker has not started: it goes to another worker.
_PIPELINE = 2


class _Worker:
    def __init__(self, child: PythonChild) -> None:
        self.child = child
        self.items: Deque[_WorkItem] = collections.deque()  # sent; the first is the one it runs
        self.deadline: Optional[float] = None  # of the task it runs
        self.timed_out = False
        self.kill_at: Optional[float] = None  # ended at this time unless its sandbox ends first
        self.killed = False
        self.why: Optional[BaseException] = None  # what its task gets when it ends
        self.tasks = 0
        self.out = bytearray()
        child.sock.setblocking(False)

    @property
    def item(self) -> Optional[_WorkItem]:
        """The task it runs."""
        return self.items[0] if self.items else None

    @property
    def idle(self) -> bool:
        return not self.items and self.accepting

    @property
    def accepting(self) -> bool:
        return self.kill_at is None and not self.timed_out and not self.killed

    def end(self, now: float, why: Optional[BaseException] = None, at_once: bool = False) -> None:
        """It goes: ended at once, or after END_GRACE."""
        if why is not None and self.why is None:
            self.why = why
        at = now if at_once else now + END_GRACE
        if self.kill_at is None or at < self.kill_at:
            self.kill_at = at


class SandboxExecutor(Executor):
    """An Executor of ``max_workers`` (default: the CPU count) sandboxed
    Python workers::

        with cleanroom.SandboxExecutor(4, task_timeout=10, memory="256M", result="json") as ex:
            futures = [ex.submit(plugin.handle, request) for request in requests]

    Each worker is a fresh interpreter in a sandbox made from ``config`` (a
    Config, file, dict or None for the built-in default) and the overrides,
    with the interpreter and its sys.path visible read-only (and, for
    trusted code, the main script's folder); it is started when a task
    needs it and serves tasks until ``max_tasks_per_child`` (then a fresh
    one replaces it). A task that runs past ``task_timeout`` seconds has its
    worker ended and gets TimeLimitError; a worker that dies gives its task
    a SandboxError (CrashError, MemoryLimitError) with the run report; the
    other tasks go on. The config's limits.time_ms does not apply to workers
    (they live long): task_timeout does. ``result`` is as for
    cleanroom.call: "pickle" for trusted code, "json" when the tasks' code
    is not trusted (``max_answer`` bounds an answer, default 4 MiB).

    A worker is only as trustworthy as the least trusted task it ran: a
    task can change its interpreter for the tasks that follow. Give code of
    different trust executors of their own (one per plugin), or
    ``max_tasks_per_child=1``."""

    def __init__(self, max_workers: Optional[int] = None, *, max_tasks_per_child: Optional[int] = None,
                 config: Union[None, str, Mapping[str, Any], Config] = None,
                 task_timeout: Optional[float] = None, result: str = "pickle", max_answer: Optional[int] = None,
                 options: Any = None, **overrides: Any) -> None:
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
        self._max_answer = max_answer
        self._options = options
        self._config = python_config(config, overrides, trusted=result != "json")
        self._queue: Deque[_WorkItem] = collections.deque()
        self._lock = threading.Lock()
        self._shutdown = False
        self._broken: Optional[str] = None
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._thread: Optional[threading.Thread] = None
        self._workers: List[_Worker] = []
        self._retiring: List[PythonChild] = []
        self._retiring_kill: dict = {}
        self._resent: Deque[_WorkItem] = collections.deque()

    # ---- the Executor interface ------------------------------------------------------

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            if self._result == "json":
                check_untrusted_callable(fn)
            frame = pickle.dumps((fn, args, kwargs), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # as ProcessPoolExecutor: the future says it
            future.set_exception(exc)
            return future
        name = getattr(fn, "__qualname__", None)
        name = "%s.%s" % (getattr(fn, "__module__", "?"), name) if name else repr(fn)
        with self._lock:
            if self._broken:
                raise BrokenExecutor(self._broken)
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
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
        if thread is None:
            self._close_wakeup()
        elif wait:
            thread.join()

    # ---- the dispatcher thread --------------------------------------------------------

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass  # already awake, or closed after shutdown

    def _close_wakeup(self) -> None:
        with self._lock:
            for name in ("_wake_r", "_wake_w"):
                fd = getattr(self, name)
                if fd >= 0:
                    os.close(fd)
                    setattr(self, name, -1)

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # a bug of ours: nothing runs any more, and every future says why
            with self._lock:
                self._broken = "the executor's dispatcher failed: %r" % (exc,)
                queued = list(self._queue)
                self._queue.clear()
            for item in queued:
                if item.future.set_running_or_notify_cancel():
                    item.future.set_exception(BrokenExecutor(self._broken))
            for w in self._workers:
                self._fail_all(w, BrokenExecutor(self._broken))
            self._fail_resent(BrokenExecutor(self._broken))
        finally:
            self._stop_all()
            self._close_wakeup()

    def _stop_all(self) -> None:
        """Every worker and retired child: their channels closed, ended after
        END_GRACE if still there, reaped."""
        for w in self._workers:
            self._fail_all(w, SandboxError("the executor ended before the task's answer"))
            w.child.sock.close()
            self._retiring.append(w.child)
        self._fail_resent(SandboxError("the executor ended before the task ran"))
        self._workers = []
        for child in self._retiring:
            try:
                child.sock.close()
                child.wait_end(grace=END_GRACE)
            finally:
                child.close()
        self._retiring = []

    def _next_item(self) -> Optional[_WorkItem]:
        if self._resent:  # tasks a dead worker held but had not started
            return self._resent.popleft()
        with self._lock:
            while self._queue:
                item = self._queue.popleft()
                if item.future.set_running_or_notify_cancel():
                    return item
            return None

    def _start_worker(self) -> _Worker:
        return _Worker(PythonChild(self._config, result=self._result, one_shot=False, time_limit=0,
                                   options=self._options, max_answer=self._max_answer))

    def _room(self, w: _Worker) -> bool:
        """Whether it may take one more task now."""
        if not w.accepting or len(w.items) >= _PIPELINE:
            return False
        return self._max_tasks is None or w.tasks + len(w.items) < self._max_tasks

    def _assign(self, now: float) -> None:
        """Hand out queued tasks: to an idle worker, else a new one while there
        may be more, else as the next task of a busy one."""
        while True:
            idle = [w for w in self._workers if w.idle and self._room(w)]
            if idle:
                w = idle[0]
            elif len(self._workers) < self._max_workers:
                w = None
            else:
                busy = [w for w in self._workers if self._room(w)]
                if not busy:
                    return
                w = min(busy, key=lambda b: len(b.items))
            item = self._next_item()
            if item is None:
                return
            if w is None:
                try:
                    w = self._start_worker()
                except BaseException as exc:  # its sandbox cannot be made: the task says why
                    item.future.set_exception(exc)
                    continue
                self._workers.append(w)
            if not w.items:
                w.deadline = now + self._task_timeout if self._task_timeout else None
            w.items.append(item)
            w.out += _HEADER.pack(len(item.frame)) + item.frame  # kept: sent again if its worker dies first
            self._write(w, now)  # mostly all of it at once: no wait for writability

    def _fail_all(self, w: _Worker, exc: BaseException) -> None:
        for item in w.items:
            if not item.future.done():
                item.future.set_exception(exc)
        w.items.clear()

    def _fail_resent(self, exc: BaseException) -> None:
        while self._resent:
            item = self._resent.popleft()
            if not item.future.done():
                item.future.set_exception(exc)

    def _fail(self, w: _Worker, exc: BaseException) -> None:
        """Its task gets `exc`; the tasks behind it, not started, go to other workers."""
        if w.items:
            item = w.items.popleft()
            if not item.future.done():
                item.future.set_exception(exc)
        self._resent.extend(w.items)
        w.items.clear()

    def _retire(self, w: _Worker, now: float) -> None:
        """Done with it: closing its channel ends it (EOF), else END_GRACE does."""
        self._workers.remove(w)
        w.child.sock.close()
        self._retiring.append(w.child)
        self._retiring_kill[id(w.child)] = now + END_GRACE

    def _died(self, w: _Worker) -> None:
        """Its sandbox has ended: its task, if any, gets why."""
        report = w.child.wait_end(grace=END_GRACE)
        name = w.item.name if w.item else "?"
        if w.why is not None:
            exc = w.why
        elif w.timed_out:
            exc = TimeLimitError("the task %s ran past the task_timeout of %gs; its worker was ended"
                                 % (name, self._task_timeout or 0), report)
        else:
            exc = no_answer_error(report, "the worker of task %s" % name)
        if isinstance(exc, SandboxError) and exc.report is None:
            exc.report = report
        self._fail(w, exc)
        self._workers.remove(w)
        w.child.close()

    def _answered(self, w: _Worker, frame: bytes, now: float) -> None:
        if not w.items:  # an answer nobody asked for: the worker is not ours any more
            w.deadline = None
            w.end(now, at_once=True)
            return
        item = w.items.popleft()
        item.frame = b""
        # the next task, already sent, starts now
        w.deadline = now + self._task_timeout if self._task_timeout and w.items else None
        w.tasks += 1
        if not item.future.done():
            try:
                item.future.set_result(w.child.decode(frame))
            except BaseException as exc:
                item.future.set_exception(exc)
        if self._max_tasks is not None and w.tasks >= self._max_tasks:
            self._retire(w, now)

    def _read(self, w: _Worker, now: float) -> None:
        """One read of its channel, and the answers it completes."""
        if w.child.read_some() < 0:
            # a worker that exits closes its channel first: its sandbox's end, which
            # says how, follows; one that only closed it is ended
            w.end(now)
            return
        self._read_frames(w, now)

    def _write(self, w: _Worker, now: float) -> None:
        try:
            n = w.child.sock.send(w.out)
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError):
            w.out.clear()
            w.end(now)
            return
        del w.out[:n]

    def _register(self, sel: selectors.BaseSelector) -> Optional[float]:
        """What to wait for; returns the next deadline. Only what changed
        since the last round is told to the selector (a task's round trip
        would otherwise pay a system call per fd and worker)."""
        want: Dict[int, Tuple[int, Tuple[str, Any]]] = {self._wake_r: (selectors.EVENT_READ, ("wake", None))}
        deadlines = []
        for w in self._workers:
            if w.kill_at is None and not w.killed:
                events = selectors.EVENT_READ | (selectors.EVENT_WRITE if w.out else 0)
                want[w.child.sock.fileno()] = (events, ("sock", w))
            want[w.child.fileno()] = (selectors.EVENT_READ, ("end", w))
            for fd in w.child.outputs:
                want[fd] = (selectors.EVENT_READ, ("output", w.child))
            if w.deadline is not None and not w.timed_out:
                deadlines.append(w.deadline)
            if w.kill_at is not None and not w.killed:
                deadlines.append(w.kill_at)
        for child in self._retiring:
            want[child.fileno()] = (selectors.EVENT_READ, ("retired", child))
            for fd in child.outputs:
                want[fd] = (selectors.EVENT_READ, ("output", child))
            at = self._retiring_kill.get(id(child))
            if at is not None:
                deadlines.append(at)
        current = sel.get_map()
        for fd in [fd for fd in current if fd not in want]:
            sel.unregister(fd)
        for fd, (events, data) in want.items():
            key = current.get(fd)
            if key is not None and key.data != data:  # a number closed and taken again: anew
                sel.unregister(fd)
                key = None
            if key is None:
                sel.register(fd, events, data)
            elif key.events != events:
                sel.modify(fd, events, data)
        return min(deadlines) if deadlines else None

    def _on_deadlines(self, now: float) -> None:
        for w in self._workers:
            if w.deadline is not None and now >= w.deadline and not w.timed_out:
                w.timed_out = True
                w.killed = True
                w.child.kill()
            if w.kill_at is not None and now >= w.kill_at and not w.killed:
                w.killed = True
                w.child.kill()
        for child in self._retiring:
            at = self._retiring_kill.get(id(child))
            if at is not None and now >= at:
                del self._retiring_kill[id(child)]
                child.kill()

    def _loop(self) -> None:
        with selectors.DefaultSelector() as sel:
            while True:
                now = time.monotonic()
                self._assign(now)
                with self._lock:
                    finished = self._shutdown and not self._queue
                if finished and not self._resent and all(not w.items for w in self._workers):
                    return
                deadline = self._register(sel)
                timeout = None if deadline is None else max(0.0, deadline - now)
                events = sel.select(timeout)
                now = time.monotonic()
                for key, mask in events:
                    kind, who = key.data
                    if kind == "wake":
                        try:
                            while os.read(self._wake_r, 4096):
                                pass
                        except BlockingIOError:
                            pass
                    elif kind == "output":
                        if key.fd in who.outputs:
                            who.forward(key.fd)
                    elif kind == "retired":
                        if who in self._retiring and who.poll_end() is not None:
                            who.drain(time.monotonic() + 5)
                            who.close()
                            self._retiring.remove(who)
                            self._retiring_kill.pop(id(who), None)
                    elif who not in self._workers:
                        continue
                    elif kind == "sock":
                        if mask & selectors.EVENT_WRITE:
                            self._write(who, now)
                        if mask & selectors.EVENT_READ and who in self._workers and who.kill_at is None:
                            self._read(who, now)
                    elif kind == "end":
                        if who.kill_at is None and not who.killed:
                            # an answer sent just before the end still counts: the rest is finite now
                            while who.item is not None and who.kill_at is None and who.child.read_some() > 0:
                                self._read_frames(who, now)
                        if who in self._workers:
                            self._died(who)
                self._on_deadlines(time.monotonic())

    def _read_frames(self, w: _Worker, now: float) -> None:
        try:
            while w in self._workers and w.kill_at is None:
                frame = w.child.take_frame()
                if frame is None:
                    return
                self._answered(w, frame, now)
        except SandboxError as exc:  # an answer too large: the worker was ended
            w.why = exc
            w.killed = True
