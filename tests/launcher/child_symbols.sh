#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest child_symbols: the objects of the code that runs after clone import
# only what child_symbols.allow lists (nm -u), so a call to getpwnam(),
# malloc() or printf() there fails CI instead of deadlocking a threaded host.
# The objects' own functions (cr_*) must be defined among them: a call into
# the rest of the library (which allocates) is an import too.
#   child_symbols.sh ALLOW_LIST OBJECT...
# Sanitizer and fortify runtime entry points (__asan_*, __ubsan_*,
# __*_chk, __stack_chk_fail) and the linker's _GLOBAL_OFFSET_TABLE_ are
# allowed: they come from the build's flags, not from the code.
set -eu
allow=$1
shift
[ $# -gt 0 ] || { echo "FAIL: no object files given"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$allow" | sort -u >"$dir/allowed"
nm --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u >"$dir/defined"
nm -u "$@" | awk 'NF == 2 { print $2 }' | sort -u >"$dir/imported"
comm -23 "$dir/imported" "$dir/defined" |
  grep -Ev '^(__asan_|__ubsan_|__sanitizer_|__lsan_|__stack_chk_fail$|__.*_chk$|_GLOBAL_OFFSET_TABLE_$)' |
  comm -23 - "$dir/allowed" >"$dir/bad" || true
if [ -s "$dir/bad" ]; then
  echo "FAIL: code that runs after clone imports what child_symbols.allow does not list:"
  for s in $(cat "$dir/bad"); do
    printf '  %s, from:' "$s"
    for o in "$@"; do nm -u "$o" | awk -v s="$s" 'NF == 2 && $2 == s { f = 1 } END { exit !f }' && printf ' %s' "${o##*/}"; done
    echo
  done
  exit 1
fi
echo "child_symbols: $# objects import $(comm -23 "$dir/imported" "$dir/defined" | wc -l) symbols, all allowed"
