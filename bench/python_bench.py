#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python rows of bench/run.sh, side by side in one run:

- a trivial function, called N times: cleanroom.call vs a multiprocessing
  Process per call with the spawn and the forkserver start methods
  (interleaved: each round runs each once);
- SandboxExecutor vs ProcessPoolExecutor (spawn), the same number of
  workers, started and warmed first: the round-trip latency of one task at a
  time (median) and the throughput of many tasks submitted at once.

    PYTHONPATH=BUILD/python python3 bench/python_bench.py [--calls N] [--tasks N] [--workers N]

Prints Markdown (bench/README.md explains the rows)."""
import argparse
import datetime
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, wait

import cleanroom


def trivial(x=0):
    return x


def per_call_process(ctx):
    t0 = time.perf_counter_ns()
    p = ctx.Process(target=trivial)
    p.start()
    p.join()
    if p.exitcode != 0:
        raise SystemExit("a %s Process failed: exit %s" % (ctx.get_start_method(), p.exitcode))
    return time.perf_counter_ns() - t0


def per_call_cleanroom():
    t0 = time.perf_counter_ns()
    if cleanroom.call(trivial, 1) != 1:
        raise SystemExit("cleanroom.call returned a wrong value")
    return time.perf_counter_ns() - t0


def executor_rows(make, workers, roundtrips, tasks):
    with make(workers) as ex:
        list(ex.map(trivial, range(workers * 4)))  # all workers started and warm
        lat = []
        for i in range(roundtrips):
            t0 = time.perf_counter_ns()
            ex.submit(trivial, i).result()
            lat.append(time.perf_counter_ns() - t0)
        t0 = time.perf_counter_ns()
        futures = [ex.submit(trivial, i) for i in range(tasks)]
        wait(futures)
        elapsed = time.perf_counter_ns() - t0
        if any(f.result() != i for i, f in enumerate(futures)):
            raise SystemExit("an executor returned a wrong value")
    return statistics.median(lat), tasks / (elapsed / 1e9)


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=200, help="calls per method (default 200)")
    ap.add_argument("--tasks", type=int, default=5000, help="tasks for the throughput rows (default 5000)")
    ap.add_argument("--roundtrips", type=int, default=500, help="one-at-a-time tasks (default 500)")
    ap.add_argument("--workers", type=int, default=2, help="workers of both executors (default 2)")
    args = ap.parse_args()

    spawn = multiprocessing.get_context("spawn")
    forkserver = multiprocessing.get_context("forkserver")
    per_call_process(forkserver)  # its server started outside the timing
    per_call_cleanroom()  # the filter cache warm
    samples = {"cleanroom": [], "spawn": [], "forkserver": []}
    runs = [("cleanroom", per_call_cleanroom), ("spawn", lambda: per_call_process(spawn)),
            ("forkserver", lambda: per_call_process(forkserver))]
    for r in range(args.calls):
        for k in range(len(runs)):
            name, fn = runs[(r + k) % len(runs)]
            samples[name].append(fn())
    sx_lat, sx_rate = executor_rows(lambda n: cleanroom.SandboxExecutor(n), args.workers, args.roundtrips, args.tasks)
    pp_lat, pp_rate = executor_rows(lambda n: ProcessPoolExecutor(n, mp_context=spawn), args.workers,
                                    args.roundtrips, args.tasks)

    ms = lambda ns: "%.2f" % (ns / 1e6)  # noqa: E731
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print("### Python: %d calls of a trivial function each, interleaved; executors of %d workers"
          % (args.calls, args.workers))
    print()
    print("%s · Linux %s · %s CPUs · Python %s · as %s" % (now, platform.release(), os.cpu_count(),
                                                         platform.python_version(),
                                                         "root" if os.geteuid() == 0 else "uid %d" % os.geteuid()))
    print()
    print("| per call | median ms | p10 ms | p90 ms |")
    print("| --- | ---: | ---: | ---: |")
    labels = {"cleanroom": "cleanroom.call(f) (a fresh interpreter in a sandbox, value returned)",
              "spawn": "multiprocessing spawn: a Process per call", "forkserver": "multiprocessing forkserver: a "
              "Process per call"}
    for name in ("cleanroom", "spawn", "forkserver"):
        s = samples[name]
        print("| %s | %s | %s | %s |" % (labels[name], ms(statistics.median(s)), ms(pct(s, 0.1)), ms(pct(s, 0.9))))
    print()
    print("| executor | round trip median ms | tasks/s (%d submitted at once) |" % args.tasks)
    print("| --- | ---: | ---: |")
    print("| cleanroom.SandboxExecutor | %s | %.0f |" % (ms(sx_lat), sx_rate))
    print("| ProcessPoolExecutor (spawn) | %s | %.0f |" % (ms(pp_lat), pp_rate))
    print()
    call_ratio = statistics.median(samples["cleanroom"]) / statistics.median(samples["spawn"])
    print("| ratio | value | target (issue 13) |")
    print("| --- | ---: | ---: |")
    print("| cleanroom.call / spawn Process, per call (median) | %.2f | ≤ 1.10 |" % call_ratio)
    print("| cleanroom.call / forkserver Process, per call (median) | %.2f | — |"
          % (statistics.median(samples["cleanroom"]) / statistics.median(samples["forkserver"])))
    print("| SandboxExecutor / ProcessPoolExecutor, tasks/s | %.2f | ≥ 0.80 |" % (sx_rate / pp_rate))
    print("| SandboxExecutor / ProcessPoolExecutor, round trip (median) | %.2f | — |" % (sx_lat / pp_lat))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
