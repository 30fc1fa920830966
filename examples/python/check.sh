#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest example_python: the Python examples, each checked on what it printed.
#   check.sh PYTHON  (with PYTHONPATH naming the cleanroom package)
set -u
python=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

echo "== mp_fork.py: fork, then cleanroom"
"$python" "$here/mp_fork.py" fork >"$out" 2>&1 || fail "mp_fork.py fork"
cat "$out"
grep -q "^<_io.TextIOWrapper name='$here/mp_fork.py' mode='r'" "$out" || fail "the fork child did not inherit the file"
"$python" "$here/mp_fork.py" cleanroom >"$out" 2>&1 || fail "mp_fork.py cleanroom"
cat "$out"
[ "$(cat "$out")" = None ] || fail "the cleanroom child saw something"

echo "== plugin_host.py"
"$python" "$here/plugin_host.py" >"$out" 2>&1 || fail "plugin_host.py exited with $?"
cat "$out"
grep -Eq '^good: ([0-9]+)/\1 answered while the others misbehaved' "$out" || fail "good calls went unanswered"
grep -q '^crash: CrashError: .* killed by SIGSEGV$' "$out" || fail "crash"
grep -q '^hang: TimeLimitError: ' "$out" || fail "hang"
grep -Eq '^hog: (MemoryLimitError: |raised in its sandbox: MemoryError)' "$out" || fail "hog"
grep -Eq '^forkbomb: (TimeLimitError: |raised in its sandbox: BlockingIOError)' "$out" || fail "forkbomb"
grep -q '^snoop: answered env=\[\] fds=\[0, 1, 2, 3, 4\] host_socket=denied: ConnectionRefusedError processes=\[1, 2\] secret_file=denied: FileNotFoundError$' "$out" ||
  fail "snoop found something"
grep -q '^still answering: 42$' "$out" || fail "the host stopped answering"

echo "== residual/app.py: fork, then cleanroom"
(cd "$here/residual" && "$python" app.py fork) >"$out" 2>&1 || fail "app.py fork"
cat "$out"
[ "$(cat "$out")" = "[42, 42, 42]" ] || fail "under fork app.py should work"
(cd "$here/residual" && "$python" app.py cleanroom) >"$out" 2>&1 && fail "under cleanroom app.py should fail"
tail -n 3 "$out"
grep -q "AttributeError: 'NoneType' object has no attribute 'execute'" "$out" || fail "the reason is not shown"

echo "== residual/test_app.py with the pytest plugin"
(cd "$here/residual" && "$python" -m pytest -p cleanroom.pytest_plugin -p no:cacheprovider -q -rA test_app.py) >"$out" 2>&1 &&
  fail "the marked test should fail"
grep -q '^PASSED test_app.py::test_work_in_process' "$out" || fail "the in-process test should pass"
grep -q '^FAILED test_app.py::test_work_from_scratch' "$out" || fail "the sandboxed test should fail"
grep -q "AttributeError: 'NoneType' object has no attribute 'execute'" "$out" || fail "its reason is not shown"
grep -E '^(PASSED|FAILED) ' "$out"
echo "python examples: ok"
