"""The C ABI through ctypes: finding libsmall_runtime.so and the signatures
of the functions the package calls (the structs of small.h: _abi.py).

Every call goes through ``check``: a non-zero small_status becomes a
ValueError (the caller's input is at fault) or a RuntimeError (the state of
the network or the machine), carrying small_last_error()'s message.
ctypes releases the GIL around every foreign call (CDLL, not PyDLL), so a
network runs while other Python threads proceed.
"""

import ctypes
import os

from ._abi import (  # noqa: F401 (re-exported for the package)
    OK,
    ERR_NULL_POINTER,
    ERR_INVALID_ARGUMENT,
    ERR_SHAPE_MISMATCH,
    ERR_UNSUPPORTED,
    ERR_NOT_FOUND,
    ERR_PARSE,
    ERR_IO,
    LAYOUT_NCHW,
    LAYOUT_NHWC,
    DTYPE_FLOAT32,
    DTYPE_INT8,
    ROUNDING_DOUBLE,
    ROUNDING_SINGLE,
    PADDING_EXPLICIT,
    PADDING_SAME,
    PADDING_VALID,
    POOL_MAX,
    POOL_AVG,
    ACTIVATIONS,
    Activation,
    Conv2dParams,
    Pool2dParams,
    Quant,
    TfliteOptions,
    SignatureTensor,
    OnnxOptions)

LIBRARY_NAME = "libsmall_runtime.so"

# Statuses that mean the caller passed something wrong: ValueError, as
# tflite_runtime raises for a bad model, shape, dtype or index.
_VALUE_ERRORS = {ERR_NULL_POINTER, ERR_INVALID_ARGUMENT, ERR_SHAPE_MISMATCH,
                 ERR_UNSUPPORTED, ERR_NOT_FOUND, ERR_PARSE, ERR_IO}

_P = ctypes.POINTER
_status = ctypes.c_int
_ptr = ctypes.c_void_p
_size = ctypes.c_size_t
_u32 = ctypes.c_uint32
_tensor = ctypes.c_int32
_dims4 = _P(ctypes.c_uint32)
_i64_4 = _P(ctypes.c_int64)
_floats = _P(ctypes.c_float)

