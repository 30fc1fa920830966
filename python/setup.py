# SPDX-License-Identifier: MIT
"""Builds the cleanroom._cleanroom extension against libcleanroom (the rest
is in pyproject.toml). Where libcleanroom is:

- an installed one, found by pkg-config (``cleanroom.pc``; set
  PKG_CONFIG_PATH for a prefix pkg-config does not search), or
- a build tree: CLEANROOM_BUILD_DIR=BUILD (a CMake build folder; the
  header comes from its source tree).

The extension records where libcleanroom.so is (an rpath) when that is not
a folder the dynamic linker searches anyway."""
import os
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_LIB_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib",
                   "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu")


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config"] + list(args) + ["cleanroom"], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise SystemExit("cleanroom: libcleanroom not found by pkg-config (%s).\nInstall it first "
                         "(cmake --install BUILD, and PKG_CONFIG_PATH=PREFIX/lib/pkgconfig for a prefix of "
                         "your own), or set CLEANROOM_BUILD_DIR to a CMake build folder." % detail.strip())
    return out.stdout.split()


def where_is_libcleanroom():
    build = os.environ.get("CLEANROOM_BUILD_DIR")
    if build:
        build = os.path.abspath(build)
        lib = os.path.join(build, "lib")
        if not os.path.exists(os.path.join(lib, "libcleanroom.so")):
            raise SystemExit("cleanroom: CLEANROOM_BUILD_DIR=%s holds no lib/libcleanroom.so: build it first "
                             "(cmake --build %s)" % (build, build))
        source = None
        with open(os.path.join(build, "CMakeCache.txt")) as cache:
            for line in cache:
                if line.startswith("cleanroom_SOURCE_DIR:"):
                    source = line.split("=", 1)[1].strip()
        if not source:
            raise SystemExit("cleanroom: %s/CMakeCache.txt does not name cleanroom's source folder" % build)
        return [os.path.join(source, "include")], [lib]
    includes = [f[2:] for f in pkg_config("--cflags-only-I") if f.startswith("-I")]
    libdirs = [f[2:] for f in pkg_config("--libs-only-L") if f.startswith("-L")]
    return includes, libdirs


includes, libdirs = where_is_libcleanroom()
rpath = [d for d in libdirs if os.path.realpath(d) not in SYSTEM_LIB_DIRS]

setup(ext_modules=[Extension("cleanroom._cleanroom", ["src/_cleanroom.c"], include_dirs=includes,
                             library_dirs=libdirs, libraries=["cleanroom"], runtime_library_dirs=rpath)])
