#!/usr/bin/env python3
"""Keyword spotting with small.Interpreter: classifies the shipped sample
(MFCC features of one second of speech) with MLPerf Tiny's DS-CNN int8
model and prints the label, its score and the latency of one invoke.

Usage: python3 examples/python/kws.py [MODEL.tflite INPUT.bin]
(defaults: models/mlperf_tiny_tflite/dscnn.int8.tflite and
dscnn.int8.input.bin). Needs the `small` package (pip install ./python, or
PYTHONPATH=python with SMALL_LIBRARY naming a built libsmall_runtime.so).
"""

import os
import sys
import time

import numpy as np

from small import Interpreter

# The classes of MLPerf Tiny's keyword-spotting model (Speech Commands v2),
# in the order of its outputs.
LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up",
          "yes", "silence", "unknown"]
MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                      os.pardir, "models", "mlperf_tiny_tflite")


def main(model_path, input_path):
    interpreter = Interpreter(model_path=model_path)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    features = np.fromfile(input_path, dtype=inp["dtype"])
    interpreter.set_tensor(inp["index"], features.reshape(inp["shape"]))
    interpreter.invoke()  # the first run touches the memory: not timed
    runs = 100
    start = time.perf_counter()
    for _ in range(runs):
        interpreter.invoke()
    latency_us = (time.perf_counter() - start) / runs * 1e6
    scores = interpreter.get_tensor(out["index"]).ravel()
    scale, zero_point = out["quantization"]
    if scale:
        scores = (scores.astype(np.float32) - zero_point) * scale
    top = int(np.argmax(scores))
    print(f"label: {LABELS[top]}")
    print(f"score: {scores[top]:.4f}")
    print(f"latency: {latency_us:.1f} us per invoke (mean of {runs})")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    elif len(sys.argv) == 1:
        main(os.path.join(MODELS, "dscnn.int8.tflite"),
             os.path.join(MODELS, "dscnn.int8.input.bin"))
    else:
        sys.exit(__doc__)
