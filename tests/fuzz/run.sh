#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets with clang (own build folder) and run each for
# SECONDS (default 60), starting from the seed corpus in corpus/<target>.
# Fails (exit 1) on any crash, leak, timeout or sanitizer report; the input
# that caused it is kept in $BUILD/artifacts/. Exit 77 when this machine has
# no clang with libFuzzer (install clang libclang-rt-14-dev).
#
#   tests/fuzz/run.sh [SECONDS]
#   environment: CR_FUZZ_BUILD (build folder, default build-fuzz at the top of
#   the tree), CC (default clang), CR_FUZZ_TARGETS (default "config policy"),
#   CR_FUZZ_JOBS (parallel libFuzzer workers per target, default 1)
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${CR_FUZZ_BUILD:-$top/build-fuzz}
cc=${CC:-clang}
targets=${CR_FUZZ_TARGETS:-config policy}
jobs=${CR_FUZZ_JOBS:-1}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fuzz: SKIP: no $cc (install clang libclang-rt-14-dev)"
  exit 77
fi
mkdir -p "$build"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$build/check.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$build/check.c" -o "$build/check" >"$build/check.log" 2>&1; then
  echo "fuzz: SKIP: $cc cannot build a libFuzzer target (install libclang-rt-14-dev):"
  cat "$build/check.log"
  exit 77
fi

echo "fuzz: configuring $build"
cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j2 >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }

mkdir -p "$build/artifacts"
status=0
cd "$build"   # libFuzzer writes fuzz-N.log files into the current folder with -jobs
for t in $targets; do
  # New inputs go to a scratch corpus; the seeds in the source tree are only read.
  work="$build/corpus-$t"
  mkdir -p "$work"
  parallel=""
  [ "$jobs" -gt 1 ] && parallel="-jobs=$jobs -workers=$jobs"
  echo "fuzz: fuzz_$t for ${secs}s"
  # The policy compiler caches filters on disk: a private, fresh cache here.
  rm -rf "$build/cache"
  mkdir -p "$build/cache"
  if ! CLEANROOM_CACHE_DIR="$build/cache" ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
       UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
       "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
         $parallel -print_final_stats=1 \
         -artifact_prefix="$build/artifacts/$t-" "$work" "$here/corpus/$t" >"$build/fuzz_$t.log" 2>&1; then
    status=1
    echo "fuzz: FAIL: fuzz_$t found a problem; the log ($build/fuzz_$t.log) ends with:"
    tail -n 60 "$build/fuzz_$t.log"
    ls -l "$build/artifacts" | grep "$t-" || true
  else
    grep -E "stat::number_of_executed_units|cov:" "$build/fuzz_$t.log" | tail -n 2
    echo "fuzz: fuzz_$t: no crash, leak or sanitizer report"
  fi
done
exit $status
