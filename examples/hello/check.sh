#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest: run examples/hello.json with things the sandbox must not see (an
# extra open fd, a secret in the environment) and check what it printed.
set -u
cleanroom=$1 config=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
CANARY_SECRET=leaked "$cleanroom" run "$config" >"$out" 2>&1 7</dev/null 9<"$config"
status=$?
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$status" = 0 ] || fail "exit status $status"
grep -q '^== hello from inside cleanroom$' "$out" || fail "no greeting"
grep -q 'CANARY_SECRET' "$out" && fail "the launcher's environment leaked"
fds=$(sed -n '/^-- open fds/,/^-- network/p' "$out" | grep -- '->' | grep -vc "the shell's own")
[ "$fds" = 3 ] || fail "expected exactly fds 0, 1, 2, saw $fds"
# The table is the shell's own: its stdout and stderr are the file this
# script gave the launcher, not the pipe of a command substitution.
fd1=$(sed -n 's/^     1 -> //p' "$out")
fd2=$(sed -n 's/^     2 -> //p' "$out")
case "$fd1" in *"${out##*/}"*) ;; *) fail "fd 1 is $fd1, not the output file ${out##*/}" ;; esac
[ "$fd1" = "$fd2" ] || fail "fd 1 ($fd1) and fd 2 ($fd2) should both be the output file"
ifaces=$(sed -n '/^-- network interfaces/,/^-- processes/p' "$out" | sed '1d;$d' | tr -d ' ')
[ "$ifaces" = lo ] || fail "expected only lo, saw: $ifaces"
grep -q 'hostname:   cleanroom$' "$out" || fail "hostname"
grep -q 'NoNewPrivs:	1' "$out" || fail "no_new_privs"
grep -q 'CapBnd:	0000000000000000' "$out" || fail "bounding set not empty"
echo "hello example: ok"
