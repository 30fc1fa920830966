# SPDX-License-Identifier: MIT
"""A plugin that looks for what its host holds: its secrets in the
environment and in files, its open fds, its processes, the network."""
import os
import socket


def _try(what):
    try:
        return what()
    except Exception as e:  # what it could not get
        return "denied: %s" % type(e).__name__


def handle(request):
    found = {}
    found["env"] = sorted(k for k in os.environ if "TOKEN" in k or "SECRET" in k)
    found["secret_file"] = _try(lambda: open(request["secret_file"]).read())
    found["fds"] = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    found["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    found["host_socket"] = _try(lambda: socket.create_connection(("127.0.0.1", request["port"]), 1).close() or "connected")
    return found
