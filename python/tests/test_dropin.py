"""tflite_runtime_script.py, a script written against tflite_runtime's API
with only its import changed, runs unchanged and prints LiteRT's bytes."""

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import TFLITE_MODELS

SCRIPT = os.path.join(os.path.dirname(__file__), "tflite_runtime_script.py")


@pytest.mark.parametrize("model,sample", [("dscnn", "dscnn"),
                                          ("resnet8", "resnet8.2")])
def test_tflite_runtime_script_runs_unchanged(model, sample):
    path = os.path.join(TFLITE_MODELS, f"{model}.int8.tflite")
    sample_path = os.path.join(TFLITE_MODELS, f"{sample}.int8.input.bin")
    out = subprocess.run([sys.executable, SCRIPT, path, sample_path],
                         check=True, capture_output=True, text=True).stdout
    want = np.fromfile(os.path.join(TFLITE_MODELS,
                                    f"{sample}.int8.litert.bin"), np.int8)
    lines = out.splitlines()
    assert lines[0] == "output " + want.tobytes().hex()
    top = int(np.argmax(want))
    score = (int(want[top]) + 128) / 256
    assert lines[1] == f"class {top} score {score:.4f}"
