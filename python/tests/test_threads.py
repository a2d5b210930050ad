"""Two Python threads, each with its own Interpreter, run at the same time
(invoke releases the GIL) and each gets the reference bytes every time."""

import ctypes
import os
import threading

import numpy as np

import small
from conftest import TFLITE_MODELS


def load(sample):
    return (np.fromfile(os.path.join(TFLITE_MODELS,
                                     f"{sample}.int8.input.bin"), np.int8),
            np.fromfile(os.path.join(TFLITE_MODELS,
                                     f"{sample}.int8.litert.bin"), np.int8))


def test_two_threads_two_interpreters():
    jobs = [("dscnn", "dscnn"), ("resnet8", "resnet8")]
    failures = []

    def work(model, sample):
        x, want = load(sample)
        it = small.Interpreter(model_path=os.path.join(
            TFLITE_MODELS, f"{model}.int8.tflite"))
        it.allocate_tensors()
        inp = it.get_input_details()[0]
        out = it.get_output_details()[0]
        for _ in range(50):
            it.set_tensor(inp["index"], x.reshape(inp["shape"]))
            it.invoke()
            if not np.array_equal(it.get_tensor(out["index"]).ravel(), want):
                failures.append(sample)
                return

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_foreign_calls_release_the_gil():
    # ctypes releases the GIL around a call unless the library was loaded
    # as a PyDLL (the FUNCFLAG_PYTHONAPI flag): the invokes above overlap.
    lib = small.interpreter._native.LIB
    assert isinstance(lib, ctypes.CDLL)
    assert not lib._func_flags_ & ctypes._FUNCFLAG_PYTHONAPI
