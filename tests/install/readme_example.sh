#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest readme_example: the C example of README.md's Embedding section
# builds against libcleanroom.so (-Werror) and prints what it says.
#   readme_example.sh README LIBCLEANROOM_SO INCLUDE_DIR [EXTRA_CFLAGS]
set -eu
readme=$1 so=$2 include=$3 extra=${4:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
awk '/^```c$/ { on = 1; n++; next } /^```$/ { on = 0 } on && n == 1' "$readme" >"$dir/example.c"
grep -q 'cr_sandbox_create' "$dir/example.c" || { echo "FAIL: no C example using cr_sandbox_create in $readme"; exit 1; }
# shellcheck disable=SC2086
${CC:-cc} -Wall -Wextra -Werror $extra -I"$include" -o "$dir/example" "$dir/example.c" \
  -L"$(dirname "$so")" -lcleanroom -Wl,-rpath,"$(dirname "$so")"
out=$("$dir/example")
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q '^hello from [0-9][0-9]*$' || { echo "FAIL: no greeting from the sandbox"; exit 1; }
printf '%s\n' "$out" | grep -q '^exit code 0$' || { echo "FAIL: no exit code 0"; exit 1; }
echo "readme_example: ok"