# name: (restype, argtypes). The network-building entry points take the
# tensor id out-parameter last.
_CORE = {
    "small_version_string": (ctypes.c_char_p, []),
    "small_last_error": (ctypes.c_char_p, []),
    "small_status_string": (ctypes.c_char_p, [ctypes.c_int]),
    "small_conv2d_params_init": (None, [_P(Conv2dParams)]),
    "small_pool2d_params_init": (None, [_P(Pool2dParams)]),
    "small_activation_make": (Activation, [ctypes.c_int]),
    "small_network_create": (_status, [_P(_ptr)]),
    "small_network_destroy": (None, [_ptr]),
    "small_network_add_input": (_status, [_ptr, _u32, _u32, _u32, _u32,
                                          _P(_tensor)]),
    "small_network_add_conv2d": (_status, [_ptr, _tensor, _P(Conv2dParams),
                                           _floats, _floats, _P(_tensor)]),
    "small_network_add_dense": (_status, [_ptr, _tensor, _u32, _floats,
                                          _floats, Activation, _P(_tensor)]),
    "small_network_add_pool2d": (_status, [_ptr, _tensor, _P(Pool2dParams),
                                           _P(_tensor)]),
    "small_network_add_global_avgpool": (_status, [_ptr, _tensor,
                                                   _P(_tensor)]),
    "small_network_add_add": (_status, [_ptr, _tensor, _tensor, Activation,
                                        _P(_tensor)]),
    "small_network_add_concat": (_status, [_ptr, _P(_tensor), _size,
                                           _P(_tensor)]),
    "small_network_add_activation": (_status, [_ptr, _tensor, Activation,
                                               _P(_tensor)]),
    "small_network_add_softmax": (_status, [_ptr, _tensor, _P(_tensor)]),
    "small_network_add_batchnorm": (_status, [_ptr, _tensor, _floats, _floats,
                                              _floats, _floats, ctypes.c_float,
                                              _P(_tensor)]),
    "small_network_add_flatten": (_status, [_ptr, _tensor, _P(_tensor)]),
    "small_network_mark_output": (_status, [_ptr, _tensor]),
    "small_network_finalize": (_status, [_ptr]),
    "small_network_run": (_status, [_ptr, _ptr, _size, _ptr, _size,
                                    ctypes.c_int]),
    "small_network_run_int8": (_status, [_ptr, _ptr, _size, _ptr, _size,
                                         ctypes.c_int]),
    "small_network_input_count": (_status, [_ptr, _P(_size)]),
    "small_network_output_count": (_status, [_ptr, _P(_size)]),
    "small_network_input_shape": (_status, [_ptr, _size, _dims4]),
    "small_network_output_shape": (_status, [_ptr, _size, _dims4]),
    "small_network_tensor_shape": (_status, [_ptr, _tensor, _dims4]),
    "small_network_input_type": (_status, [_ptr, _size, _P(ctypes.c_int),
                                           _P(Quant)]),
    "small_network_output_type": (_status, [_ptr, _size, _P(ctypes.c_int),
                                            _P(Quant)]),
    "small_threadpool_create": (_status, [_u32, _P(_ptr)]),
    "small_threadpool_destroy": (_status, [_ptr]),
    "small_network_set_threadpool": (_status, [_ptr, _ptr]),
}
_TFLITE = {
    "small_tflite_options_init": (None, [_P(TfliteOptions)]),
    "small_tflite_is_model": (ctypes.c_int, [ctypes.c_char_p, _size]),
    "small_tflite_import_buffer": (_status, [ctypes.c_char_p, _size,
                                             _P(TfliteOptions), _P(_ptr)]),
    "small_tflite_model_destroy": (None, [_ptr]),
    "small_tflite_model_network": (_ptr, [_ptr]),
    "small_tflite_model_input_name": (ctypes.c_char_p, [_ptr, _size]),
    "small_tflite_model_output_name": (ctypes.c_char_p, [_ptr, _size]),
    "small_tflite_model_input_dims": (_size, [_ptr, _size, _i64_4]),
    "small_tflite_model_output_dims": (_size, [_ptr, _size, _i64_4]),
    "small_tflite_model_input_signature": (_size, [_ptr, _size, _i64_4]),
    "small_tflite_model_output_signature": (_size, [_ptr, _size, _i64_4]),
    "small_tflite_model_signature_count": (_size, [_ptr]),
    "small_tflite_model_signature_key": (ctypes.c_char_p, [_ptr, _size]),
    "small_tflite_model_signature_tensors": (_size, [_ptr, _size, ctypes.c_int,
                                                     _P(SignatureTensor),
                                                     _size]),
}
_ONNX = {
    "small_onnx_options_init": (None, [_P(OnnxOptions)]),
    "small_onnx_import_buffer": (_status, [ctypes.c_char_p, _size,
                                           _P(OnnxOptions), _P(_ptr)]),
    "small_onnx_model_destroy": (None, [_ptr]),
    "small_onnx_model_network": (_ptr, [_ptr]),
    "small_onnx_model_input_name": (ctypes.c_char_p, [_ptr, _size]),
    "small_onnx_model_output_name": (ctypes.c_char_p, [_ptr, _size]),
    "small_onnx_model_input_dims": (_size, [_ptr, _size, _i64_4]),
    "small_onnx_model_output_dims": (_size, [_ptr, _size, _i64_4]),
}


def library_path():
    """SMALL_LIBRARY when set, else the library shipped in the package."""
    override = os.environ.get("SMALL_LIBRARY")
    if override:
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        LIBRARY_NAME)


def _declare(lib, table):
    for name, (restype, argtypes) in table.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def _load():
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"small: {path} not found; install the package (pip install "
            "./python builds it) or set SMALL_LIBRARY to a "
            f"{LIBRARY_NAME} built with CMake (target small_runtime)")
    lib = ctypes.CDLL(path)
    _declare(lib, _CORE)
    has_tflite = hasattr(lib, "small_tflite_import_buffer")
    has_onnx = hasattr(lib, "small_onnx_import_buffer")
    if has_tflite:
        _declare(lib, _TFLITE)
    if has_onnx:
        _declare(lib, _ONNX)
    return lib, has_tflite, has_onnx


LIB, HAS_TFLITE, HAS_ONNX = _load()


def last_error():
    return (LIB.small_last_error() or b"").decode("utf-8", "replace")


def error(status, context):
    """The exception for a failed call: the C library's message first."""
    message = last_error() or LIB.small_status_string(status).decode()
    text = f"{context}: {message}" if context else message
    if status in _VALUE_ERRORS:
        return ValueError(text)
    return RuntimeError(text)


def check(status, context=""):
    if status != OK:
        raise error(status, context)


def activation(kind, **constants):
    """A small_activation from a name ("relu", ...) or None."""
    if isinstance(kind, Activation):
        return kind
    try:
        code = ACTIVATIONS[kind.lower() if isinstance(kind, str) else kind]
    except KeyError:
        raise ValueError(f"unknown activation {kind!r}; known: "
                         f"{sorted(k for k in ACTIVATIONS if k)}") from None
    act = LIB.small_activation_make(code)
    for name, value in constants.items():
        setattr(act, name, value)
    return act
