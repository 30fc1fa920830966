# SPDX-License-Identifier: MIT
"""A plugin that allocates without end: it keeps every buffer it makes.

The pace (4 MiB every 20 ms) is only there so that a run without a memory
limit (rootless, see README.md) takes a few hundred MB before its time limit
stops it, not the whole machine."""
import socket
import time

sock = socket.socket(fileno=3)
sock.makefile("r").readline()
hoard = []
while True:
    hoard.append(b"x" * (4 << 20))  # written, so really resident
    time.sleep(0.02)
