"""SignatureDefs through get_signature_list / get_signature_runner, as
tflite_runtime exposes them (the streaming wake-word model has one; the
other MLPerf Tiny models none)."""

import os

import numpy as np
import pytest

import small
from conftest import TFLITE_MODELS


def path(name):
    return os.path.join(TFLITE_MODELS, name)


def test_signature_list():
    it = small.Interpreter(model_path=path("streaming_wakeword.int8.tflite"))
    assert it.get_signature_list() == {
        "serving_default": {"inputs": ["input_1"], "outputs": ["dense"]}}
    plain = small.Interpreter(model_path=path("resnet8.int8.tflite"))
    assert plain.get_signature_list() == {}


@pytest.mark.parametrize("sample", ["class0", "class1", "class2"])
def test_signature_runner_gives_litert_bytes(sample):
    it = small.Interpreter(model_path=path("streaming_wakeword.int8.tflite"))
    runner = it.get_signature_runner("serving_default")
    details = runner.get_input_details()["input_1"]
    assert list(details["shape_signature"]) == [-1, 30, 1, 40]
    x = np.fromfile(path(f"streaming_wakeword.{sample}.int8.input.bin"),
                    np.int8).reshape(details["shape"])
    result = runner(input_1=x)
    want = np.fromfile(path(f"streaming_wakeword.{sample}.int8.litert.bin"),
                       np.int8)
    assert list(result) == ["dense"]
    np.testing.assert_array_equal(result["dense"].ravel(), want)


def test_signature_runner_errors():
    it = small.Interpreter(model_path=path("streaming_wakeword.int8.tflite"))
    runner = it.get_signature_runner()  # the only signature
    x = np.zeros((1, 30, 1, 40), np.int8)
    with pytest.raises(ValueError, match="Invalid Input name"):
        runner(wrong=x)
    with pytest.raises(ValueError, match="Invalid number of inputs"):
        runner()
    with pytest.raises(ValueError, match="Dimension mismatch"):
        runner(input_1=np.zeros((1, 30, 40), np.int8))
    with pytest.raises(ValueError, match="does not exist"):
        it.get_signature_runner("train")
    plain = small.Interpreter(model_path=path("resnet8.int8.tflite"))
    with pytest.raises(ValueError, match="has 0 Signatures"):
        plain.get_signature_runner()
