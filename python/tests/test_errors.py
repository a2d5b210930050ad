"""Bad input raises ValueError or RuntimeError (with the C library's message
where the C library is the one that finds the fault); nothing crashes."""

import os

import numpy as np
import pytest

import small
from conftest import TFLITE_MODELS

DSCNN = os.path.join(TFLITE_MODELS, "dscnn.int8.tflite")


@pytest.fixture
def interpreter():
    it = small.Interpreter(model_path=DSCNN)
    it.allocate_tensors()
    return it


def test_wrong_shape(interpreter):
    with pytest.raises(ValueError, match="Dimension mismatch"):
        interpreter.set_tensor(0, np.zeros((1, 49, 10), dtype=np.int8))


def test_wrong_dtype(interpreter):
    with pytest.raises(ValueError, match="FLOAT32 but expected type INT8"):
        interpreter.set_tensor(0, np.zeros((1, 49, 10, 1), dtype=np.float32))


@pytest.mark.parametrize("index", [-1, 2, 1000])
def test_wrong_index(interpreter, index):
    with pytest.raises(ValueError, match="Invalid tensor index"):
        interpreter.get_tensor(index)
    with pytest.raises(ValueError, match="Invalid tensor index"):
        interpreter.set_tensor(index, np.zeros((1, 49, 10, 1), np.int8))


def test_setting_an_output(interpreter):
    with pytest.raises(ValueError, match="output"):
        interpreter.set_tensor(1, np.zeros((1, 12), dtype=np.int8))


def test_invoke_before_allocate_tensors():
    it = small.Interpreter(model_path=DSCNN)
    with pytest.raises(RuntimeError, match="allocate_tensors"):
        it.invoke()


def test_corrupt_model_names_the_c_library_fault():
    with open(DSCNN, "rb") as f:
        data = bytearray(f.read())
    truncated = bytes(data[:len(data) // 3])
    with pytest.raises(ValueError, match="small_tflite"):
        small.Interpreter(model_content=truncated)
    # A flatbuffer whose root offset points past the end.
    data[0:4] = (len(data) + 100).to_bytes(4, "little")
    with pytest.raises(ValueError, match="small_tflite"):
        small.Interpreter(model_content=bytes(data))
    # Neither TFLite nor ONNX: the ONNX importer's message (or, built
    # without it, that the library has none).
    with pytest.raises(ValueError, match="ONNX"):
        small.Interpreter(model_content=b"\x07" * 64)


def test_unknown_keyword_is_refused_tflite_ones_accepted():
    with pytest.raises(TypeError, match="num_thread"):
        small.Interpreter(model_path=DSCNN, num_thread=2)
    small.Interpreter(model_path=DSCNN, experimental_preserve_all_tensors=True)


def test_bad_rounding_and_threads():
    with pytest.raises(ValueError, match="rounding"):
        small.Interpreter(model_path=DSCNN, rounding="nearest")
    with pytest.raises(ValueError, match="num_threads"):
        small.Interpreter(model_path=DSCNN, num_threads=-5)


def test_missing_file():
    with pytest.raises(ValueError, match="Could not open"):
        small.Interpreter(model_path="/nonexistent/model.tflite")


def test_resize_to_another_shape_is_refused(interpreter):
    interpreter.resize_tensor_input(0, [1, 49, 10, 1])
    with pytest.raises(ValueError, match="cannot resize"):
        interpreter.resize_tensor_input(0, [2, 49, 10, 1])


def test_network_errors_carry_the_c_message():
    net = small.Network()
    x = net.input((1, 3, 4, 4))
    with pytest.raises(ValueError, match="groups"):
        net.conv2d(x, np.zeros((4, 2, 3, 3), np.float32), groups=2)
    with pytest.raises(ValueError, match="tensor id 77"):
        net.softmax(77)
    with pytest.raises(RuntimeError, match="no output"):
        net.finalize()
