"""small.Network: the C API's layer-by-layer builder with numpy weights.

    net = small.Network()
    x = net.input((1, 3, 32, 32))
    y = net.conv2d(x, w, b, stride=2, padding="same", activation="relu")
    net.output(net.softmax(net.dense(net.global_avgpool(y), w2, b2)))
    probabilities = net.run(image)           # NCHW float32 in and out

Each method calls the matching small_network_add_* and returns the new
tensor's id; weights are copied by the library during the call. Shapes are
(n, c, h, w); conv weights are OIHW, dense weights [out][c*h*w] (PyTorch's
layouts). finalize() runs on the first run() unless called before.
"""

import ctypes

import numpy as np

from . import _native
from ._native import LIB, check


def _floats(array):
    """The array as C-contiguous float32 (copied only if it is not) and its
    pointer; (None, None) for None."""
    if array is None:
        return None, None
    a = np.ascontiguousarray(array, dtype=np.float32)
    return a, a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def _pair(value, what):
    if isinstance(value, int):
        return value, value
    if len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{what} must be an int or a pair, not {value!r}")


def _set_padding(params, padding):
    """padding: "same", "valid", an int, a pair (h, w) or (top, bottom,
    left, right)."""
    if isinstance(padding, str):
        modes = {"same": _native.PADDING_SAME, "valid": _native.PADDING_VALID}
        if padding.lower() not in modes:
            raise ValueError(f"padding must be 'same', 'valid' or numbers, "
                             f"not {padding!r}")
        params.padding_mode = modes[padding.lower()]
        return
    params.padding_mode = _native.PADDING_EXPLICIT
    if isinstance(padding, int):
        padding = (padding,) * 4
    elif len(padding) == 2:
        padding = (padding[0], padding[0], padding[1], padding[1])
    if len(padding) != 4 or min(padding) < 0:
        raise ValueError(f"bad padding {padding!r}")
    (params.pad_top, params.pad_bottom, params.pad_left,
     params.pad_right) = padding


