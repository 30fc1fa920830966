#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the sandbox: start the server under test on the sandbox's own
# loopback, run the test client against it, stop the server. Arguments go to
# the client (check.py passes host things for it to probe).
set -u
mkdir -p /work/site    # /work is a private tmpfs: writable, gone after the run
echo "hello from the server under test" >/work/site/index.html
python3 -m http.server --bind 127.0.0.1 --directory /work/site 8000 >/work/server.log 2>&1 &
server=$!
python3 /src/client.py "$@"
status=$?
kill "$server"
exit "$status"
