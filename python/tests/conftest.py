"""Shared paths for the package's tests. They import `small` from
PYTHONPATH or the installed package; SMALL_LIBRARY may name the native
library (ctest passes the build's libsmall_runtime.so)."""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TFLITE_MODELS = os.path.join(REPO, "models", "mlperf_tiny_tflite")
ONNX_MODELS = os.path.join(REPO, "models", "mlperf_tiny")
