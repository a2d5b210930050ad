#!/usr/bin/env python3
"""Before/after figures of two builds' network benches on a noisy machine.

usage: ab_network_bench.py N NET BENCH_A BENCH_B

Runs `BENCH --rounds 20 --threads 1 --net NET` of both builds N times each,
alternating which goes first. Each run prints SMaLL's fp32 ONNX median and
minimum and its ratio to oneDNN in that run (the peers are timed in the
same interleaved rounds, so the ratio holds within a run); the last line
gives each build's median and minimum over its runs and the median of the
per-pair ratios B/A.

env OPENBLAS_CORETYPE (default SkylakeX) is passed on, with
OPENBLAS_NUM_THREADS=1.
"""
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"dtype=fp32 format=onnx engine=(\S+) .*median_us=([\d.]+)"
                  r" min_us=([\d.]+)")


def run(bench, net, env):
    out = subprocess.run([bench, "--rounds", "20", "--threads", "1", "--net",
                          net], capture_output=True, text=True, env=env,
                         check=True).stdout
    return {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in map(LINE.search, out.splitlines()) if m}


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    n, net = int(sys.argv[1]), sys.argv[2]
    benches = sys.argv[3:5]
    env = dict(os.environ,
               OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE",
                                                "SkylakeX"),
               OPENBLAS_NUM_THREADS="1")
    small = ([], [])
    ratios = []
    for i in range(n):
        got = [None, None]
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):
            got[k] = run(benches[k], net, env)
            s = got[k]["small"]
            onednn = got[k].get("onednn")
            vs = f" small/onednn {s[0] / onednn[0]:.3f}" if onednn else ""
            print(f"{'AB'[k]} {net} small median {s[0]:.1f} min {s[1]:.1f}"
                  + vs, flush=True)
            small[k].append(s)
        ratios.append(got[1]["small"][0] / got[0]["small"][0])
    print(f"{net}: A median {statistics.median(s[0] for s in small[0]):.1f}"
          f" min {min(s[1] for s in small[0]):.1f} | B median "
          f"{statistics.median(s[0] for s in small[1]):.1f} min "
          f"{min(s[1] for s in small[1]):.1f} | B/A {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
