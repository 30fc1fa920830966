#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seccomp features' own costs (issue 15), measured side by side in one
run, medians of interleaved rounds:

- learn mode: a syscall-heavy payload (dd, one byte at a time: a read and a
  write per byte) under `cleanroom run` against `cleanroom learn`, where the
  init answers every call;
- a refused call: a loop of N keyctl calls (refused with EPERM under
  "default", so the init is notified and answers each) against the same
  loop of N getppid calls (allowed, never leaves the kernel); the
  difference over N is what one reported refusal costs.

The launch cost of "default" with refusal reporting against a build without
it is bench/run.sh's baseline row (--baseline).

    bench/seccomp_bench.py --cleanroom build/cli/cleanroom [--rounds 15] [--bytes 200000] [--calls 20000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

LOOP = ("import ctypes; libc = ctypes.CDLL(None)\n"
        "nr = %d\n"
        "for _ in range(%d): libc.syscall(nr, 0, 0, 0)\n")
KEYCTL, GETPPID = 250, 110  # x86-64


def timed(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("seccomp_bench: %s exited with %d" % (" ".join(cmd), p.returncode))
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cleanroom", required=True)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--bytes", type=int, default=200000)
    ap.add_argument("--calls", type=int, default=20000)
    args = ap.parse_args()
    cr = os.path.abspath(args.cleanroom)
    with tempfile.TemporaryDirectory() as tmp:
        learned = os.path.join(tmp, "learned.json")
        dd = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=%d" % args.bytes]
        cases = {
            "dd, run": [cr, "run", "--"] + dd,
            "dd, learn": [cr, "learn", "--output", learned, "--"] + dd,
            "getppid loop": [cr, "run", "--", "/usr/bin/python3", "-c", LOOP % (GETPPID, args.calls)],
            "keyctl loop (refused, reported)": [cr, "run", "--", "/usr/bin/python3", "-c", LOOP % (KEYCTL, args.calls)],
        }
        times = {name: [] for name in cases}
        for r in range(args.rounds):
            names = list(cases)
            names = names[r % len(names):] + names[:r % len(names)]  # the order rotated each round
            for name in names:
                times[name].append(timed(cases[name]))
    med = {name: statistics.median(t) for name, t in times.items()}
    print("seccomp features, %d interleaved rounds, %s, kernel %s, %d CPUs" %
          (args.rounds, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.uname().release, os.cpu_count()))
    print()
    print("| case | median ms |")
    print("| --- | ---: |")
    for name in cases:
        print("| %s | %.1f |" % (name, med[name] * 1000))
    print()
    syscalls = 2 * args.bytes
    print("| derived | value |")
    print("| --- | ---: |")
    print("| learn / run, dd of %d bytes (%d read+write calls) | %.1f x |" %
          (args.bytes, syscalls, med["dd, learn"] / med["dd, run"]))
    print("| learn: cost per observed call | %.1f us |" %
          ((med["dd, learn"] - med["dd, run"]) / syscalls * 1e6))
    print("| one reported refusal (keyctl loop - getppid loop) / %d | %.1f us |" %
          (args.calls, (med["keyctl loop (refused, reported)"] - med["getppid loop"]) / args.calls * 1e6))


if __name__ == "__main__":
    main()
