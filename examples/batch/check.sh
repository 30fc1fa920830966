#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest: run the batch over jobs/*.json and check the collected array.
#   check.sh CLEANROOM
set -u
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
sh "$here/batch.sh" "$1" "$out" "$here"/jobs/*.json || { echo "FAIL: batch.sh exited with $?"; exit 1; }
cat "$out"
/usr/bin/python3 - "$out" <<'PY' || { echo "FAIL: the array is not what the jobs should give"; exit 1; }
import json, sys
runs = json.load(open(sys.argv[1]))
# config -> (exit_code, what else its report must say)
expected = {
    "1-hello.json":      (0,   {"signal": None, "setup_failed": False}),
    "2-exit-3.json":     (3,   {"signal": None, "setup_failed": False}),
    "3-timeout.json":    (137, {"signal": 9, "time_limit_hit": True}),
    "4-not-found.json":  (127, {"setup_failed": True}),
    "5-crash.json":      (139, {"signal": 11}),
    "6-bad-config.json": (125, {"setup_failed": True}),
}
assert [r["config"] for r in runs] == sorted(expected), [r["config"] for r in runs]
for r in runs:
    code, facts = expected[r["config"]]
    rep = r["report"]
    assert rep["exit_code"] == code, (r["config"], rep)
    for k, v in facts.items():
        assert rep[k] == v, (r["config"], k, rep)
print("%d runs, exit codes %s" % (len(runs), [r["report"]["exit_code"] for r in runs]))
PY
echo "batch example: ok"
