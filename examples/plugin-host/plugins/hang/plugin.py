# SPDX-License-Identifier: MIT
"""A plugin that hangs: it takes a request and never answers."""
import socket
import time

sock = socket.socket(fileno=3)
sock.makefile("r").readline()
while True:
    time.sleep(3600)
