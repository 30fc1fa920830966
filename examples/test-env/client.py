# SPDX-License-Identifier: MIT
"""The integration test: GET the page from the server started next to it.

Exits 0 when the server answered 200 with the expected page. With
--host-port/--host-file it also tries to reach things of the host outside
the sandbox, and says what it found (check.py expects: nothing).
"""
import argparse
import os
import socket
import time
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/"

parser = argparse.ArgumentParser()
parser.add_argument("--host-port", type=int)
parser.add_argument("--host-file")
args = parser.parse_args()

print("interfaces: " + " ".join(name for _, name in socket.if_nameindex()))

# The test itself. The server may still be starting: retry for a while.
status, body = None, ""
for _ in range(100):
    try:
        with urllib.request.urlopen(URL, timeout=2) as r:
            status, body = r.status, r.read().decode().strip()
        break
    except urllib.error.URLError:
        time.sleep(0.05)
print("test: GET %s -> %s %r" % (URL, status, body))
passed = status == 200 and body == "hello from the server under test"
print("test: " + ("PASS" if passed else "FAIL"))

# What the sandbox cannot reach.
if args.host_port:
    try:
        socket.create_connection(("127.0.0.1", args.host_port), timeout=2).close()
        print("probe: host 127.0.0.1:%d -> reachable" % args.host_port)
    except OSError as e:
        print("probe: host 127.0.0.1:%d -> unreachable (%s)" % (args.host_port, e.strerror or e))
if args.host_file:
    seen = "visible" if os.path.exists(args.host_file) else "not visible"
    print("probe: host file %s -> %s" % (args.host_file, seen))
try:
    open("/usr/cleanroom-was-here", "w").close()
    print("probe: write /usr -> allowed")
except OSError as e:
    print("probe: write /usr -> refused (%s)" % e.strerror)

raise SystemExit(0 if passed else 1)
