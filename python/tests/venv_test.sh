#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest python_venv_root / python_venv_nobody: cleanroom as a user installs
# it. libcleanroom is installed into a temporary prefix (cmake --install),
# the package into a fresh venv with the one documented command (pip,
# offline, against that prefix through pkg-config), and the pytest suite
# runs with the venv's interpreter. Also checks that the package the prefix
# got from cmake --install imports and runs from there.
#   venv_test.sh BUILD_DIR SOURCE_DIR PYTHON root|nobody
set -eu
build=$1 src=$2 python=$3 who=$4
[ "$who" = root ] || [ "$(id -u)" = 0 ] || { echo "python_venv_nobody: SKIP: needs root to become uid 65534"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cd "$dir"  # not the build folder: python -c imports from the current one
cmake --install "$build" --prefix "$dir/prefix" >/dev/null
libdir=$(cd "$dir/prefix" && dirname "$(ls lib*/libcleanroom.so lib/*/libcleanroom.so 2>/dev/null | head -n 1)")
cp -r "$src/python" "$dir/src"
"$python" -m venv --system-site-packages "$dir/venv"
# the documented command (python/README.md)
PKG_CONFIG_PATH="$dir/prefix/$libdir/pkgconfig" "$dir/venv/bin/pip" install --quiet --no-build-isolation \
  --no-index --no-deps "$dir/src"
"$dir/venv/bin/python" -c 'import cleanroom, cleanroom._cleanroom as n; print("venv package:", cleanroom.__file__, n.library_version)'
site=$(cd "$dir/prefix" && ls -d lib/python3*/*-packages | head -n 1)
[ -e "$dir/prefix/$site/cleanroom/__init__.py" ] || { echo "FAIL: cmake --install put no cleanroom package in $site"; exit 1; }
PYTHONPATH="$dir/prefix/$site" "$python" -c '
import cleanroom
r = cleanroom.run(["echo", "from the cmake-installed package"], capture_output=True, text=True)
assert r.returncode == 0 and r.stdout == "from the cmake-installed package\n", r
assert cleanroom.__file__.startswith(__import__("sys").argv[1]), cleanroom.__file__
print("cmake --install package: ok")' "$dir/prefix"
chmod -R a+rX "$dir"
exec "$python" "$src/python/tests/run_tests.py" --as "$who" --python "$dir/venv/bin/python" \
  --cli "$dir/prefix/bin/cleanroom"