class Network:
    """A network under construction, then finalized and run."""

    def __init__(self):
        handle = ctypes.c_void_p()
        check(LIB.small_network_create(ctypes.byref(handle)))
        self._handle = handle
        self._finalized = False
        self._inputs = 0
        self._outputs = 0

    def _add(self, fn, *args, what):
        if self._finalized:
            raise RuntimeError(f"{what}: the network is finalized")
        out = ctypes.c_int32(-1)
        check(fn(self._handle, *args, ctypes.byref(out)), what)
        return out.value

    def shape(self, tensor):
        """(n, c, h, w) of a tensor."""
        dims = (ctypes.c_uint32 * 4)()
        check(LIB.small_network_tensor_shape(self._handle, tensor, dims))
        return tuple(int(d) for d in dims)

    def input(self, shape):
        """Declares an input of shape (n, c, h, w); missing trailing
        dimensions are 1 ((n, c) is (n, c, 1, 1))."""
        if not 1 <= len(shape) <= 4:
            raise ValueError(f"input shape {shape} must have 1 to 4 dims")
        n, c, h, w = tuple(shape) + (1,) * (4 - len(shape))
        self._inputs += 1
        return self._add(LIB.small_network_add_input, n, c, h, w,
                         what="input")

    def conv2d(self, x, weights, bias=None, stride=1, padding=0, dilation=1,
               groups=1, activation=None):
        weights = np.asarray(weights)
        if weights.ndim != 4:
            raise ValueError("conv2d weights must be OIHW (4-D), not shape "
                             f"{weights.shape}")
        p = _native.Conv2dParams()
        LIB.small_conv2d_params_init(ctypes.byref(p))
        p.out_channels, _, p.kernel_h, p.kernel_w = weights.shape
        p.stride_h, p.stride_w = _pair(stride, "stride")
        p.dilation_h, p.dilation_w = _pair(dilation, "dilation")
        p.groups = groups
        _set_padding(p, padding)
        p.activation = _native.activation(activation)
        w, wp = _floats(weights)
        b, bp = _floats(bias)
        if b is not None and b.size != p.out_channels:
            raise ValueError(f"conv2d bias has {b.size} values for "
                             f"{p.out_channels} output channels")
        return self._add(LIB.small_network_add_conv2d, x, ctypes.byref(p),
                         wp, bp, what="conv2d")

    def dense(self, x, weights, bias=None, activation=None):
        weights = np.asarray(weights)
        if weights.ndim != 2:
            raise ValueError("dense weights must be [out][in], not shape "
                             f"{weights.shape}")
        n, c, h, w = self.shape(x)
        if weights.shape[1] != c * h * w:
            raise ValueError(f"dense weights take {weights.shape[1]} inputs "
                             f"but the input has c*h*w = {c * h * w}")
        wa, wp = _floats(weights)
        b, bp = _floats(bias)
        if b is not None and b.size != weights.shape[0]:
            raise ValueError(f"dense bias has {b.size} values for "
                             f"{weights.shape[0]} outputs")
        return self._add(LIB.small_network_add_dense, x, weights.shape[0], wp,
                         bp, _native.activation(activation), what="dense")

    def _pool(self, kind, x, kernel, stride, padding, count_include_pad):
        p = _native.Pool2dParams()
        LIB.small_pool2d_params_init(ctypes.byref(p))
        p.kind = kind
        p.kernel_h, p.kernel_w = _pair(kernel, "kernel")
        p.stride_h, p.stride_w = _pair(kernel if stride is None else stride,
                                       "stride")
        _set_padding(p, padding)
        p.count_include_pad = int(bool(count_include_pad))
        return self._add(LIB.small_network_add_pool2d, x, ctypes.byref(p),
                         what="pool2d")

    def max_pool2d(self, x, kernel, stride=None, padding=0):
        return self._pool(_native.POOL_MAX, x, kernel, stride, padding, False)

    def avg_pool2d(self, x, kernel, stride=None, padding=0,
                   count_include_pad=True):
        return self._pool(_native.POOL_AVG, x, kernel, stride, padding,
                          count_include_pad)

    def global_avgpool(self, x):
        return self._add(LIB.small_network_add_global_avgpool, x,
                         what="global_avgpool")

    def add(self, a, b, activation=None):
        return self._add(LIB.small_network_add_add, a, b,
                         _native.activation(activation), what="add")

    def concat(self, tensors):
        ids = (ctypes.c_int32 * len(tensors))(*tensors)
        return self._add(LIB.small_network_add_concat, ids, len(tensors),
                         what="concat")

    def activation(self, x, kind, **constants):
        """kind: "relu", "relu6", "leaky_relu" (alpha), "clip" (min, max),
        "sigmoid", "hard_swish", "hard_sigmoid" (alpha, beta)."""
        return self._add(LIB.small_network_add_activation, x,
                         _native.activation(kind, **constants),
                         what="activation")

    def softmax(self, x):
        return self._add(LIB.small_network_add_softmax, x, what="softmax")

    def batchnorm(self, x, gamma, beta, mean, var, epsilon=1e-5):
        arrays = [_floats(a) for a in (gamma, beta, mean, var)]
        c = self.shape(x)[1]
        if any(a.size != c for a, _ in arrays):
            raise ValueError(f"batchnorm needs {c} values per array")
        return self._add(LIB.small_network_add_batchnorm, x,
                         *(p for _, p in arrays), epsilon, what="batchnorm")

    def flatten(self, x):
        return self._add(LIB.small_network_add_flatten, x, what="flatten")

    def output(self, tensor):
        if self._finalized:
            raise RuntimeError("output: the network is finalized")
        check(LIB.small_network_mark_output(self._handle, tensor), "output")
        self._outputs += 1

    def finalize(self):
        check(LIB.small_network_finalize(self._handle), "finalize")
        self._finalized = True
        self._input_shapes = [self._io_shape(LIB.small_network_input_shape, i)
                              for i in range(self._inputs)]
        self._output_shapes = [
            self._io_shape(LIB.small_network_output_shape, i)
            for i in range(self._outputs)]

    def _io_shape(self, fn, index):
        dims = (ctypes.c_uint32 * 4)()
        check(fn(self._handle, index, dims))
        return tuple(int(d) for d in dims)

    def run(self, *inputs):
        """Runs on NCHW float32 inputs (one per declared input); returns
        the output array, or a list of them for several outputs."""
        if not self._finalized:
            self.finalize()
        if len(inputs) != self._inputs:
            raise ValueError(f"run: {len(inputs)} inputs given, the network "
                             f"has {self._inputs}")
        arrays = []
        for i, (x, shape) in enumerate(zip(inputs, self._input_shapes)):
            a = np.ascontiguousarray(x, dtype=np.float32)
            if a.size != int(np.prod(shape)):
                raise ValueError(f"run: input {i} has shape {a.shape}, the "
                                 f"network's is {shape}")
            arrays.append(a)
        outputs = [np.empty(s, dtype=np.float32) for s in self._output_shapes]
        ins = (ctypes.c_void_p * len(arrays))(*(a.ctypes.data for a in arrays))
        outs = (ctypes.c_void_p * len(outputs))(
            *(o.ctypes.data for o in outputs))
        check(LIB.small_network_run(self._handle, ins, len(arrays), outs,
                                    len(outputs), _native.LAYOUT_NCHW), "run")
        return outputs[0] if len(outputs) == 1 else outputs

    def close(self):
        if getattr(self, "_handle", None):
            LIB.small_network_destroy(self._handle)
            self._handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
