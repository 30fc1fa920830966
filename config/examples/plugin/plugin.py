# SPDX-License-Identifier: MIT
"""A stand-in plugin for config/examples/plugin.json: reads one JSON request on
fd 3 (a socket the host passes in) and answers on the same socket."""
import json
import socket

sock = socket.socket(fileno=3)
request = json.loads(sock.recv(65536) or b"{}")
sock.sendall(json.dumps({"ok": True, "echo": request}).encode())
