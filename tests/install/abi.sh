#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest abi_compat: libcleanroom.so's ABI as built against the baseline
# abi/libcleanroom.abi (libabigail). Any difference fails, with abidiff's
# report (abidiff flags a removed function as incompatible, but a moved
# field only as a change, so every change stops here for a look):
#  - compatible (a new function, a field appended to a struct the library
#    allocates): write the new baseline with
#    `cmake --build build --target abi-baseline` and commit it with the change;
#  - incompatible (a removed or changed function, a moved field): bump
#    CLEANROOM_SOVERSION in CMakeLists.txt, then write the baseline.
#   abi.sh LIBCLEANROOM_SO BASELINE PUBLIC_HEADER_DIR
set -u
so=$1 baseline=$2 headers=$3
command -v abidiff >/dev/null || { echo "abi_compat: SKIP: abidiff not installed (Debian: abigail-tools)"; exit 77; }
readelf -S "$so" | grep -q '\.debug_info' ||
  { echo "abi_compat: SKIP: $so has no debug info (build with -g, e.g. RelWithDebInfo)"; exit 77; }
[ -f "$baseline" ] || { echo "FAIL: no baseline $baseline (cmake --build BUILD --target abi-baseline)"; exit 1; }
report=$(abidiff --no-show-locs --headers-dir2 "$headers" "$baseline" "$so")
status=$?
printf '%s\n' "$report"
[ "$status" = 0 ] && { echo "abi_compat: same ABI as $baseline"; exit 0; }
if [ $((status & 3)) != 0 ]; then
  echo "FAIL: abidiff itself failed ($status)"
elif [ $((status & 8)) != 0 ]; then
  echo "FAIL: an incompatible ABI change: bump CLEANROOM_SOVERSION, then write the baseline (target abi-baseline)"
else
  echo "FAIL: the ABI changed. If the report shows only additions (new functions, fields appended to a struct"
  echo "the library allocates), write the new baseline (target abi-baseline); anything else breaks programs"
  echo "built before it: bump CLEANROOM_SOVERSION, then write the baseline"
fi
exit 1
