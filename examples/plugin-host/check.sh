#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest: run the plugin host and check what it printed.
#   check.sh CLEANROOM
set -u
cleanroom=$1
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
/usr/bin/python3 "$here/host.py" "$cleanroom" >"$out" 2>&1
status=$?
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$status" = 0 ] || fail "host.py exited with $status"

# The fork child finds each thing the host holds; the cleanroom plugin none,
# and its report lists each as withheld (the secret's name, not its value).
row() {
  grep -E "^  $1 *\| $2 *\| $3 *\| $4\$" "$out" >/dev/null ||
    fail "row '$1': expected fork '$2', cleanroom '$3', withheld '$4'"
}
row "open file"          "fd [0-9]+ /.*/host-secret.txt" "none" "fd [0-9]+ host-secret.txt"
row "listening socket"   "fd [0-9]+ listening on 127.0.0.1:[0-9]+" "none" "fd [0-9]+ tcp-listen 127.0.0.1:[0-9]+"
row "PLUGIN_HOST_SECRET" "'db-password-hunter2'" "not set" "name listed, no value"
row "SIGINT ignored"     "yes" "no" "SIGINT listed"
grep -c hunter2 "$out" | grep -qx 1 || fail "the secret's value appears beyond the fork column"

report() { grep -A1 "^plugin $1: " "$out" | grep -E "report: .*$2" >/dev/null || fail "plugin $1: report lacks $2"; }
report crash "signal=11 "
report hang "time_limit_hit=true "
if [ "$(id -u)" = 0 ]; then
  report hog "oom_killed=true "       # root: the memory cgroup is there
else
  # rootless: the OOM killer if a cgroup was delegated, else the time limit
  grep -A1 "^plugin hog: " "$out" | grep -Eq 'oom_killed=true |time_limit_hit=true .*cgroup.memory="not applied"' ||
    fail "plugin hog: neither oom_killed nor time limit without memory cgroup"
fi
n=$(grep -Ec '^  meanwhile the good plugin answered [1-9][0-9]* request' "$out")
[ "$n" = 3 ] || fail "the good plugin did not answer during each misbehaving plugin"
grep -q '^  still answering: add(40, 2) = 42$' "$out" || fail "the good plugin stopped answering"
report good "exit_code=0 "
echo "plugin-host example: ok"
