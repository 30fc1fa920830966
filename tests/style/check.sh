#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest style: every C file follows .clang-format (clang-format 14), and
# every source file (C, Python, shell, CMake) carries an SPDX line in its
# first lines. Fix with: clang-format-14 -i FILE.
#   check.sh SOURCE_DIR
set -u
src=$1
cd "$src" || exit 1
fmt=$(command -v clang-format-14 || command -v clang-format) ||
  { echo "style: SKIP: clang-format not installed (Debian: clang-format)"; exit 77; }
# The tree's own files, not build folders or the fuzzers' corpora.
files() {
  find . \( -path ./.git -o -path './build*' -o -path ./tests/fuzz/corpus -o -path ./obj-\* \) -prune -o \
    -type f \( "$@" \) -print | sort
}
status=0
c_files=$(files -name '*.c' -o -name '*.h')
[ -n "$c_files" ] || { echo "FAIL: no C file found under $src"; exit 1; }
# shellcheck disable=SC2086
if ! "$fmt" --dry-run --Werror $c_files 2>"${TMPDIR:-/tmp}/cr-style.$$"; then
  grep -E '^\./[^:]+:[0-9]+:[0-9]+: error' "${TMPDIR:-/tmp}/cr-style.$$" | cut -d: -f1 | sort -u |
    head -n 40
  echo "FAIL: the files above do not follow .clang-format ($fmt -i FILE)"
  status=1
fi
rm -f "${TMPDIR:-/tmp}/cr-style.$$"
missing=$(files -name '*.c' -o -name '*.h' -o -name '*.py' -o -name '*.sh' -o -name '*.cmake' \
                -o -name CMakeLists.txt -o -name '*.map' |
  while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: ' || echo "$f"; done)
if [ -n "$missing" ]; then
  printf '%s\n' "$missing"
  echo "FAIL: the files above have no SPDX-License-Identifier line in their first three lines"
  status=1
fi
[ "$status" = 0 ] && echo "style: $(printf '%s\n' "$c_files" | wc -l) C files formatted, SPDX lines everywhere"
exit $status
