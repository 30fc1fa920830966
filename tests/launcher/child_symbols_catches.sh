#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest child_symbols_catches: child_symbols.sh fails, naming getpwnam and
# its object, when one more object (child_symbols_bad.c) imports it.
#   child_symbols_catches.sh CHILD_SYMBOLS_SH ALLOW_LIST OBJECT...
set -u
script=$1
shift
if out=$(sh "$script" "$@" 2>&1); then
  printf '%s\n' "$out"
  echo "FAIL: objects importing getpwnam and malloc passed the check"
  exit 1
fi
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q '^  getpwnam, from: child_symbols_bad.c.o$' || { echo "FAIL: getpwnam not named"; exit 1; }
printf '%s\n' "$out" | grep -q '^  malloc, from: child_symbols_bad.c.o$' || { echo "FAIL: malloc not named"; exit 1; }
echo "child_symbols_catches: ok"
