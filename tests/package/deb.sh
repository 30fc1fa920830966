#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest deb_packages: debian/ builds the four packages (dpkg-buildpackage
# -b on a copy of the tree), each holds what it should, lintian finds no
# error, the symbols file matches the library exactly, and the packaged
# cleanroom, library and Python package work from the unpacked files (the
# machine's dpkg database is left alone: nothing is installed).
#   deb.sh SOURCE_DIR
set -u
src=$1
for tool in dpkg-buildpackage dh dh_python3 dh_apparmor lintian fakeroot; do
  command -v "$tool" >/dev/null || { echo "deb_packages: SKIP: no $tool (scripts/install-deps.sh installs it)"; exit 77; }
done
work=$(mktemp -d /tmp/cleanroom-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/build.log" ] && tail -40 "$work/build.log"; exit 1; }

# The tree as a clean checkout would have it: the tracked files (and the
# changes not yet committed), no build folders.
mkdir "$work/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/src" 2>/dev/null)
else
  (cd "$src" && tar --exclude='./build*' -cf - .) | tar -C "$work/src" -xf -
fi
[ -f "$work/src/debian/rules" ] || fail "no debian/rules in the copy"
# Every difference from debian/libcleanroom0.symbols (a new or lost symbol)
# fails the build, so the symbols file follows the version script.
(cd "$work/src" && DPKG_GENSYMBOLS_CHECK_LEVEL=4 DEB_BUILD_OPTIONS="parallel=$(nproc)" \
  dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || fail "dpkg-buildpackage failed"

version=$(sed -n '1s/^cleanroom (\([^)]*\)).*/\1/p' "$src/debian/changelog")
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb() { echo "$work/${1}_${version}_${arch}.deb"; }
has() { # package path...
  p=$1
  shift
  list=$(dpkg-deb -c "$(deb "$p")" | awk '{print $6}')
  for f in "$@"; do
    echo "$list" | grep -qx "\./$f" || fail "$p does not hold $f"
  done
}
has cleanroom usr/bin/cleanroom etc/apparmor.d/cleanroom usr/share/man/man1/cleanroom.1.gz \
  usr/share/man/man5/cleanroom.json.5.gz usr/share/bash-completion/completions/cleanroom \
  usr/share/cleanroom/schema.json usr/share/doc/cleanroom/copyright
has libcleanroom0 "usr/lib/$multiarch/libcleanroom.so.0" "usr/lib/$multiarch/libcleanroom.so.$version"
has libcleanroom-dev usr/include/cleanroom/cleanroom.h "usr/lib/$multiarch/libcleanroom.so" \
  "usr/lib/$multiarch/libcleanroom.a" "usr/lib/$multiarch/pkgconfig/cleanroom.pc" \
  "usr/lib/$multiarch/cmake/cleanroom/cleanroomConfig.cmake"
has python3-cleanroom usr/lib/python3/dist-packages/cleanroom/__init__.py usr/lib/python3/dist-packages/cleanroom/py.typed
# (listings read whole, not through grep -q: dpkg-deb would die of SIGPIPE)
listing=$(dpkg-deb -c "$(deb python3-cleanroom)")
echo "$listing" | grep -q 'dist-packages/cleanroom/_cleanroom\.cpython-.*\.so$' ||
  fail "python3-cleanroom has no extension module"
listing=$(dpkg-deb -c "$(deb cleanroom)")
echo "$listing" | grep -q 'libcleanroom' && fail "the cleanroom package holds the library"
dpkg-deb -f "$(deb python3-cleanroom)" Depends | grep -q "libcleanroom0 (= $version)" ||
  fail "python3-cleanroom does not depend on libcleanroom0 (= $version)"
postinst=$(dpkg-deb -I "$(deb cleanroom)" postinst)
echo "$postinst" | grep -q apparmor_parser || fail "the postinst does not load the AppArmor profile"

lintian --fail-on error --suppress-tags no-symbols-control-file "$work/cleanroom_${version}_${arch}.changes" \
  >"$work/lintian.log" 2>&1 || { cat "$work/lintian.log"; fail "lintian found errors"; }
grep -v 'root privileges' "$work/lintian.log"

# What the packages hold runs: the CLI, and the Python package over the
# packaged library (no RPATH: found through LD_LIBRARY_PATH here, the
# system's path when installed).
root=$work/root
for p in cleanroom libcleanroom0 python3-cleanroom; do dpkg-deb -x "$(deb "$p")" "$root"; done
out=$("$root/usr/bin/cleanroom" run -- /bin/echo packaged 2>&1) || fail "the packaged cleanroom failed: $out"
[ "$out" = packaged ] || fail "the packaged cleanroom printed: $out"
chmod 755 "$work" "$root"
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$root/usr/bin/cleanroom" run -- /usr/bin/id -u 2>&1) ||
  fail "the packaged cleanroom failed as uid 65534: $out"
[ "$out" = 65534 ] || fail "the packaged cleanroom as uid 65534: the sandbox is uid $out"
out=$(cd / && LD_LIBRARY_PATH="$root/usr/lib/$multiarch" PYTHONPATH="$root/usr/lib/python3/dist-packages" \
  python3 -c 'import cleanroom, sys; r = cleanroom.run(["/bin/echo", "py"], capture_output=True); print(cleanroom.__file__, r.returncode, r.stdout.decode().strip())' 2>&1) ||
  fail "the packaged Python package failed: $out"
case "$out" in "$root/usr/lib/python3/dist-packages/cleanroom/__init__.py 0 py") ;; *) fail "the packaged Python package: $out" ;; esac
echo "deb_packages: ok: $(cd "$work" && ls ./*.deb | grep -vc dbgsym) packages, lintian clean, CLI and Python package run"
