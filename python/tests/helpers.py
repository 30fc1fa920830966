# SPDX-License-Identifier: MIT
"""Module-level functions the tests send into sandboxes (a function must be
importable by name to be pickled)."""
import os
import signal
import sys
import time

LEAKED = "set by the parent only"


def add(a, b):
    return a + b


def raise_value_error(text):
    raise ValueError(text)


def what_i_see():
    """What a child sees of its process state."""
    with open("/proc/self/status") as f:
        status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    return {
        "env": dict(os.environ),
        "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
        "uid": os.getuid(),
        "pid": os.getpid(),
        "umask": os.umask(0o022),
        "cwd": os.getcwd(),
        "sigign": status.get("SigIgn"),
        "sigblk": status.get("SigBlk"),
        "noprivs": status.get("NoNewPrivs"),
        "capeff": status.get("CapEff"),
        "tmp": sorted(os.listdir("/tmp")),
        "leaked": LEAKED,
        "argv": list(sys.argv),
    }


def read_file(path):
    with open(path) as f:
        return f.read()


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def crash():
    os.kill(os.getpid(), signal.SIGSEGV)


def exit_now(code):
    os._exit(code)


def hog_memory():
    chunks = []
    while True:
        chunks.append(bytearray(32 << 20))


def fork_bomb():
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.001)


def spin():
    while True:
        pass


def unpicklable_result():
    return lambda: None


def big_text(n):
    return "x" * n


def pid_of_worker(_):
    return os.getpid(), os.environ.get("CLEANROOM_WORKER_ID"), id(sys.modules)


def dev_shm():
    return sorted(os.listdir("/dev/shm"))


def set_leaked():
    global LEAKED
    LEAKED = "changed in the child"
    return LEAKED


def print_and_return(text):
    print(text)
    print("to stderr", file=sys.stderr)
    return text


def stdio_identity():
    """The (device, inode) of fds 1 and 2."""
    return [list(os.stat(fd)[1:3][::-1]) for fd in (1, 2)]


def forge_then_sleep():
    """A hostile child: answers on its own, then does not end."""
    import json
    import struct
    body = json.dumps({"ok": "forged"}).encode()
    os.write(3, struct.pack("!Q", len(body)) + body)
    time.sleep(600)


def close_channel_and_sleep():
    os.close(3)
    time.sleep(600)


def ignore_the_end():
    """A hostile task: its worker no longer ends when its channel closes."""
    import cleanroom._worker as worker
    worker.recv_frame = lambda fd: time.sleep(600)
    return "patched"


def spam_frames():
    """A hostile task: empty frames on the channel, from processes that
    outlive the answer."""
    for _ in range(4):
        if os.fork() == 0:
            try:
                for _ in range(200000):
                    os.write(3, b"\0" * 8)
            finally:
                os._exit(0)
    return "spamming"


def escape_sequences():
    print("\x1b[2J\x1b]0;owned\x07plain")
    return 1


def where_am_i():
    return {"cwd": os.getcwd(), "argv": list(sys.argv), "path": list(sys.path)}


def list_dir(path):
    return sorted(os.listdir(path))


def forge_deep_json():
    """A hostile child: an answer nested deeper than the host's parser goes."""
    import struct
    body = b"[" * 100000 + b"]" * 100000
    os.write(3, struct.pack("!Q", len(body)) + body)
    os._exit(0)
