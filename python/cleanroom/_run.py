# SPDX-License-Identifier: MIT
"""cleanroom.Sandbox (in the shape of subprocess.Popen) and cleanroom.run
(in the shape of subprocess.run): any program, in a sandbox that holds only
what its config declares."""
from __future__ import annotations

import io
import os
import select
import selectors
import signal
import subprocess
import time
from typing import IO, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._config import Config, resolve
from ._errors import SetupError, TimeoutExpired
from ._result import Result, add_note, report_of, returncode_of, setup_error, _hint

__all__ = ["Sandbox", "run", "PIPE", "DEVNULL", "STDOUT"]

PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL
STDOUT = subprocess.STDOUT

_Std = Union[None, int, IO[Any]]


def native_setup_error(exc: Exception) -> SetupError:
    """The extension's error from create or start, as a SetupError."""
    message = str(exc)
    err = SetupError(message, None, getattr(exc, "errno", 0))
    hint = _hint(message)
    if hint:
        add_note(err, hint)
    return err


def _fd_of(spec: Any) -> int:
    if isinstance(spec, int):
        return spec
    if hasattr(spec, "fileno"):
        return int(spec.fileno())
    raise TypeError("expected None, PIPE, DEVNULL, an fd or a file object, not %r" % (spec,))


class Sandbox:
    """A program in a sandbox, in the shape of ``subprocess.Popen``::

        with cleanroom.Sandbox(["make", "test"], config="ci.json", stdout=cleanroom.PIPE) as sb:
            out, _ = sb.communicate(timeout=60)
        print(sb.returncode, sb.result.wall_ms)

    The sandbox is built (and every setup error raised, as SetupError) in
    the constructor; the program starts at once. ``stdin``, ``stdout`` and
    ``stderr`` are None (the config's fds 0-2), PIPE, DEVNULL, STDOUT (for
    stderr), an fd or a file; ``pass_fds`` puts more of the caller's fds in
    the sandbox: fd numbers (kept), or a mapping {sandbox fd: caller's fd}.
    ``env`` is the whole environment (as subprocess's), ``cwd`` a sandbox
    path, ``timeout`` a time limit in seconds enforced in the sandbox
    (the program is ended when it runs out; ``result.time_limit_hit``).
    Other keywords are Config overrides (``memory="256M"``, ``binds=[...]``).

    ``audit=True``: the result says what this process had that the sandbox
    did not get (``result.withheld``: fds, environment variable names,
    signals, umask, soft limits, ...) and what reached it as a ceiling
    (``result.carried``); names and numbers only, never a value.

    ``fileno()`` is readable once the sandbox has ended: add it to a
    selector or an event loop; ``await sandbox`` waits in asyncio."""

    def __init__(self, args: Optional[Sequence[Union[str, "os.PathLike[str]"]]] = None, *,
                 config: Union[None, str, "os.PathLike[str]", Mapping[str, Any], Config] = None,
                 stdin: _Std = None, stdout: _Std = None, stderr: _Std = None,
                 pass_fds: Union[Iterable[int], Mapping[int, int]] = (), cwd: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None,
                 text: bool = False, encoding: Optional[str] = None, errors: Optional[str] = None,
                 universal_newlines: Optional[bool] = None, options: Any = None, audit: bool = False,
                 **overrides: Any) -> None:
        self._native: Any = None
        self.returncode: Optional[int] = None
        self._report: Optional[Dict[str, Any]] = None
        self.stdin: Optional[IO[Any]] = None
        self.stdout: Optional[IO[Any]] = None
        self.stderr: Optional[IO[Any]] = None
        self._text = bool(text or universal_newlines or encoding or errors)
        self._encoding = encoding or "utf-8"
        self._errors = errors or "strict"
        self._captured: Dict[str, List[bytes]] = {}
        self._input_view: Optional[memoryview] = None
        if audit and options is not None:
            raise TypeError("audit=True and options= cannot both be given: the options carry their own audit "
                            "setting (Options(audit=True))")
        cfg = resolve(config, overrides)
        self.args: List[str] = [os.fspath(a) for a in args] if args is not None else cfg.args
        fds, child_ends = self._layout(cfg, stdin, stdout, stderr, pass_fds)
        lib = _native.lib()
        try:
            try:
                self._native = lib.Sandbox(cfg._native, options or _native.default_options(audit))
                self._native.start(
                    args=self.args if args is not None else None,
                    env=["%s=%s" % (k, v) for k, v in env.items()] if env is not None else None,
                    cwd=os.fspath(cwd) if cwd is not None else None,
                    fds=fds,
                    time_limit_ms=max(1, int(round(timeout * 1000))) if timeout is not None else None)
            except lib.Error as exc:
                raise native_setup_error(exc) from None
        except BaseException:
            self._close_pipes()
            if self._native is not None:
                self._native.close()
            raise
        finally:
            for fd in child_ends:
                os.close(fd)

    def _layout(self, cfg: Config, stdin: _Std, stdout: _Std, stderr: _Std,
                pass_fds: Union[Iterable[int], Mapping[int, int]]) -> Tuple[List[Tuple[int, int]], List[int]]:
        """The job's fds: (sandbox fd, our fd) pairs, and the fds we opened for
        the child alone (closed once it has them)."""
        fds: List[Tuple[int, int]] = []
        child_ends: List[int] = []
        try:
            for target, spec in ((0, stdin), (1, stdout), (2, stderr)):
                if spec is None:
                    continue
                if spec == PIPE:
                    r, w = os.pipe()
                    ours, theirs = (w, r) if target == 0 else (r, w)
                    child_ends.append(theirs)
                    fds.append((target, theirs))
                    raw: IO[Any] = io.open(ours, "wb" if target == 0 else "rb", buffering=0)
                    f = io.TextIOWrapper(raw, encoding=self._encoding, errors=self._errors,  # type: ignore
                                         write_through=True) if self._text else raw
                    setattr(self, ("stdin", "stdout", "stderr")[target], f)
                elif spec == DEVNULL:
                    fd = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
                    child_ends.append(fd)
                    fds.append((target, fd))
                elif spec == STDOUT:
                    if target != 2:
                        raise ValueError("STDOUT is only for stderr")
                    out = [s for t, s in fds if t == 1]
                    if out:
                        fds.append((2, out[0]))
                    else:  # whatever the config gives as fd 1
                        fd = self._configs_fd1(cfg)
                        if fd is None:
                            d = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
                            child_ends.append(d)
                            fd = d
                        fds.append((2, fd))
                else:
                    fds.append((target, _fd_of(spec)))
            items = pass_fds.items() if isinstance(pass_fds, Mapping) else ((fd, fd) for fd in pass_fds)
            fds.extend((int(t), int(s)) for t, s in items)
        except BaseException:
            for fd in child_ends:
                os.close(fd)
            self._close_pipes()
            raise
        return fds, child_ends

    @staticmethod
    def _configs_fd1(cfg: Config) -> Optional[int]:
        """The caller's fd that the config puts at fd 1, None for /dev/null."""
        for entry in cfg.to_dict().get("fds", []) or []:
            if entry.get("fd") == 1:
                if "inherit" in entry:
                    return int(entry["inherit"])
                if entry.get("null"):
                    return None
                raise ValueError("stderr=STDOUT: the config's fd 1 is a file; give stdout too")
        return None

    # ---- the Popen interface ----------------------------------------------------

    @property
    def pid(self) -> int:
        """The host pid of the sandbox's init (an identifier; signal the sandbox
        with send_signal, which cannot reach another process)."""
        return int(self._handle().pid)

    def fileno(self) -> int:
        """Readable once the sandbox has ended."""
        return int(self._handle().fileno())

    def _handle(self) -> Any:
        if self._native is None or self._native.closed:
            raise ValueError("the sandbox is closed")
        return self._native

    def _conclude(self, native_report: Any) -> int:
        self._report = report_of(native_report)
        self.returncode = returncode_of(self._report)
        return self.returncode

    def poll(self) -> Optional[int]:
        if self.returncode is None:
            r = self._handle().wait(0)
            if r is not None:
                self._conclude(r)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        """The return code (-N for signal N); subprocess.TimeoutExpired when
        ``timeout`` seconds pass first (the sandbox goes on)."""
        if self.returncode is not None:
            return self.returncode
        fd = self.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if left == 0.0:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            poller.poll(None if left is None else int(left * 1000) + 1)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        """SIGKILL ends the whole sandbox; another signal goes to the program."""
        if self.poll() is None:
            self._handle().kill(int(sig))

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input: Union[None, bytes, str] = None,
                    timeout: Optional[float] = None) -> Tuple[Any, Any]:
        """Send ``input`` to stdin (a PIPE), read stdout and stderr (PIPEs) to
        their end, wait: (stdout, stderr), None for what is not a PIPE. On
        subprocess.TimeoutExpired nothing is lost: call it again."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if input is not None and self._input_view is None and self.stdin is not None:
            data = input.encode(self._encoding, self._errors) if isinstance(input, str) else bytes(input)
            self._input_view = memoryview(data)
        with selectors.DefaultSelector() as sel:
            if self.stdin is not None and not self.stdin.closed:
                if self._input_view is not None and len(self._input_view):
                    os.set_blocking(self.stdin.fileno(), False)  # a write never waits for the program
                    sel.register(self.stdin, selectors.EVENT_WRITE)
                else:
                    self.stdin.close()
            for name in ("stdout", "stderr"):
                f = getattr(self, name)
                if f is not None and not f.closed:
                    self._captured.setdefault(name, [])
                    sel.register(f, selectors.EVENT_READ, name)
            while sel.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0)
                for key, _ in sel.select(left):
                    if key.fileobj is self.stdin:
                        assert self._input_view is not None
                        try:
                            n = os.write(key.fd, self._input_view[:65536])
                        except BlockingIOError:
                            n = 0
                        except BrokenPipeError:
                            n = len(self._input_view)
                        self._input_view = self._input_view[n:]
                        if not len(self._input_view):
                            sel.unregister(key.fileobj)
                            self.stdin.close()  # type: ignore[union-attr]
                    else:
                        chunk = os.read(key.fd, 65536)
                        if chunk:
                            self._captured[key.data].append(chunk)
                        else:
                            sel.unregister(key.fileobj)
                            key.fileobj.close()  # type: ignore[union-attr]
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return self._output("stdout"), self._output("stderr")

    def _output(self, name: str) -> Any:
        if name not in self._captured:
            return None
        data = b"".join(self._captured[name])
        return data.decode(self._encoding, self._errors) if self._text else data

    @property
    def result(self) -> Result:
        """How it ended (after wait): returncode, what communicate() read, and
        the run report's fields."""
        if self._report is None:
            raise RuntimeError("the sandbox has not ended: wait() first")
        return Result(self.args, self._report, self._output("stdout"), self._output("stderr"))

    @property
    def report(self) -> Optional[Dict[str, Any]]:
        """The run report once ended, else None."""
        return self._report

    # ---- asyncio --------------------------------------------------------------------

    async def wait_async(self) -> int:
        """wait() for asyncio: the event loop watches fileno()."""
        if self.poll() is None:
            import asyncio  # here: importing it costs milliseconds, and most users need none
            loop = asyncio.get_running_loop()
            ended = loop.create_future()
            fd = self.fileno()
            loop.add_reader(fd, lambda: ended.done() or ended.set_result(None))
            try:
                await ended
            finally:
                loop.remove_reader(fd)
        return self.wait()

    def __await__(self) -> Any:
        return self.wait_async().__await__()

    # ---- lifetime --------------------------------------------------------------------

    def _close_pipes(self) -> None:
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None and not f.closed:
                f.close()

    def close(self) -> None:
        """End the sandbox if it still runs, and release it and its pipes."""
        self._close_pipes()
        if self._native is not None and not self._native.closed:
            try:
                if self.returncode is None:
                    r = self._native.wait(0)
                    if r is not None:
                        self._conclude(r)
            finally:
                self._native.close()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.stdin is not None and not self.stdin.closed:
                self.stdin.close()
            if exc_type is not None:
                self.kill()
            self.wait()
        finally:
            self.close()

    def __del__(self) -> None:
        if getattr(self, "_native", None) is not None:
            self.close()

    def __repr__(self) -> str:
        state = "running" if self.returncode is None else "returncode: %d" % self.returncode
        return "<cleanroom.Sandbox %r %s>" % (self.args, state)


