#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest apparmor_profile: the installed AppArmor profile parses with the
# AppArmor parser of this machine (apparmor_parser -Q: parse and compile,
# load nothing; AppArmor need not be active). The profile is AppArmor 4's
# (Ubuntu 24.04: abi 4.0 and the `userns` rule). An AppArmor 3 parser
# (Debian 12's) knows neither: it gets the profile with exactly those two
# lines changed (abi 3.0, the userns rule left out), so that everything
# else is checked by a real parser; an AppArmor 4 parser gets it as is.
#   check.sh INSTALLED_PROFILE
set -u
profile=$1
command -v apparmor_parser >/dev/null || { echo "apparmor_profile: SKIP: no apparmor_parser (Debian: apparmor)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
grep -Eq '^profile cleanroom /[^ ]+/bin/cleanroom flags=\(unconfined\) \{$' "$profile" || fail "no profile line for the binary"
grep -qx '  userns,' "$profile" || fail "no userns rule"
grep -qx 'abi <abi/4.0>,' "$profile" || fail "not abi 4.0"
version=$(apparmor_parser --version | sed -n 's/^AppArmor parser version \([0-9]*\).*/\1/p')
if [ "${version:-0}" -ge 4 ]; then
  cp "$profile" "$dir/cleanroom"
else
  sed -e 's|^abi <abi/4.0>,$|abi <abi/3.0>,|' -e '/^  userns,$/d' "$profile" >"$dir/cleanroom"
  [ "$(diff "$profile" "$dir/cleanroom" | grep -c '^[<>]')" = 3 ] || fail "the AppArmor 3 copy differs in more than the two lines"
fi
apparmor_parser -Q -T -K "$dir/cleanroom" 2>"$dir/err"
status=$?
grep -v 'Cache read/write disabled' "$dir/err"
[ "$status" = 0 ] || fail "apparmor_parser -Q refused the profile"
echo "apparmor_profile: parses with AppArmor parser ${version:-?}"
