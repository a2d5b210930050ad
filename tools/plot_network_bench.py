#!/usr/bin/python3
"""Bar chart of small_network_bench's CSV: median latency per network per
engine (log scale, lower is better). Usage: plot_network_bench.py CSV PNG.
Needs Debian's python3-matplotlib (run with /usr/bin/python3)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(csv_path, png_path):
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("chart: no rows in", csv_path)
        return 1
    # With several thread counts (--threads), each engine and count is a bar.
    counts = list(dict.fromkeys(r["threads"] for r in rows))
    for r in rows:
        if len(counts) > 1:
            r["engine"] = f'{r["engine"]} x{r["threads"]}'
        # The .tflite models (int8 and fp32) are groups of their own.
        if r.get("format", "onnx") != "onnx":
            r["net"] = f'{r["net"]}\n{r["format"]} {r["dtype"]}'
    nets = list(dict.fromkeys(r["net"] for r in rows))
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    isa = rows[0]["isa"]
    latency = {(r["net"], r["engine"]): float(r["median_us"]) for r in rows}
    width = 0.8 / len(engines)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, engine in enumerate(engines):
        xs, ys = [], []
        for j, net in enumerate(nets):
            if (net, engine) in latency:
                xs.append(j + (i - (len(engines) - 1) / 2) * width)
                ys.append(latency[(net, engine)])
        bars = ax.bar(xs, ys, width, label=engine)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    ax.set_xticks(range(len(nets)), nets)
    ax.set_yscale("log")
    ax.set_ylabel("median latency, µs (log; lower is better)")
    threads = "/".join(counts)
    ax.set_title(f"MLPerf Tiny end to end, threads {threads}, "
                 f"SMaLL build isa={isa}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)
    print("chart:", png_path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
