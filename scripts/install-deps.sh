#!/bin/sh
# Install the Debian/Ubuntu packages cleanroom needs to build and test,
# only those missing (apt-get update runs only when something is missing).
set -eu
packages="gcc make cmake pkg-config libcap-dev libseccomp-dev libcjson-dev python3 util-linux"
packages="$packages clang libclang-rt-14-dev"
packages="$packages ${CLEANROOM_EXTRA_PACKAGES:-}"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "cleanroom: missing packages:$missing (run this script as root to install them)" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
