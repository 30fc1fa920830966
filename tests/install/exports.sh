#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest install_exports: libcleanroom.so exports exactly the functions the
# public header declares CR_API, each at symbol version CLEANROOM_0, and
# nothing else (no internal cr_* helper, no libseccomp/libcap/nettle symbol).
#   exports.sh LIBCLEANROOM_SO HEADER
set -eu
so=$1 header=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Declarations may span lines: join the header, then take each CR_API
# declaration's function name.
grep -v '^#' "$header" | tr '\n' ' ' | grep -o 'CR_API[^;(]*(' | sed 's/.*[ *]\([A-Za-z_0-9]*\)($/\1/' | sort >"$dir/declared"
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort >"$dir/exported"
[ -s "$dir/declared" ] || { echo "FAIL: no CR_API declaration found in $header"; exit 1; }
sed 's/@@CLEANROOM_0$//' "$dir/exported" >"$dir/names"
if ! diff -u "$dir/declared" "$dir/names"; then
  echo "FAIL: exported symbols (+) differ from the header's CR_API declarations (-)"
  exit 1
fi
if grep -v '@@CLEANROOM_0$' "$dir/exported"; then
  echo "FAIL: the symbols above carry no CLEANROOM_0 version"
  exit 1
fi
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libcleanroom.so.0 ] || { echo "FAIL: SONAME is '$soname', not libcleanroom.so.0"; exit 1; }
echo "install_exports: $(wc -l <"$dir/names") functions, SONAME $soname: ok"
