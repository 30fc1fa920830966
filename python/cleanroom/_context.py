# SPDX-License-Identifier: MIT
"""cleanroom.get_context: a multiprocessing context whose children are
fresh interpreters (as with "spawn") inside sandboxes.

A child gets what spawn would send it (the pickled Process object, its
target and arguments, the parent's sys.path and __main__) and nothing else
of the parent: no environment but the config's, no fds but the ones
multiprocessing passes it (its pipe, and those of the queues and pipes in
its arguments), and of the host's /dev/shm only the semaphores and shared
memory blocks in its arguments (each bound into the sandbox's own
/dev/shm). Locks, queues, events, pipes, Pool and ProcessPoolExecutor work
as with spawn; a Manager does not (its server would be in a sandbox of its
own that nobody can reach) and says so."""
from __future__ import annotations

import io
import os
import signal
import sys
import threading
from multiprocessing import connection, process, reduction, spawn, util
from multiprocessing.context import BaseContext, set_spawning_popen
from multiprocessing.popen_spawn_posix import _DupFd  # type: ignore[attr-defined]
from typing import Any, Dict, List, Mapping, Optional, Union

from . import _native
from ._child import python_config
from ._config import Config, host_binds, visible_at_same_path
from ._errors import Unsupported
from ._python import interpreter_flags
from ._result import report_of, returncode_of
from ._run import native_setup_error

__all__ = ["get_context", "CleanroomContext", "CleanroomProcess"]


def _shared_path(kind: str, name: str) -> str:
    """The host file of a POSIX semaphore or shared memory block named `name`."""
    base = name.lstrip("/")
    return "/dev/shm/" + ("sem." + base if kind == "semaphore" else base)


class _RecordingPickler(reduction.ForkingPickler):  # type: ignore[misc]
    """Pickles for the child as spawn's does, and notes every semaphore and
    shared memory block it sends by name, so that the sandbox gets those."""

    def __init__(self, file: Any, shared: Dict[str, str]) -> None:
        super().__init__(file, None)
        self.shared = shared

    def reducer_override(self, obj: Any) -> Any:
        from multiprocessing import synchronize
        if isinstance(obj, synchronize.SemLock):
            name = getattr(obj._semlock, "name", None)
            if name:
                self.shared[_shared_path("semaphore", name)] = "semaphore"
        else:
            try:
                from multiprocessing.shared_memory import SharedMemory
            except ImportError:  # pragma: no cover - no _posixshmem
                SharedMemory = ()  # type: ignore[assignment,misc]
            if isinstance(obj, SharedMemory):
                self.shared[_shared_path("shared_memory", obj._name)] = "shared_memory"
        return NotImplemented


# As root, a semaphore or shared memory block a child is given is handed
# to the sandbox's host uid (it must open the file), and given back once no
# running child has it: path -> [children holding it, our uid, our gid].
_shared_lock = threading.Lock()
_shared_owners: Dict[str, List[int]] = {}


def _hand_over(path: str, uid: int, gid: int) -> None:
    with _shared_lock:
        held = _shared_owners.get(path)
        if held is None:
            st = os.stat(path, follow_symlinks=False)
            if (st.st_uid, st.st_gid) != (uid, gid):
                os.chown(path, uid, gid, follow_symlinks=False)
            _shared_owners[path] = [1, st.st_uid, st.st_gid]
        else:
            held[0] += 1


def _take_back(paths: List[str]) -> None:
    with _shared_lock:
        for path in paths:
            held = _shared_owners.get(path)
            if held is None:
                continue
            held[0] -= 1
            if held[0] == 0:
                del _shared_owners[path]
                try:
                    os.chown(path, held[1], held[2], follow_symlinks=False)
                except FileNotFoundError:
                    pass  # unlinked meanwhile


def _close_sandbox(sandbox: Any, handed_over: List[str]) -> None:
    try:
        if not sandbox.closed:
            sandbox.close()
    finally:
        _take_back(handed_over)
        handed_over.clear()


