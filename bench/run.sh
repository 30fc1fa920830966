#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Launch-latency benchmark: cleanroom against a bare fork+exec, unshare(1),
# bubblewrap and (when it can run here) crun, interleaved in one run.
#
#   bench/run.sh [--count N] [--no-install] [--cleanroom PATH] [--api PATH]
#                [--build-dir DIR] [--loop-seconds S] [--loop-max N] [--warmup N]
#                [--rss-runs N] [--baseline PATH [--baseline-api PATH]]
#                [--python-package DIR | --no-python] [--python-calls N] [--python-tasks N]
#                [--python-roundtrips N]
#
# See bench/README.md. The Markdown table goes to stdout, progress to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

install=1
cleanroom=""
api=""
build_dir="$root/build"
driver_args=()
python_package=""
python_rows=1
python_args=()

usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case "$1" in
	--no-install) install=0 ;;
	--cleanroom) cleanroom=${2:?--cleanroom needs a path}; shift ;;
	--cleanroom=*) cleanroom=${1#*=} ;;
	--api) api=${2:?--api needs a path}; shift ;;
	--api=*) api=${1#*=} ;;
	--build-dir) build_dir=${2:?--build-dir needs a path}; shift ;;
	--build-dir=*) build_dir=${1#*=} ;;
	--count|--loop-seconds|--loop-max|--warmup|--rss-runs|--baseline|--baseline-api)
		driver_args+=("$1" "${2:?$1 needs a value}"); shift ;;
	--count=*|--loop-seconds=*|--loop-max=*|--warmup=*|--rss-runs=*|--baseline=*|--baseline-api=*)
		driver_args+=("$1") ;;
	--python-package) python_package=${2:?--python-package needs a folder}; shift ;;
	--python-package=*) python_package=${1#*=} ;;
	--no-python) python_rows=0 ;;
	--python-calls|--python-tasks|--python-roundtrips)
		python_args+=("--${1#--python-}" "${2:?$1 needs a value}"); shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench: unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

say() { echo "bench: $*" >&2; }

# --- cleanroom ---------------------------------------------------------------
if [ -z "$cleanroom" ] || [ -z "$api" ]; then
	if [ ! -f "$build_dir/CMakeCache.txt" ]; then
		say "configuring $build_dir"
		cmake -S "$root" -B "$build_dir" >&2
	fi
	say "building cleanroom and cr-bench-api in $build_dir"
	cmake --build "$build_dir" --target cleanroom cr-bench-api >&2
	[ -n "$cleanroom" ] || cleanroom="$build_dir/cli/cleanroom"
	[ -n "$api" ] || api="$build_dir/bench/cr-bench-api"
fi
for b in "$cleanroom" "$api"; do
	if [ ! -x "$b" ]; then
		say "binary not found or not executable: $b"
		exit 1
	fi
done
cleanroom=$(cd "$(dirname "$cleanroom")" && pwd)/$(basename "$cleanroom")
api=$(cd "$(dirname "$api")" && pwd)/$(basename "$api")

# --- peers from Debian packages ---------------------------------------------
apt_install() { # PACKAGE...
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 && return 0
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}
if [ "$install" = 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		say "not root: not installing peers (using what is installed)"
	elif ! command -v apt-get >/dev/null; then
		say "no apt-get: not installing peers (using what is installed)"
	else
		command -v bwrap >/dev/null || { say "installing bubblewrap"; apt_install bubblewrap || say "could not install bubblewrap"; }
		command -v crun >/dev/null || { say "installing crun (optional)"; apt_install crun || say "could not install crun (optional)"; }
	fi
fi

# --- RSS probe (see rss_probe.c for why the driver cannot use its own wait4) ---
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rss_probe=""
if ${CC:-cc} -O2 -o "$tmp/rss_probe" "$here/rss_probe.c" 2>"$tmp/cc.err"; then
	rss_probe="$tmp/rss_probe"
else
	say "could not compile bench/rss_probe.c ($(head -n1 "$tmp/cc.err")); peak RSS via /usr/bin/time if present"
fi

python=$(command -v python3 || true)
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
if [ -z "$python" ]; then
	say "python3 is needed for the driver"
	exit 1
fi

set +u # "${driver_args[@]}" on an empty array trips set -u in bash < 4.4
"$python" "$here/bench.py" --cleanroom "$cleanroom" --api "$api" --rss-probe "$rss_probe" \
	--workdir "$tmp" "${driver_args[@]}"

# --- the Python rows (python/: cleanroom.call, SandboxExecutor) ----------------
if [ "$python_rows" = 1 ]; then
	[ -n "$python_package" ] || python_package="$build_dir/python"
	if [ ! -e "$python_package/cleanroom/__init__.py" ]; then
		say "no cleanroom Python package in $python_package (build it, or --python-package DIR); Python rows skipped"
	else
		echo
		# the benchmark's own folder: what its children re-import as __main__
		PYTHONPATH=$(cd "$python_package" && pwd) CLEANROOM_CACHE_DIR="$tmp/cache" \
			"$python" "$here/python_bench.py" "${python_args[@]}"
	fi
fi
