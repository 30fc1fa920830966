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
