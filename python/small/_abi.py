"""The structs and constants of small.h as ctypes declarations: plain
data, no library loading, so tests of the C ABI can use them without the
package (tests/python/test_ctypes.py loads this file by path)."""

import ctypes

# small_status values (pinned by the ABI).
OK = 0
ERR_NULL_POINTER = 1
ERR_INVALID_ARGUMENT = 2
ERR_SHAPE_MISMATCH = 3
ERR_UNSUPPORTED = 4
ERR_NOT_FOUND = 9
ERR_PARSE = 10
ERR_IO = 11
LAYOUT_NCHW, LAYOUT_NHWC = 0, 1
DTYPE_FLOAT32, DTYPE_INT8 = 0, 1
ROUNDING_DOUBLE, ROUNDING_SINGLE = 0, 1
PADDING_EXPLICIT, PADDING_SAME, PADDING_VALID = 0, 1, 2
POOL_MAX, POOL_AVG = 0, 1
ACTIVATIONS = {None: 0, "none": 0, "relu": 1, "relu6": 2, "leaky_relu": 3,
               "clip": 4, "sigmoid": 5, "hard_swish": 6, "hard_sigmoid": 7}


class Activation(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("alpha", ctypes.c_float),
                ("beta", ctypes.c_float), ("min", ctypes.c_float),
                ("max", ctypes.c_float)]


class Conv2dParams(ctypes.Structure):
    _fields_ = [("out_channels", ctypes.c_uint32),
                ("kernel_h", ctypes.c_uint32), ("kernel_w", ctypes.c_uint32),
                ("stride_h", ctypes.c_uint32), ("stride_w", ctypes.c_uint32),
                ("dilation_h", ctypes.c_uint32),
                ("dilation_w", ctypes.c_uint32),
                ("padding_mode", ctypes.c_int),
                ("pad_top", ctypes.c_uint32), ("pad_bottom", ctypes.c_uint32),
                ("pad_left", ctypes.c_uint32), ("pad_right", ctypes.c_uint32),
                ("groups", ctypes.c_uint32), ("weight_layout", ctypes.c_int),
                ("activation", Activation)]


class Pool2dParams(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("kernel_h", ctypes.c_uint32),
                ("kernel_w", ctypes.c_uint32), ("stride_h", ctypes.c_uint32),
                ("stride_w", ctypes.c_uint32), ("padding_mode", ctypes.c_int),
                ("pad_top", ctypes.c_uint32), ("pad_bottom", ctypes.c_uint32),
                ("pad_left", ctypes.c_uint32), ("pad_right", ctypes.c_uint32),
                ("count_include_pad", ctypes.c_int)]


class Quant(ctypes.Structure):
    _fields_ = [("scale", ctypes.c_float), ("zero_point", ctypes.c_int32)]


class TfliteOptions(ctypes.Structure):
    _fields_ = [("finalize", ctypes.c_int),
                ("max_tensor_bytes", ctypes.c_uint64),
                ("rounding", ctypes.c_int)]


class SignatureTensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("index", ctypes.c_size_t)]


class OnnxOptions(ctypes.Structure):
    _fields_ = [("finalize", ctypes.c_int), ("batch", ctypes.c_uint32),
                ("max_tensor_bytes", ctypes.c_uint64),
                ("constants", ctypes.c_void_p),
                ("constant_count", ctypes.c_size_t)]
