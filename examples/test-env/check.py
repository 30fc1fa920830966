#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""ctest: run test-env.json and check that the test passed inside while the
host's loopback and files stayed out of reach.   check.py CLEANROOM"""
import os
import socket
import subprocess
import sys
import tempfile

cleanroom = sys.argv[1]
config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test-env.json")

with tempfile.TemporaryDirectory() as tmp:
    # A host file anyone may read, so only the sandbox can hide it.
    os.chmod(tmp, 0o755)
    host_file = os.path.join(tmp, "host-file.txt")
    with open(host_file, "w") as f:
        f.write("host only\n")
    os.chmod(host_file, 0o644)

    # A host TCP socket on 127.0.0.1, reachable from the host (checked).
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    socket.create_connection(("127.0.0.1", port)).close()
    listener.accept()[0].close()
    listener.setblocking(False)

    cmd = [cleanroom, "run", config, "--", "/bin/sh", "/src/run-tests.sh",
           "--host-port", str(port), "--host-file", host_file]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
    print(p.stdout, end="")
    lines = p.stdout.splitlines()

    def expect(prefix):
        if not any(line.startswith(prefix) for line in lines):
            sys.exit("FAIL: no line starting with %r" % prefix)

    if p.returncode != 0:
        sys.exit("FAIL: cleanroom exited with %d" % p.returncode)
    expect("interfaces: lo")
    if "interfaces: lo" not in lines:
        sys.exit("FAIL: the sandbox has interfaces other than lo")
    expect("test: GET http://127.0.0.1:8000/ -> 200 ")
    expect("test: PASS")
    expect("probe: host 127.0.0.1:%d -> unreachable" % port)
    expect("probe: host file %s -> not visible" % host_file)
    expect("probe: write /usr -> refused")
    try:
        listener.accept()
        sys.exit("FAIL: a connection reached the host's listening socket")
    except BlockingIOError:
        pass
    listener.close()
print("test-env example: ok")
