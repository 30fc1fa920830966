#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the sandbox of examples/hello.json and prints what it can see.
echo "== $GREETING"
echo "-- who:        $(id)"
echo "-- hostname:   $(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
echo "-- cwd, umask: $(pwd), $(umask)"
echo "-- environment (the whole of it, as this process received it):"
# /proc/$$/environ is what execve gave this shell; `env` would also show
# PWD, which the shell itself adds.
tr '\0' '\n' < /proc/$$/environ | sort | sed 's/^/     /'
echo "-- open fds (this shell's whole table):"
# /proc/$$, not /proc/self: a listing program would otherwise list its own
# fds (its stdout a pipe), not the shell's. find writes to a file it opens
# itself (-fprintf; a shell redirection would move the shell's own fd 1),
# so the shell's table is as it was while find reads it.
find /proc/$$/fd/ -mindepth 1 -fprintf /tmp/fds.txt '%f %l\n'
sort -n /tmp/fds.txt | while read -r n target; do
  case "$target" in
    /hello/look-around.sh) note="   (the shell's own: it reads this script)" ;;
    *) note="" ;;
  esac
  echo "     $n -> $target$note"
done
echo "-- network interfaces:"
tail -n +3 /proc/net/dev | cut -d: -f1 | sed 's/^ */     /'
echo "-- processes:"
for p in /proc/[0-9]*; do
  [ -r "$p/comm" ] && echo "     ${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
done
echo "-- root folder: $(ls / | tr '\n' ' ')"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/^/     /'
