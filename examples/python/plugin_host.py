# SPDX-License-Identifier: MIT
"""A plugin host on cleanroom.SandboxExecutor: plugins (examples/python/
plugins/) run in sandboxed workers, and the host keeps answering while one
crashes, one hangs, one takes all memory, one forks without end and one
snoops for the host's secrets.

    python3 plugin_host.py

The plugins' code is not trusted: answers come back as JSON
(result="json"), so nothing a plugin sends is unpickled here, and each
plugin has an executor (its workers) of its own, so that no plugin can
tamper with the interpreter another one's calls run in."""
import os
import socket
import sys
import tempfile
import time

import cleanroom

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "plugins"))  # the workers import the plugins from there too

import crash  # noqa: E402
import forkbomb  # noqa: E402
import good  # noqa: E402
import hang  # noqa: E402
import hog  # noqa: E402
import snoop  # noqa: E402

# Each worker: 256 MiB (a memory cgroup; where this user may make none, it
# goes without, and RLIMIT_AS still stops a hog), 64 processes, 3 s a task.
LIMITS = {"limits": {"rlimits": {"NPROC": 64, "AS": 1 << 30, "CORE": 0}}}


def main():
    os.environ["PLUGIN_HOST_TOKEN"] = "t0ken-the-plugins-must-not-see"
    private = tempfile.mkdtemp(prefix="plugin-host-")
    secret = os.path.join(private, "secret.txt")
    with open(secret, "w") as f:
        f.write("db-password-hunter2")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    bad = {"crash": crash, "hang": hang, "hog": hog, "forkbomb": forkbomb,
           "snoop": snoop}
    started = time.monotonic()

    def executor():
        return cleanroom.SandboxExecutor(1, config=LIMITS, memory="256M", optional_limits=["memory"],
                                         task_timeout=3, result="json")

    executors = {name: executor() for name in list(bad) + ["good"]}
    try:
        request = {"secret_file": secret, "port": port}
        futures = {name: executors[name].submit(p.handle, request) for name, p in bad.items()}
        answered = 0
        n = 0
        while not all(f.done() for f in futures.values()) or n < 30:
            n += 1
            if executors["good"].submit(good.handle, {"n": n}).result(timeout=30)["answer"] == 2 * n:
                answered += 1
        print("good: %d/%d answered while the others misbehaved (%.1f s)" % (answered, n, time.monotonic() - started))
        for name, f in futures.items():
            try:
                value = f.result()
                print("%s: answered %s" % (name, " ".join("%s=%s" % kv for kv in sorted(value.items()))))
            except cleanroom.RemoteError as e:
                print("%s: raised in its sandbox: %s" % (name, e.type_name))
            except cleanroom.SandboxError as e:
                print("%s: %s: %s" % (name, type(e).__name__, e))
        print("still answering: %s" % executors["good"].submit(good.handle, {"n": 21}).result()["answer"])
    finally:
        for ex in executors.values():
            ex.shutdown(cancel_futures=True)
    listener.close()
    os.unlink(secret)
    os.rmdir(private)


if __name__ == "__main__":
    main()
