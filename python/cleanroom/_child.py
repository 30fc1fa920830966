# SPDX-License-Identifier: MIT
"""The host's side of a sandboxed Python child (cleanroom.call, the
SandboxExecutor's workers): its sandbox, its channel (protocol in
_worker.py) and what its answers mean."""
from __future__ import annotations

import json
import os
import pickle
import socket
import struct
from typing import Any, Dict, Mapping, Optional

from . import _native
from ._config import Config, host_binds, resolve, visible_at_same_path
from ._errors import RemoteError, SandboxError
from ._python import bind_interpreter, child_argv, preparation
from ._result import add_note, report_of
from ._run import native_setup_error

_HEADER = struct.Struct("!Q")
RESULT_MODES = ("pickle", "json")
#: The largest answer a "json" child may send (an untrusted child must not
#: make the host allocate without bound).
MAX_JSON_ANSWER = 64 << 20


class RemoteTraceback(Exception):
    """The __cause__ of an exception re-raised from a sandbox: its traceback
    there, as text."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return '\n"""\n%s"""' % self.tb


def python_config(config: Any, overrides: Mapping[str, Any]) -> Config:
    """The config of a Python child: the caller's (or the default), the
    overrides, and the interpreter, its sys.path and the main script's
    folder visible read-only."""
    return bind_interpreter(resolve(config, overrides))


class PythonChild:
    """A fresh interpreter in a sandbox, running cleanroom._worker, with its
    channel as fd 3. ``result`` is "pickle" or "json" (how it answers);
    ``one_shot``: it answers one task, then exits."""

    def __init__(self, cfg: Config, *, result: str, one_shot: bool, time_limit: Optional[float] = None,
                 options: Any = None) -> None:
        """``time_limit``: seconds, None for the config's limits.time_ms, 0 for none."""
        if result not in RESULT_MODES:
            raise ValueError("result must be 'pickle' or 'json', not %r" % (result,))
        self.result_mode = result
        self.report: Optional[Dict[str, Any]] = None
        self._rbuf = bytearray()
        cwd = os.getcwd()
        run_in = cwd if visible_at_same_path(cwd, host_binds(cfg)) else None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        lib = _native.lib()
        self.native: Any = None
        try:
            try:
                self.native = lib.Sandbox(cfg._native, options or _native.default_options())
                self.native.start(args=child_argv(), cwd=run_in, fds=[(0, devnull), (3, theirs.fileno())],
                                  time_limit_ms=None if time_limit is None else
                                  (max(1, int(round(time_limit * 1000))) if time_limit > 0 else 0))
            except lib.Error as exc:
                raise native_setup_error(exc) from None
        except BaseException:
            ours.close()
            if self.native is not None:
                self.native.close()
            raise
        finally:
            theirs.close()
            os.close(devnull)
        self.sock = ours
        self.send(pickle.dumps(preparation(result, one_shot), pickle.HIGHEST_PROTOCOL))

    # ---- the channel -----------------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Send one frame; False when the child is gone (its end will say why)."""
        try:
            self.sock.sendall(_HEADER.pack(len(data)) + data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def recv(self) -> Optional[bytes]:
        """The next frame, None at EOF (the child ended without it)."""
        while True:
            frame = self.take_frame()
            if frame is not None:
                return frame
            try:
                chunk = self.sock.recv(1 << 20)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self._rbuf += chunk

    def feed(self, chunk: bytes) -> None:
        """What a non-blocking reader read (take_frame() then)."""
        self._rbuf += chunk

    def take_frame(self) -> Optional[bytes]:
        """A whole frame from what was read, if there is one."""
        if len(self._rbuf) < _HEADER.size:
            return None
        (length,) = _HEADER.unpack_from(self._rbuf)
        if self.result_mode == "json" and length > MAX_JSON_ANSWER:
            self.kill()
            raise SandboxError("the sandboxed child sent an answer of %d bytes, more than the %d a "
                               "'json' child may send" % (length, MAX_JSON_ANSWER))
        if len(self._rbuf) < _HEADER.size + length:
            return None
        frame = bytes(self._rbuf[_HEADER.size:_HEADER.size + length])
        del self._rbuf[:_HEADER.size + length]
        return frame

    # ---- its end ---------------------------------------------------------------------

    def fileno(self) -> int:
        return int(self.native.fileno())

    def poll_end(self) -> Optional[Dict[str, Any]]:
        if self.report is None:
            r = self.native.wait(0)
            if r is not None:
                self.report = report_of(r)
        return self.report

    def wait_end(self) -> Dict[str, Any]:
        """Wait for the sandbox to end (interruptible), return its report."""
        import select
        poller = select.poll()
        poller.register(self.fileno(), select.POLLIN)
        while self.poll_end() is None:
            poller.poll()
        assert self.report is not None
        return self.report

    def kill(self) -> None:
        if self.report is None and self.native is not None and not self.native.closed:
            self.native.kill(9)

    def close(self) -> None:
        self.sock.close()
        if self.native is not None and not self.native.closed:
            self.poll_end()
            self.native.close()

    # ---- answers ---------------------------------------------------------------------

    def decode(self, frame: bytes) -> Any:
        """The value of an answer, or its exception raised."""
        if self.result_mode == "json":
            answer = json.loads(frame.decode("utf-8"))
            if isinstance(answer, dict) and "ok" in answer:
                return answer["ok"]
            exc = answer.get("exc") if isinstance(answer, dict) else None
            if not isinstance(exc, dict):
                raise SandboxError("the sandboxed child sent an answer that is not one: %.200r" % (answer,))
            raise RemoteError(str(exc.get("type", "?")), str(exc.get("message", "")), str(exc.get("traceback", "")))
        answer = pickle.loads(frame)
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "err":
            raise RemoteError(answer[1], answer[2], answer[3])
        exc, tb = answer[1], answer[2]
        exc.__cause__ = RemoteTraceback(tb)
        note_host_paths(exc)
        raise exc


def note_host_paths(exc: BaseException) -> None:
    """An OSError about a path the host has but the sandbox does not: say so,
    and how to bind it."""
    for name in ("filename", "filename2"):
        path = getattr(exc, name, None)
        if isinstance(path, str) and os.path.isabs(path) and os.path.exists(path):
            if isinstance(exc, FileNotFoundError) or isinstance(exc, NotADirectoryError):
                add_note(exc, "%s exists on the host but not in the sandbox: bind it (binds=[%r], or "
                              "Config.bind(%r))" % (path, path, path))
                return