class Popen:
    """What multiprocessing's Process holds for a started child (the
    interface of popen_spawn_posix.Popen), over a sandbox."""

    method = "cleanroom"
    DupFd = _DupFd

    def __init__(self, process_obj: "CleanroomProcess", ctx: "CleanroomContext") -> None:
        util._flush_std_streams()
        self.returncode: Optional[int] = None
        self.finalizer: Any = None
        self.error: Optional[str] = None
        self.report: Optional[Dict[str, Any]] = None
        self._fds: List[int] = []
        self._handed_over: List[str] = []
        self._launch(process_obj, ctx)

    def duplicate_for_child(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    def _launch(self, process_obj: "CleanroomProcess", ctx: "CleanroomContext") -> None:
        cfg = ctx._config.copy()
        binds = host_binds(cfg)
        prep = spawn.get_preparation_data(process_obj._name)
        if not visible_at_same_path(prep.get("dir", "/"), binds):
            prep.pop("dir", None)  # the child stays in the config's cwd
        shared: Dict[str, str] = {}
        data = io.BytesIO()
        set_spawning_popen(self)
        try:
            for obj in (prep, process_obj):  # two pickles, as the child reads them
                _RecordingPickler(data, shared).dump(obj)
        finally:
            set_spawning_popen(None)
        lib = _native.lib()
        child_r, parent_w = os.pipe()
        devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        sandbox = None
        try:
            self._share(cfg, shared)
            code = "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=None, pipe_handle=%d)" % child_r
            argv = [sys.executable] + interpreter_flags() + ["-c", code, "--multiprocessing-fork"]
            fds = [(0, devnull)] + [(fd, fd) for fd in self._fds + [child_r]]
            try:
                sandbox = lib.Sandbox(cfg._native, ctx._options or _native.default_options())
                sandbox.start(args=argv, cwd=prep.get("dir"), fds=fds)
            except lib.Error as exc:
                raise native_setup_error(exc) from None
        except BaseException:
            os.close(parent_w)
            if sandbox is not None:
                sandbox.close()
            _take_back(self._handed_over)
            raise
        finally:
            os.close(child_r)
            os.close(devnull)
        self._sandbox = sandbox
        self.pid = sandbox.pid
        self.sentinel = sandbox.fileno()
        self.finalizer = util.Finalize(self, _close_sandbox, (sandbox, self._handed_over))
        try:
            with open(parent_w, "wb", closefd=True) as f:
                f.write(data.getbuffer())
        except BrokenPipeError:
            pass  # the child is gone already: its end says why

    def _share(self, cfg: Config, shared: Mapping[str, str]) -> None:
        """Bind the host's semaphores and shared memory blocks the child was
        given into its /dev/shm. As root, the sandbox's host identity
        (process.host_uid) must be able to open them: they are handed to it
        while a child has them."""
        if not shared:
            return
        proc = cfg.to_dict().get("process", {})
        uid, gid = int(proc.get("host_uid", 65534)), int(proc.get("host_gid", 65534))
        for path in shared:
            if os.geteuid() == 0:
                _hand_over(path, uid, gid)
                self._handed_over.append(path)
        cfg.set(binds=[{"source": path, "target": path, "writable": True} for path in shared])

    # ---- what BaseProcess calls ------------------------------------------------------

    def poll(self, flag: int = os.WNOHANG) -> Optional[int]:
        if self.returncode is None:
            if flag != os.WNOHANG:
                connection.wait([self.sentinel])
            r = self._sandbox.wait(0)
            if r is not None:
                self.report = report_of(r)
                self.returncode = returncode_of(self.report)
                _take_back(self._handed_over)
                self._handed_over.clear()
                if self.report.get("setup_failed") and self.report.get("error"):
                    self.error = self.report["error"]
                    _native.logger.error("a child's sandbox failed: %s", self.error)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        if self.returncode is None:
            if timeout is not None and not connection.wait([self.sentinel], timeout):
                return None
            return self.poll(0)
        return self.returncode

    def _send_signal(self, sig: int) -> None:
        if self.poll() is None:
            self._sandbox.kill(int(sig))

    def terminate(self) -> None:
        self._send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self._send_signal(signal.SIGKILL)

    def interrupt(self) -> None:  # Python 3.14's Process.interrupt()
        self._send_signal(signal.SIGINT)

    def close(self) -> None:
        if self.finalizer is not None:
            self.finalizer()


def _new_process(cls: type) -> Any:
    return cls.__new__(cls)


class CleanroomProcess(process.BaseProcess):
    """A multiprocessing Process whose child is a fresh interpreter in a
    sandbox. Made through a context: ``get_context().Process(target=...)``."""

    # What the child sets as its own start method (in _bootstrap): its own
    # children are fresh interpreters too, inside its sandbox.
    _start_method = "spawn"
    _cleanroom_ctx: Optional["CleanroomContext"] = None
    _cleanroom_own_class = False

    @staticmethod
    def _Popen(process_obj: "CleanroomProcess") -> Popen:
        ctx = type(process_obj)._cleanroom_ctx
        if ctx is None:
            raise RuntimeError("a CleanroomProcess is made by a cleanroom context: get_context().Process(...)")
        return Popen(process_obj, ctx)

    @staticmethod
    def _after_fork() -> None:
        pass

    def __reduce_ex__(self, protocol: Any) -> Any:
        # A context's own Process class exists only in the parent: the child
        # gets the plain class (a user's subclass is pickled by reference).
        cls = CleanroomProcess if type(self)._cleanroom_own_class else type(self)
        return (_new_process, (cls,), self.__dict__)


class CleanroomContext(BaseContext):  # type: ignore[misc]
    """A multiprocessing context (see get_context)."""

    _name = "cleanroom"

    def __init__(self, config: Union[None, str, Mapping[str, Any], Config] = None, *, options: Any = None,
                 **overrides: Any) -> None:
        self._config = python_config(config, overrides)
        self._options = options
        self.Process = type("Process", (CleanroomProcess,),
                            {"_cleanroom_ctx": self, "_cleanroom_own_class": True,
                             "__module__": __name__, "__qualname__": "CleanroomContext.Process"})

    def get_context(self, method: Optional[str] = None) -> Any:
        if method is None or method == self._name:
            return self
        return super().get_context(method)

    def get_start_method(self, allow_none: bool = False) -> str:
        return self._name

    def Manager(self) -> Any:  # noqa: N802 - multiprocessing's name
        raise Unsupported(
            "a multiprocessing Manager does not work with cleanroom: its server process would run in a "
            "sandbox of its own, which neither this process nor the other children can reach (no shared "
            "network or /tmp). Pass Queues, Pipes, Locks, Values or shared memory to the children instead")

    @property
    def config(self) -> Config:
        """A copy of the config each child's sandbox is made from."""
        return self._config.copy()


def get_context(config: Union[None, str, Mapping[str, Any], Config] = None, *, options: Any = None,
                **overrides: Any) -> CleanroomContext:
    """A multiprocessing context whose children are fresh interpreters in
    sandboxes::

        ctx = cleanroom.get_context(memory="1G")
        with ctx.Pool(4) as pool:
            print(pool.map(work, items))
        with concurrent.futures.ProcessPoolExecutor(4, mp_context=ctx) as ex:
            ...

    ``config`` (a Config, file, dict or None for the built-in default) and
    the overrides make each child's sandbox; the interpreter that runs this
    program, its sys.path and the main script's folder are added read-only.
    Exit codes follow multiprocessing's convention (-N for signal N); a child
    whose sandbox cannot be set up makes start() raise SetupError."""
    return CleanroomContext(config, options=options, **overrides)
