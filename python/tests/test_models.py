"""The MLPerf Tiny models through small.Interpreter give exactly the
shipped reference bytes: LiteRT's (*.litert.bin) with the default single
rounding, TFLite's reference kernels' (*.expected.bin) with
rounding="double"."""

import os

import numpy as np
import pytest

import small
from conftest import ONNX_MODELS, TFLITE_MODELS

SAMPLES = [("resnet8", "resnet8"), ("resnet8", "resnet8.2"),
           ("dscnn", "dscnn"), ("dscnn", "dscnn.2"),
           ("mobilenet_vww", "mobilenet_vww"),
           ("mobilenet_vww", "mobilenet_vww.2"),
           ("autoencoder", "autoencoder"),
           ("streaming_wakeword", "streaming_wakeword.class0"),
           ("streaming_wakeword", "streaming_wakeword.class1"),
           ("streaming_wakeword", "streaming_wakeword.class2")]


def path(name):
    return os.path.join(TFLITE_MODELS, name)


def run_int8(model, sample, **kwargs):
    it = small.Interpreter(model_path=path(f"{model}.int8.tflite"), **kwargs)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    assert inp["dtype"] == np.int8 and out["dtype"] == np.int8
    x = np.fromfile(path(f"{sample}.int8.input.bin"), dtype=np.int8)
    it.set_tensor(inp["index"], x.reshape(inp["shape"]))
    it.invoke()
    y = it.get_tensor(out["index"])
    assert y.dtype == np.int8 and list(y.shape) == list(out["shape"])
    return y


@pytest.mark.parametrize("model,sample", SAMPLES)
def test_default_rounding_gives_litert_bytes(model, sample):
    want = np.fromfile(path(f"{sample}.int8.litert.bin"), dtype=np.int8)
    np.testing.assert_array_equal(run_int8(model, sample).ravel(), want)


@pytest.mark.parametrize("model,sample", SAMPLES)
def test_double_rounding_gives_tflite_reference_bytes(model, sample):
    want = np.fromfile(path(f"{sample}.int8.expected.bin"), dtype=np.int8)
    got = run_int8(model, sample, rounding="double")
    np.testing.assert_array_equal(got.ravel(), want)


@pytest.mark.parametrize("model,sample", SAMPLES[:2])
def test_threads_give_the_same_bytes(model, sample):
    want = np.fromfile(path(f"{sample}.int8.litert.bin"), dtype=np.int8)
    got = run_int8(model, sample, num_threads=2)
    np.testing.assert_array_equal(got.ravel(), want)


def test_details_describe_the_model():
    it = small.Interpreter(model_path=path("dscnn.int8.tflite"))
    inp, = it.get_input_details()
    out, = it.get_output_details()
    assert list(inp["shape"]) == [1, 49, 10, 1]
    assert list(inp["shape_signature"]) == [-1, 49, 10, 1]
    assert inp["quantization"][1] == 83
    assert inp["quantization"][0] == pytest.approx(0.5847029, rel=1e-6)
    qp = inp["quantization_parameters"]
    assert list(qp["zero_points"]) == [83] and qp["quantized_dimension"] == 0
    assert list(out["shape"]) == [1, 12]
    assert out["quantization"] == (pytest.approx(1 / 256), -128)
    assert inp["index"] != out["index"]
    assert isinstance(inp["name"], str) and inp["name"]


def test_fp32_model_matches_litert():
    it = small.Interpreter(model_path=path("resnet8.fp32.tflite"))
    it.allocate_tensors()
    x = np.fromfile(path("resnet8.fp32.input.bin"), dtype=np.float32)
    it.set_tensor(0, x.reshape(1, 32, 32, 3))
    it.invoke()
    want = np.fromfile(path("resnet8.fp32.litert.bin"), dtype=np.float32)
    np.testing.assert_allclose(it.get_tensor(1).ravel(), want, atol=1e-5)


@pytest.mark.skipif(not small.interpreter._native.HAS_ONNX,
                    reason="libsmall_runtime.so built without ONNX importer")
def test_onnx_model_loads_with_nchw_shapes():
    model = os.path.join(ONNX_MODELS, "resnet8.onnx")
    with open(model, "rb") as f:
        it = small.Interpreter(model_content=f.read())
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    assert list(inp["shape"]) == [1, 3, 32, 32]
    x = np.fromfile(os.path.join(ONNX_MODELS, "resnet8.input.bin"),
                    dtype=np.float32)
    it.set_tensor(inp["index"], x.reshape(1, 3, 32, 32))
    it.invoke()
    want = np.fromfile(os.path.join(ONNX_MODELS, "resnet8.expected.bin"),
                       dtype=np.float32)
    np.testing.assert_allclose(it.get_tensor(out["index"]).ravel(), want,
                               atol=1e-5)


def test_tensor_is_a_view_of_the_buffer():
    it = small.Interpreter(model_path=path("autoencoder.int8.tflite"))
    it.allocate_tensors()
    x = np.fromfile(path("autoencoder.int8.input.bin"), dtype=np.int8)
    it.tensor(0)()[...] = x.reshape(1, 640)
    it.invoke()
    view = it.tensor(1)()
    want = np.fromfile(path("autoencoder.int8.litert.bin"), dtype=np.int8)
    np.testing.assert_array_equal(view.ravel(), want)
    it.set_tensor(0, np.zeros((1, 640), dtype=np.int8))
    it.invoke()
    assert view is it.tensor(1)()  # the same buffer, rewritten in place
    np.testing.assert_array_equal(view, it.get_tensor(1))


@pytest.mark.skipif(not small.interpreter._native.HAS_ONNX,
                    reason="libsmall_runtime.so built without ONNX importer")
def test_onnx_input_keeps_its_rank():
    it = small.Interpreter(model_path=os.path.join(ONNX_MODELS,
                                                   "autoencoder.onnx"))
    assert list(it.get_input_details()[0]["shape"]) == [1, 640]
    assert list(it.get_output_details()[0]["shape"]) == [1, 640]


def test_tensor_details_are_the_inputs_then_the_outputs():
    it = small.Interpreter(model_path=path("resnet8.int8.tflite"))
    details = it.get_tensor_details()
    assert [d["index"] for d in details] == [0, 1]
    assert [d["name"] for d in details] == [
        it.get_input_details()[0]["name"], it.get_output_details()[0]["name"]]
