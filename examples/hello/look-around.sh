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
echo "-- open fds (the whole table; the listing's own fd is left out):"
for fd in /proc/self/fd/*; do
  n=${fd##*/}
  target=$(readlink "$fd" 2>/dev/null) || continue
  case "$target" in /proc/*/fd) continue ;; esac
  echo "     $n -> $target"
done
echo "-- network interfaces:"
tail -n +3 /proc/net/dev | cut -d: -f1 | sed 's/^ */     /'
echo "-- processes:"
for p in /proc/[0-9]*; do
  [ -r "$p/comm" ] && echo "     ${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
done
echo "-- root folder: $(ls / | tr '\n' ' ')"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/^/     /'
