#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest install_prefix: `cmake --install` into a temporary prefix (and once
# more with DESTDIR) puts every piece where a user looks for it; then
# examples/c-host is built against that installed copy three ways (pkg-config
# with the shared library, pkg-config --static with the archive, a CMake
# project with find_package(cleanroom)) and each build passes the example's
# own check.
#   install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
# EXTRA_CFLAGS: what the library was built with that its users must repeat
# (the sanitizer build's -fsanitize=...).
set -eu
build=$1 src=$(cd "$2" && pwd) extra=${3:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

prefix=$dir/prefix
cmake --install "$build" --prefix "$prefix" >"$dir/install.log" || { cat "$dir/install.log"; fail "cmake --install"; }
libdir=$(cd "$prefix" && ls -d lib lib64 lib/*-linux-gnu* 2>/dev/null | while read -r d; do
  [ -e "$d/libcleanroom.so" ] && echo "$d"; done | head -n 1)
[ -n "$libdir" ] || fail "no libcleanroom.so under $prefix"
for f in bin/cleanroom "$libdir/libcleanroom.so" "$libdir/libcleanroom.so.0" "$libdir/libcleanroom.a" \
         "$libdir/pkgconfig/cleanroom.pc" "$libdir/cmake/cleanroom/cleanroomConfig.cmake" \
         "$libdir/cmake/cleanroom/cleanroomConfigVersion.cmake" "$libdir/cmake/cleanroom/cleanroomTargets.cmake" \
         include/cleanroom/cleanroom.h share/cleanroom/schema.json share/cleanroom/default.json \
         share/cleanroom/policies/default.json share/cleanroom/policies/strict.json \
         share/doc/cleanroom/LICENSE share/bash-completion/completions/cleanroom etc/apparmor.d/cleanroom; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ "$(readlink "$prefix/$libdir/libcleanroom.so")" = libcleanroom.so.0 ] || fail "libcleanroom.so does not point to the soname"
for page in "$src"/man/*.1 "$src"/man/*.5; do
  [ -e "$page" ] || continue
  section=${page##*.}
  [ -e "$prefix/share/man/man$section/${page##*/}" ] || fail "man page ${page##*/} not installed"
done
"$prefix/bin/cleanroom" --version >/dev/null || fail "the installed cleanroom does not run"
grep -q "^profile cleanroom $prefix/bin/cleanroom " "$prefix/etc/apparmor.d/cleanroom" ||
  fail "the AppArmor profile does not name the installed binary"

# DESTDIR: the same tree below it, nothing written to the prefix itself.
cmake -E env DESTDIR="$dir/stage" cmake --install "$build" --prefix /opt/cleanroom-test >/dev/null ||
  fail "cmake --install with DESTDIR"
[ -e "$dir/stage/opt/cleanroom-test/include/cleanroom/cleanroom.h" ] || fail "DESTDIR: no header below it"
grep -q "^profile cleanroom /opt/cleanroom-test/bin/cleanroom " "$dir/stage/opt/cleanroom-test/etc/apparmor.d/cleanroom" ||
  fail "DESTDIR: the AppArmor profile names the staging path, not the prefix"
[ ! -e /opt/cleanroom-test ] || fail "DESTDIR: wrote to /opt/cleanroom-test itself"

# A user's build finds it through PKG_CONFIG_PATH or CMAKE_PREFIX_PATH only.
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
[ "$(pkg-config --modversion cleanroom)" = "$(sed -n 's/^#define CLEANROOM_VERSION_STRING "\(.*\)"$/\1/p' \
     "$prefix/include/cleanroom/cleanroom.h")" ] || fail "cleanroom.pc's version is not the header's"
cc=${CC:-cc}
check() { # NAME BINARY
  echo "== c-host ($1)"
  sh "$src/examples/c-host/check.sh" "$2" || fail "c-host built with $1"
}
# shellcheck disable=SC2046,SC2086
$cc $extra -o "$dir/c-host-shared" "$src/examples/c-host/c-host.c" $(pkg-config --cflags --libs cleanroom) ||
  fail "c-host does not build with pkg-config --cflags --libs cleanroom"
ldd "$dir/c-host-shared" | grep -q "libcleanroom.so.0 => $prefix/" && fail "c-host-shared: expected no rpath to the prefix"
LD_LIBRARY_PATH="$prefix/$libdir" ldd "$dir/c-host-shared" | grep -q "libcleanroom.so.0 => $prefix/$libdir/" ||
  fail "c-host-shared is not linked with the installed libcleanroom.so.0"
LD_LIBRARY_PATH="$prefix/$libdir" check "pkg-config, shared" "$dir/c-host-shared"

# shellcheck disable=SC2046,SC2086
$cc $extra -o "$dir/c-host-static" "$src/examples/c-host/c-host.c" $(pkg-config --static --cflags cleanroom) \
  "$prefix/$libdir/libcleanroom.a" $(pkg-config --static --libs-only-l cleanroom | sed 's/-lcleanroom//') ||
  fail "c-host does not build with pkg-config --static"
ldd "$dir/c-host-static" | grep -q libcleanroom && fail "c-host-static still needs libcleanroom.so"
check "pkg-config --static" "$dir/c-host-static"

mkdir "$dir/cmake-user"
cat >"$dir/cmake-user/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(c_host_user C)
find_package(cleanroom 0.2 REQUIRED)
add_executable(c-host "$src/examples/c-host/c-host.c")
target_compile_options(c-host PRIVATE $extra)
target_link_options(c-host PRIVATE $extra)
target_link_libraries(c-host PRIVATE cleanroom::cleanroom)
CMAKE
cmake -S "$dir/cmake-user" -B "$dir/cmake-user/build" -DCMAKE_PREFIX_PATH="$prefix" >"$dir/cmake.log" 2>&1 ||
  { cat "$dir/cmake.log"; fail "find_package(cleanroom) in a CMake project"; }
cmake --build "$dir/cmake-user/build" >"$dir/cmake.log" 2>&1 || { cat "$dir/cmake.log"; fail "building against cleanroom::cleanroom"; }
check "find_package(cleanroom)" "$dir/cmake-user/build/c-host"
echo "install_prefix: ok"
