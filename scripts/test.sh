#!/bin/sh
# SPDX-License-Identifier: MIT
# Build and run the whole test suite: once with -Werror, once with
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
jobs=$(nproc)
# The compiled-filter cache of the test runs goes to a folder removed at the
# end, so the tests leave nothing in the caller's ~/.cache.
CLEANROOM_CACHE_DIR=$(mktemp -d /tmp/cleanroom-test-cache.XXXXXX)
export CLEANROOM_CACHE_DIR
trap 'rm -rf "$CLEANROOM_CACHE_DIR"' EXIT

echo "== build (-Wall -Wextra -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEANROOM_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCLEANROOM_SANITIZE=ON -DCLEANROOM_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
