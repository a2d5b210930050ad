#!/usr/bin/env python3
"""Before/after figures of two builds' layer benches on a noisy machine.

usage: ab_layer_bench.py N FILTER BENCH_A BENCH_B [fp32|int8]

Runs `BENCH --dtype D --filter FILTER` of both builds N times after one
discarded warm-up pair, alternating which goes first (A B, B A, ...): the
second of two back-to-back runs of the same filter measured up to 20%
faster, so a fixed order biases the result. Per layer it prints, for the
isolated and the in-network column, the median over runs of each build,
the minimum (on a shared host the least disturbed run), and the median of
the per-pair ratios B/A.

env OPENBLAS_CORETYPE (default SkylakeX) is passed on, with
OPENBLAS_NUM_THREADS=1.
"""
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"layer=(\S+) engine=small .*median_us=([\d.]+)"
                  r"(?:.*in_network_us=([\d.]+))?")


def run(bench, dtype, pattern, env):
    out = subprocess.run([bench, "--dtype", dtype, "--filter", pattern],
                         capture_output=True, text=True, env=env,
                         check=True).stdout
    layers = {}
    for line in out.splitlines():
        m = LINE.search(line)
        if m:
            iso = float(m.group(2))
            layers[m.group(1)] = (iso, float(m.group(3) or iso))
    return layers


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    n, pattern = int(sys.argv[1]), sys.argv[2]
    benches = sys.argv[3:5]
    dtype = sys.argv[5] if len(sys.argv) == 6 else "fp32"
    env = dict(os.environ,
               OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE",
                                                "SkylakeX"),
               OPENBLAS_NUM_THREADS="1")
    runs = ({}, {})
    ratios = {}
    for i in range(-1, n):
        got = [None, None]
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):
            got[k] = run(benches[k], dtype, pattern, env)
        if i < 0:
            continue
        for layer, a in got[0].items():
            b = got[1].get(layer)
            if b is None:
                continue
            runs[0].setdefault(layer, []).append(a)
            runs[1].setdefault(layer, []).append(b)
            ratios.setdefault(layer, []).append((b[0] / a[0], b[1] / a[1]))
    for layer in runs[0]:
        cols = []
        for c, name in ((0, "iso"), (1, "in-net")):
            a = [r[c] for r in runs[0][layer]]
            b = [r[c] for r in runs[1][layer]]
            ratio = statistics.median(r[c] for r in ratios[layer])
            cols.append(f"{name} med {statistics.median(a):7.2f} -> "
                        f"{statistics.median(b):7.2f} min {min(a):7.2f} -> "
                        f"{min(b):7.2f} ratio {ratio:5.3f}")
        print(f"{layer:22s} " + " | ".join(cols))


if __name__ == "__main__":
    main()
