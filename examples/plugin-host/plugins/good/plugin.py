# SPDX-License-Identifier: MIT
"""The well-behaved plugin: answers JSON-line requests on a socket.

Under cleanroom it runs as `python3 /plugin/plugin.py` and finds the socket at
fd 3 (plugin.json says so). host.py's fork demo imports this file and calls
serve() with its socket instead, so both runs use the same code.
"""
import json
import os
import signal
import socket


def look(channel_fd):
    """What this process was handed by whoever started it, besides its channel."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in (0, 1, 2, channel_fd):
            continue
        try:
            target = os.readlink("/proc/self/fd/%d" % fd)
        except OSError:
            continue  # the fd listdir itself used, already closed
        entry = {"fd": fd, "target": target}
        if target.startswith("socket:"):
            with socket.socket(fileno=os.dup(fd)) as s:
                entry["listening"] = bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
                if s.family == socket.AF_INET:
                    entry["address"] = "%s:%d" % s.getsockname()
        fds.append(entry)
    # The kernel's view of ignored signals (a hex mask, bit N-1 for signal N).
    with open("/proc/self/status") as f:
        sigign = int(next(l for l in f if l.startswith("SigIgn:")).split()[1], 16)
    return {"pid": os.getpid(), "fds": sorted(fds, key=lambda e: e["fd"]),
            "secret": os.environ.get("PLUGIN_HOST_SECRET"),
            "sigint_ignored": bool(sigign & (1 << (signal.SIGINT - 1)))}


def serve(sock):
    """Answer one JSON line per request line until the host closes the socket."""
    for line in sock.makefile("r"):
        req = json.loads(line)
        if req["op"] == "look":
            reply = look(sock.fileno())
        elif req["op"] == "add":
            reply = {"sum": req["a"] + req["b"]}
        else:
            reply = {"error": "unknown op %r" % req["op"]}
        sock.sendall((json.dumps(reply) + "\n").encode())


if __name__ == "__main__":
    serve(socket.socket(fileno=3))
