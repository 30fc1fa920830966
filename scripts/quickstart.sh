#!/bin/sh
# SPDX-License-Identifier: MIT
# Quick start: install what is missing, build, run examples/hello.json.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target cleanroom >/dev/null
exec ./build/cli/cleanroom run examples/hello.json