def run(args: Sequence[Union[str, "os.PathLike[str]"]], *,
        config: Union[None, str, "os.PathLike[str]", Mapping[str, Any], Config] = None,
        input: Union[None, bytes, str] = None, capture_output: bool = False, timeout: Optional[float] = None,
        check: bool = False, stdin: _Std = None, stdout: _Std = None, stderr: _Std = None,
        text: bool = False, encoding: Optional[str] = None, errors: Optional[str] = None,
        universal_newlines: Optional[bool] = None, **kwargs: Any) -> Result:
    """Run ``args`` in a sandbox and wait, in the shape of ``subprocess.run``::

        r = cleanroom.run(["python3", "-c", "print(1)"], capture_output=True, text=True)
        r.returncode, r.stdout, r.wall_ms

    ``config`` is a Config, a config file, a dict or None (the built-in
    default); further keywords are Sandbox's (``env``, ``cwd``, ``pass_fds``)
    or Config overrides (``memory="256M"``, ``network="host"``,
    ``binds=[...]``). ``timeout`` is enforced in the sandbox: when it runs
    out, the sandbox is ended and cleanroom.TimeoutExpired (a
    subprocess.TimeoutExpired) is raised with what was captured. A sandbox
    that cannot be set up, or a program that cannot be executed, raises
    SetupError; ``check=True`` raises subprocess.CalledProcessError on a
    non-zero status."""
    if input is not None:
        if stdin is not None:
            raise ValueError("stdin and input cannot both be given")
        stdin = PIPE
    if capture_output:
        if stdout is not None or stderr is not None:
            raise ValueError("capture_output cannot be given with stdout or stderr")
        stdout = stderr = PIPE
    with Sandbox(args, config=config, stdin=stdin, stdout=stdout, stderr=stderr, timeout=timeout, text=text,
                 encoding=encoding, errors=errors, universal_newlines=universal_newlines, **kwargs) as sb:
        out, err = sb.communicate(input)
    result = sb.result
    if result.report.get("setup_failed"):
        raise setup_error(result.report)
    if timeout is not None and result.report.get("time_limit_hit"):
        raise TimeoutExpired(result.args, timeout, out, err, result.report)
    if check:
        result.check_returncode()
    return result
