#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest: run the C host and check what it printed and the reports it wrote.
#   check.sh C_HOST
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
"$1" "$dir" >"$out" 2>&1
status=$?
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$status" = 0 ] || fail "c-host exited with $status"
grep -q '^hello from a sandbox built in C, uid [0-9]*$' "$out" || fail "no greeting from the payload"
grep -q '^result: exit_code=3 signal=0 time_limit_hit=false ' "$out" || fail "first run: expected exit 3"
grep -q '^result: exit_code=137 signal=9 time_limit_hit=true ' "$out" || fail "second run: expected the time limit"
/usr/bin/python3 - "$dir" <<'PY' || fail "reports"
import json, sys
first = json.load(open(sys.argv[1] + "/first.json"))
second = json.load(open(sys.argv[1] + "/second.json"))
assert first["exit_code"] == 3 and not first["time_limit_hit"], first
assert second["exit_code"] == 137 and second["time_limit_hit"] and second["signal"] == 9, second
PY
echo "c-host example: ok"
