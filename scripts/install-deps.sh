#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian/Ubuntu packages cleanroom needs to build and test, only
# those missing (apt-get update runs only when something is missing).
# Required: the build and the test suite. Optional: clang with libFuzzer (the
# fuzz smoke test skips itself without it); a missing optional package is a
# warning, not a failure.
set -eu
required="gcc make cmake pkg-config libcap-dev libseccomp-dev libcjson-dev nettle-dev python3 python3-dev python3-setuptools python3-pytest python3-venv util-linux abigail-tools clang-format apparmor groff-base dpkg-dev debhelper dh-python dh-apparmor fakeroot lintian gdb strace iputils-ping uidmap"
optional="clang libclang-rt-14-dev ${CLEANROOM_EXTRA_PACKAGES:-}"

missing_of() {
  out=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
  done
  echo "$out"
}

# shellcheck disable=SC2086
missing_required=$(missing_of $required)
# shellcheck disable=SC2086
missing_optional=$(missing_of $optional)
[ -z "$missing_required$missing_optional" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  [ -z "$missing_required" ] && exit 0
  echo "cleanroom: missing packages:$missing_required (run this script as root to install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing_required" ]; then
  echo "installing:$missing_required"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing_required >/dev/null
fi
for p in $missing_optional; do
  apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
    echo "cleanroom: warning: optional package $p not installed" >&2
done
