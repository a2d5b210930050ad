#!/usr/bin/env python3
"""Python-vs-C latency of the MLPerf Tiny int8 models, and the per-invoke
overhead small.Interpreter adds on the AutoEncoder.

For each model: the median latency of Interpreter.invoke() (Python) next to
the median small-run --bench measures for the same .tflite, rounding and
threads (C, the same library called from C++ without Python); each side is
measured --rounds times, alternating, and the lowest median kept, so that a
burst of load on the machine does not land on one side only. The Python
overhead per invoke is the difference on the AutoEncoder, the smallest
model (target: under 5 us); the part of it spent in small.Interpreter
itself (over a bare ctypes call of small_network_run_int8) is measured in
process and printed too.

Usage: python3 benchmarks/python/python_vs_c.py [--runs N] [--threads T]
                                                [--small-run PATH]
Needs the `small` package (installed, or PYTHONPATH=python with
SMALL_LIBRARY=build/libsmall_runtime.so) and small-run (default
build/onnx/small-run).
"""

import argparse
import os
import re
import statistics
import subprocess
import time

import numpy as np

from small import Interpreter

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir,
                                    os.pardir))
MODELS = os.path.join(REPO, "models", "mlperf_tiny_tflite")
NETWORKS = ["autoencoder", "dscnn", "resnet8", "mobilenet_vww"]


def interpreter(model, threads):
    it = Interpreter(model_path=model, num_threads=threads)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    sample = model.replace(".tflite", ".input.bin")
    it.set_tensor(inp["index"], np.fromfile(sample, dtype=inp["dtype"])
                  .reshape(inp["shape"]))
    it.invoke()  # warm-up, as small-run does
    return it


def median_us(call, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1000.0


def wrapper_overhead_us(it, runs):
    """invoke() minus the same C call made bare through ctypes."""
    run, args = it._run, it._run_args
    return median_us(it.invoke, runs) - median_us(lambda: run(*args), runs)


def c_median_us(small_run, model, runs, threads):
    out = subprocess.run(
        [small_run, model, "--input", model.replace(".tflite", ".input.bin"),
         "--rounding", "single", "--bench", str(runs), "--threads",
         str(threads), "--quiet"],
        check=True, capture_output=True, text=True).stdout
    found = re.search(r"median_us=([0-9.]+)", out)
    if not found:
        raise RuntimeError(f"small-run printed no median_us: {out!r}")
    return float(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small-run",
                        default=os.path.join(REPO, "build", "onnx",
                                             "small-run"))
    args = parser.parse_args()
    print(f"{'network':<16}{'python_us':>12}{'c_us':>12}{'python/c':>10}")
    results = {}
    for net in NETWORKS:
        model = os.path.join(MODELS, f"{net}.int8.tflite")
        it = interpreter(model, args.threads)
        py, c = [], []
        for _ in range(args.rounds):
            py.append(median_us(it.invoke, args.runs))
            c.append(c_median_us(args.small_run, model, args.runs,
                                 args.threads))
        results[net] = (min(py), min(c), it)
        print(f"{net:<16}{min(py):>12.1f}{min(c):>12.1f}"
              f"{min(py) / min(c):>10.3f}")
    py, c, it = results["autoencoder"]
    print(f"python overhead per invoke (autoencoder): {py - c:.2f} us "
          "(target < 5 us)")
    print(f"  of which small.Interpreter over a bare ctypes call: "
          f"{wrapper_overhead_us(it, args.runs):.2f} us")


if __name__ == "__main__":
    main()
