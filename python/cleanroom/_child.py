# SPDX-License-Identifier: MIT
"""The host's side of a sandboxed Python child (cleanroom.call, the
SandboxExecutor's workers): its sandbox, its channel (protocol in
_worker.py), its output and what its answers mean.

The child gets none of the host's fds: its stdin is /dev/null, its stdout
and stderr are pipes whose text the host writes to its own sys.stdout and
sys.stderr (for an untrusted child with control characters replaced, so
that it cannot drive the host's terminal), and fd 3 is its channel."""
from __future__ import annotations

import json
import os
import pickle
import select
import socket
import struct
import sys
import time
from typing import Any, Dict, List, Mapping, Optional

from . import _native
from ._config import Config, host_binds, resolve, visible_at_same_path
from ._errors import RemoteError, SandboxError
from ._python import bind_interpreter, child_argv, preparation
from ._result import add_note, report_of
from ._run import native_setup_error

_HEADER = struct.Struct("!Q")
RESULT_MODES = ("pickle", "json")
#: The largest answer a "json" (untrusted) child may send: decoding JSON
#: takes many times its size in memory.
MAX_JSON_ANSWER = 4 << 20
#: How long a child that has answered (or whose channel closed) has to end
#: before it is killed.
END_GRACE = 1.0


class RemoteTraceback(Exception):
    """The __cause__ of an exception re-raised from a sandbox: its traceback
    there, as text."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return '\n"""\n%s"""' % self.tb


def python_config(config: Any, overrides: Mapping[str, Any], trusted: bool = True) -> Config:
    """The config of a Python child: the caller's (or the default), the
    overrides, and what the interpreter needs visible read-only."""
    return bind_interpreter(resolve(config, overrides), trusted)


_PRINTABLE = {ord("\n"), ord("\t")}


def _clean(text: str) -> str:
    """Text an untrusted child wrote, without what would drive a terminal."""
    return "".join(c if c.isprintable() or ord(c) in _PRINTABLE else "?" for c in text)


class PythonChild:
    """A fresh interpreter in a sandbox, running cleanroom._worker, with its
    channel as fd 3. ``result`` is "pickle" or "json" (how it answers, and
    whether it is trusted); ``one_shot``: it answers one task, then exits."""

    def __init__(self, cfg: Config, *, result: str, one_shot: bool, time_limit: Optional[float] = None,
                 options: Any = None, max_answer: Optional[int] = None) -> None:
        """``time_limit``: seconds, None for the config's limits.time_ms, 0 for none."""
        if result not in RESULT_MODES:
            raise ValueError("result must be 'pickle' or 'json', not %r" % (result,))
        self.result_mode = result
        self.trusted = result != "json"
        self.max_answer = max_answer if max_answer is not None else (None if self.trusted else MAX_JSON_ANSWER)
        self.report: Optional[Dict[str, Any]] = None
        self._rbuf = bytearray()
        self.outputs: Dict[int, Any] = {}  # our read end -> where its text goes
        cwd = os.getcwd()
        run_in = cwd if self.trusted and visible_at_same_path(cwd, host_binds(cfg)) else None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        lib = _native.lib()
        self.native: Any = None
        try:
            try:
                self.native = lib.Sandbox(cfg._native, options or _native.default_options())
                self.native.start(args=child_argv(), cwd=run_in,
                                  fds=[(0, devnull), (1, out_w), (2, err_w), (3, theirs.fileno())],
                                  time_limit_ms=None if time_limit is None else
                                  (max(1, int(round(time_limit * 1000))) if time_limit > 0 else 0))
            except lib.Error as exc:
                raise native_setup_error(exc) from None
        except BaseException:
            ours.close()
            os.close(out_r)
            os.close(err_r)
            if self.native is not None:
                self.native.close()
            raise
        finally:
            theirs.close()
            for fd in (devnull, out_w, err_w):
                os.close(fd)
        for fd, stream in ((out_r, "stdout"), (err_r, "stderr")):
            os.set_blocking(fd, False)
            self.outputs[fd] = stream
        self.sock = ours
        self.send(pickle.dumps(preparation(result, one_shot), pickle.HIGHEST_PROTOCOL))

    # ---- its output ------------------------------------------------------------------

    def forward(self, fd: int) -> bool:
        """Copy what fd has to our stream; False at its end (then closed)."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not data:
            os.close(fd)
            del self.outputs[fd]
            return False
        text = data.decode("utf-8", "replace")
        stream = getattr(sys, self.outputs[fd])
        try:
            stream.write(text if self.trusted else _clean(text))
            stream.flush()
        except (OSError, ValueError):
            pass  # our own stream is gone: the child's output goes nowhere
        return True

    def drain(self, deadline: Optional[float] = None) -> None:
        """Forward what is left, to the pipes' end (the sandbox has ended)."""
        while self.outputs:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            ready, _, _ = select.select(list(self.outputs), [], [], left)
            for fd in ready:
                self.forward(fd)

    # ---- the channel -----------------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Send one frame; False when the child is gone (its end will say why)."""
        try:
            self.sock.sendall(_HEADER.pack(len(data)) + data)
            return True
        except (BrokenPipeError, ConnectionResetError, BlockingIOError):
            return False

    def recv(self) -> Optional[bytes]:
        """The next frame, forwarding the child's output meanwhile; None when
        the channel closed first."""
        while True:
            frame = self.take_frame()
            if frame is not None:
                return frame
            ready, _, _ = select.select([self.sock] + list(self.outputs), [], [])
            for fd in ready:
                if fd is self.sock:
                    if self.read_some() < 0:
                        return None
                else:
                    self.forward(fd)

    def read_some(self) -> int:
        """One read of the channel (never more: another child may be waiting):
        1 when it brought data, 0 when there was none, -1 when it closed."""
        try:
            chunk = self.sock.recv(1 << 20)
        except BlockingIOError:
            return 0
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return -1
        self._rbuf += chunk
        return 1

    def take_frame(self) -> Optional[bytes]:
        """A whole frame from what was read, if there is one."""
        if len(self._rbuf) < _HEADER.size:
            return None
        (length,) = _HEADER.unpack_from(self._rbuf)
        if self.max_answer is not None and length > self.max_answer:
            self.kill()
            raise SandboxError("the sandboxed child sent an answer of %d bytes, more than the %d it may send "
                               "(max_answer)" % (length, self.max_answer))
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

    def wait_end(self, grace: Optional[float] = None) -> Dict[str, Any]:
        """Wait for the sandbox to end, forwarding its output; after ``grace``
        seconds it is killed. Returns its report."""
        deadline = None if grace is None else time.monotonic() + grace
        end = self.fileno()
        while self.poll_end() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self.kill()
                deadline = None
                continue
            ready, _, _ = select.select([end] + list(self.outputs), [], [], left)
            for fd in ready:
                if fd != end:
                    self.forward(fd)
        self.drain(time.monotonic() + 5)
        assert self.report is not None
        return self.report

    def kill(self) -> None:
        if self.report is None and self.native is not None and not self.native.closed:
            self.native.kill(9)

    def close(self) -> None:
        self.sock.close()
        if self.native is not None and not self.native.closed:
            try:
                self.poll_end()
            finally:
                self.native.close()
        for fd in list(self.outputs):
            os.close(fd)
        self.outputs.clear()

    # ---- answers ---------------------------------------------------------------------

    def decode(self, frame: bytes) -> Any:
        """The value of an answer, or its exception raised."""
        if self.result_mode == "json":
            try:
                answer = json.loads(frame.decode("utf-8"))
            except (ValueError, RecursionError) as exc:  # not JSON, too deep, too large a number
                raise SandboxError("the sandboxed child sent an answer that is not valid JSON: %s" % exc) from None
            if isinstance(answer, dict) and "ok" in answer:
                return answer["ok"]
            exc_info = answer.get("exc") if isinstance(answer, dict) else None
            if not isinstance(exc_info, dict):
                raise SandboxError("the sandboxed child sent an answer that is not one: %.200r" % (answer,))
            raise RemoteError(str(exc_info.get("type", "?")), str(exc_info.get("message", "")),
                              str(exc_info.get("traceback", "")))
        try:
            answer = pickle.loads(frame)
            kind = answer[0]
        except Exception as exc:  # not an answer of our worker's
            raise SandboxError("the sandboxed child sent an answer that is not one: %s: %s"
                               % (type(exc).__name__, exc)) from None
        if kind == "ok":
            return answer[1]
        if kind == "err":
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
