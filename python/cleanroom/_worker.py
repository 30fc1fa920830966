# SPDX-License-Identifier: MIT
"""The bootstrap of a sandboxed Python child (cleanroom.call and the
SandboxExecutor's workers), run as ``python -c 'from cleanroom._worker
import main; main()'`` with the channel to the host as fd 3.

It imports nothing of the package but this module (never the C extension),
so that it starts fast and depends on nothing it was not given.

The channel carries frames: an 8-byte big-endian length, then that many
bytes. Host to child: the preparation (a pickle: sys.path, argv, how to
rebuild __main__, the result mode), then one task per frame (a pickle of
(function, args, kwargs)). Child to host, one frame per task: in "pickle"
mode a pickle of ("ok", value) or ("exc", exception, traceback text), or
("err", type name, message, traceback text) when the exception itself
cannot be pickled; in "json" mode UTF-8 JSON {"ok": value} or {"exc":
{"type", "message", "traceback"}}. EOF from the host: the child exits."""
import os
import struct
import sys

CHANNEL_FD = 3
_HEADER = struct.Struct("!Q")


def _read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_frame(fd):
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    (length,) = _HEADER.unpack(head)
    body = _read_exact(fd, length)
    if body is None:
        raise EOFError("the channel closed in the middle of a frame")
    return body


def send_frame(fd, data):
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fixup_main(data):
    """Rebuild the parent's __main__ as __mp_main__, as multiprocessing's spawn
    does, so that functions defined there can be unpickled."""
    import runpy
    import types
    name = data.get("main_name")
    path = data.get("main_path")
    if name:
        if name == "__main__" or name.endswith(".__main__"):
            return
        content = runpy.run_module(name, run_name="__mp_main__", alter_sys=True)
    elif path:
        if os.path.splitext(os.path.basename(path))[0] == "ipython":
            return
        content = runpy.run_path(path, run_name="__mp_main__")
    else:
        return
    module = types.ModuleType("__mp_main__")
    module.__dict__.update(content)
    sys.modules["__main__"] = sys.modules["__mp_main__"] = module


def _prepare(data):
    sys.path[:] = data["sys_path"]
    sys.argv[:] = data["sys_argv"]
    _fixup_main(data)


def _format_tb(exc):
    import traceback
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _reply_pickle(pickle, value=None, exc=None):
    if exc is None:
        try:
            return pickle.dumps(("ok", value), pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # the value cannot travel: say so as the function's error
            exc = TypeError("the result of type %s cannot be pickled: %s" % (type(value).__name__, e))
    tb = _format_tb(exc)
    try:
        exc.__traceback__ = None
        return pickle.dumps(("exc", exc, tb), pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(("err", type(exc).__qualname__, str(exc), tb), pickle.HIGHEST_PROTOCOL)


def _reply_json(value=None, exc=None):
    import json
    if exc is None:
        try:
            return json.dumps({"ok": value}, allow_nan=False).encode()
        except (TypeError, ValueError) as e:
            exc = TypeError("the result is not JSON: %s" % e)
    return json.dumps({"exc": {"type": type(exc).__qualname__, "message": str(exc),
                               "traceback": _format_tb(exc)}}).encode()


def main(fd=CHANNEL_FD):
    import pickle
    os.set_inheritable(fd, False)  # not for the programs the function may start
    prep = recv_frame(fd)
    if prep is None:
        os._exit(0)
    data = pickle.loads(prep)
    _prepare(data)
    as_json = data["result"] == "json"
    while True:
        frame = recv_frame(fd)
        if frame is None:
            break
        value = exc = None
        try:
            func, args, kwargs = pickle.loads(frame)
            value = func(*args, **kwargs)
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: they are the function's
            exc = e
        reply = _reply_json(value, exc) if as_json else _reply_pickle(pickle, value, exc)
        del value, exc
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        send_frame(fd, reply)
        if data["one_shot"]:
            break
    os._exit(0)
