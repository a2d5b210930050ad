#!/usr/bin/env python3
"""The shared library through ctypes (Python standard library only).

Usage: python3 test_ctypes.py <path to libsmall.so>
       (or set SMALL_LIBRARY to the path)

Declares the signatures of small.h (the structs come from the Python
package's python/small/_abi.py, so they are checked here too), builds
    input (2,3,6,7) -> conv 3x3 pad 1 (4) + ReLU -> global avgpool
    -> dense (3) -> softmax
and checks it against a pure-Python naive implementation with the tolerance
|got - want| <= 1e-5 * max(1, |want|). Also checks error statuses and
small_last_error texts, and that the library exports only small_* symbols
(with nm, skipped visibly when nm is missing). Exits nonzero on failure.
"""

import ctypes
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import unittest

TOLERANCE = 1e-5


def isa_folders():
    """The ISAs of this source tree: the kernels/<isa>/ folders with an
    isa.cmake (as cmake/SmallIsaFolders.cmake finds them)."""
    kernels = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           os.pardir, os.pardir, "kernels")
    return sorted(d for d in os.listdir(kernels)
                  if os.path.isfile(os.path.join(kernels, d, "isa.cmake")))

# small_status values (pinned by the ABI).
STATUS = {
    "SMALL_OK": 0,
    "SMALL_ERR_NULL_POINTER": 1,
    "SMALL_ERR_INVALID_ARGUMENT": 2,
    "SMALL_ERR_SHAPE_MISMATCH": 3,
    "SMALL_ERR_UNSUPPORTED": 4,
    "SMALL_ERR_OUT_OF_MEMORY": 5,
    "SMALL_ERR_OVERFLOW": 6,
    "SMALL_ERR_INVALID_STATE": 7,
    "SMALL_ERR_BUFFER_TOO_SMALL": 8,
    "SMALL_ERR_NOT_FOUND": 9,
    "SMALL_ERR_PARSE": 10,
    "SMALL_ERR_IO": 11,
    "SMALL_ERR_INTERNAL": 12,
}
OK = 0
LAYOUT_NCHW, LAYOUT_NHWC = 0, 1
ACT_NONE, ACT_RELU = 0, 1
PADDING_EXPLICIT, PADDING_SAME = 0, 1

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                      "include", "small", "small.h")


def _load_package_abi():
    """python/small/_abi.py, the Python package's declarations of the
    small.h structs, loaded as a plain module (the package's __init__, which
    needs numpy, does not run): this test drives the library through them,
    so it checks the package's struct layouts against the C ABI too."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                        os.pardir, "python", "small", "_abi.py")
    spec = importlib.util.spec_from_file_location("small_native_abi", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ABI = _load_package_abi()
Activation = _ABI.Activation
Conv2dParams = _ABI.Conv2dParams
Pool2dParams = _ABI.Pool2dParams


class KernelInfo(ctypes.Structure):
    _fields_ = [("isa", ctypes.c_char_p), ("channel_block", ctypes.c_uint32),
                ("conv_tile_width", ctypes.c_uint32),
                ("conv_tile_channels", ctypes.c_uint32)]


class LayerInfo(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("kind_name", ctypes.c_char_p),
                ("name", ctypes.c_char_p), ("input_count", ctypes.c_uint32),
                ("input_dims", ctypes.c_uint32 * 4),
                ("output_dims", ctypes.c_uint32 * 4),
                ("output", ctypes.c_int32),
                ("fused_batchnorm", ctypes.c_uint32),
                ("activation", ctypes.c_int), ("macs", ctypes.c_uint64),
                ("weight_bytes", ctypes.c_uint64),
                ("arena_offset", ctypes.c_uint64),
                ("output_bytes", ctypes.c_uint64)]


def library_path():
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        return sys.argv.pop(1)
    path = os.environ.get("SMALL_LIBRARY")
    if not path:
        sys.exit("usage: test_ctypes.py <path to libsmall.so> "
                 "(or set SMALL_LIBRARY)")
    return path


LIB_PATH = library_path()


def load(path):
    lib = ctypes.CDLL(path)
    P = ctypes.POINTER
    net_p = ctypes.c_void_p
    tensor = ctypes.c_int32
    status = ctypes.c_int
    fptr = P(ctypes.c_float)
    sig = {
        "small_version": (ctypes.c_uint32, []),
        "small_version_string": (ctypes.c_char_p, []),
        "small_status_string": (ctypes.c_char_p, [ctypes.c_int]),
        "small_last_error": (ctypes.c_char_p, []),
        "small_kernel_config": (status, [P(KernelInfo)]),
        "small_conv2d_params_init": (None, [P(Conv2dParams)]),
        "small_pool2d_params_init": (None, [P(Pool2dParams)]),
        "small_activation_make": (Activation, [ctypes.c_int]),
        "small_padding_same": (status, [ctypes.c_uint32] * 4 +
                               [P(ctypes.c_uint32)] * 2),
        "small_network_create": (status, [P(net_p)]),
        "small_network_destroy": (None, [net_p]),
        "small_network_add_input": (status, [net_p] + [ctypes.c_uint32] * 4 +
                                    [P(tensor)]),
        "small_network_add_conv2d": (status, [net_p, tensor, P(Conv2dParams),
                                              fptr, fptr, P(tensor)]),
        "small_network_add_dense": (status, [net_p, tensor, ctypes.c_uint32,
                                             fptr, fptr, Activation,
                                             P(tensor)]),
        "small_network_add_pool2d": (status, [net_p, tensor, P(Pool2dParams),
                                              P(tensor)]),
        "small_network_add_global_avgpool": (status, [net_p, tensor,
                                                      P(tensor)]),
        "small_network_add_softmax": (status, [net_p, tensor, P(tensor)]),
        "small_network_add_activation": (status, [net_p, tensor, Activation,
                                                  P(tensor)]),
        "small_network_mark_output": (status, [net_p, tensor]),
        "small_network_finalize": (status, [net_p]),
        "small_network_arena_size": (status, [net_p, P(ctypes.c_size_t)]),
        "small_network_arena_lower_bound": (status, [net_p,
                                                     P(ctypes.c_size_t)]),
        "small_network_set_arena": (status, [net_p, ctypes.c_void_p,
                                             ctypes.c_size_t]),
        "small_network_run": (status, [net_p, P(fptr), ctypes.c_size_t,
                                       P(fptr), ctypes.c_size_t,
                                       ctypes.c_int]),
        "small_network_output_shape": (status, [net_p, ctypes.c_size_t,
                                                P(ctypes.c_uint32)]),
        "small_network_layer_count": (status, [net_p, P(ctypes.c_size_t)]),
        "small_network_layer_info": (status, [net_p, ctypes.c_size_t,
                                              P(LayerInfo)]),
        "small_network_enable_profiling": (status, [net_p, ctypes.c_int]),
        "small_network_layer_time": (status, [net_p, ctypes.c_size_t,
                                              P(ctypes.c_double)]),
        "small_network_layer_ticks": (status, [net_p, ctypes.c_size_t,
                                               P(ctypes.c_uint64)]),
        "small_set_profiling_clock": (status, [ctypes.c_void_p]),
    }
    for name, (restype, argtypes) in sig.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


LIB = load(LIB_PATH)


def floats(values):
    return (ctypes.c_float * len(values))(*values)


def pseudo_random(count, seed, scale):
    """Deterministic values in [-scale, scale) that are exact floats."""
    out, s = [], (seed * 2654435761 + 7) & 0xFFFFFFFF
    for _ in range(count):
        s = (s * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(((s % 4096) / 2048.0 - 1.0) * scale)
    return out


def last_error():
    return LIB.small_last_error().decode()


# The network and its reference ------------------------------------------------

N, C, H, W, K, CLASSES = 2, 3, 6, 7, 4, 3
CONV_W = pseudo_random(K * C * 9, 1, 0.5)
CONV_B = pseudo_random(K, 2, 0.25)
FC_W = pseudo_random(CLASSES * K, 3, 1.0)
FC_B = pseudo_random(CLASSES, 4, 0.25)
IMAGE = pseudo_random(N * C * H * W, 5, 1.0)


def reference(image):
    """conv 3x3 pad 1 + ReLU -> global avgpool -> dense -> softmax."""
    probs = []
    for n in range(N):
        pooled = []
        for k in range(K):
            total = 0.0
            for i in range(H):
                for j in range(W):
                    acc = CONV_B[k]
                    for c in range(C):
                        for r in range(3):
                            for s in range(3):
                                y, x = i + r - 1, j + s - 1
                                if 0 <= y < H and 0 <= x < W:
                                    acc += (CONV_W[((k * C + c) * 3 + r) * 3 +
                                                   s] *
                                            image[((n * C + c) * H + y) * W +
                                                  x])
                    total += max(acc, 0.0)
            pooled.append(total / (H * W))
        logits = [FC_B[o] + sum(FC_W[o * K + k] * pooled[k] for k in range(K))
                  for o in range(CLASSES)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        probs.extend(e / sum(exps) for e in exps)
    return probs


class Network:
    """Owns a small_network; raises AssertionError on unexpected status."""

    def __init__(self, test):
        self.test = test
        self.ptr = ctypes.c_void_p()
        test.assertEqual(LIB.small_network_create(ctypes.byref(self.ptr)), OK)
        test.assertTrue(self.ptr.value)

    def close(self):
        LIB.small_network_destroy(self.ptr)
        self.ptr = ctypes.c_void_p()

    def ok(self, status):
        self.test.assertEqual(status, OK, last_error())

    def build(self, conv_weights=CONV_W):
        t = ctypes.c_int32(-1)
        self.ok(LIB.small_network_add_input(self.ptr, N, C, H, W,
                                            ctypes.byref(t)))
        p = Conv2dParams()
        LIB.small_conv2d_params_init(ctypes.byref(p))
        p.out_channels = K
        p.kernel_h = p.kernel_w = 3
        p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1
        p.activation = LIB.small_activation_make(ACT_RELU)
        self.ok(LIB.small_network_add_conv2d(self.ptr, t, ctypes.byref(p),
                                             floats(conv_weights),
                                             floats(CONV_B), ctypes.byref(t)))
        self.ok(LIB.small_network_add_global_avgpool(self.ptr, t,
                                                     ctypes.byref(t)))
        self.ok(LIB.small_network_add_dense(
            self.ptr, t, CLASSES, floats(FC_W), floats(FC_B),
            LIB.small_activation_make(ACT_NONE), ctypes.byref(t)))
        self.ok(LIB.small_network_add_softmax(self.ptr, t, ctypes.byref(t)))
        self.ok(LIB.small_network_mark_output(self.ptr, t))
        self.ok(LIB.small_network_finalize(self.ptr))

    def run(self, image, layout=LAYOUT_NCHW):
        x = floats(image)
        y = (ctypes.c_float * (N * CLASSES))(*([float("nan")] * N * CLASSES))
        ins = (ctypes.POINTER(ctypes.c_float) * 1)(
            ctypes.cast(x, ctypes.POINTER(ctypes.c_float)))
        outs = (ctypes.POINTER(ctypes.c_float) * 1)(
            ctypes.cast(y, ctypes.POINTER(ctypes.c_float)))
        self.ok(LIB.small_network_run(self.ptr, ins, 1, outs, 1, layout))
        return list(y)


class NetworkTest(unittest.TestCase):

    def setUp(self):
        self.net = Network(self)

    def tearDown(self):
        self.net.close()

    def assert_close(self, got, want, what):
        self.assertEqual(len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            limit = TOLERANCE * max(1.0, abs(w))
            self.assertLessEqual(abs(g - w), limit,
                                 f"{what}: element {i} is {g!r}, want {w!r}")

    def test_matches_reference(self):
        self.net.build()
        dims = (ctypes.c_uint32 * 4)()
        self.net.ok(LIB.small_network_output_shape(self.net.ptr, 0, dims))
        self.assertEqual(list(dims), [N, CLASSES, 1, 1])
        count = ctypes.c_size_t()
        self.net.ok(LIB.small_network_layer_count(self.net.ptr,
                                                  ctypes.byref(count)))
        self.assertEqual(count.value, 4)  # conv(+ReLU), avgpool, dense, softmax
        want = reference(IMAGE)
        got = self.net.run(IMAGE)
        self.assert_close(got, want, "NCHW")
        for n in range(N):
            self.assertAlmostEqual(sum(got[n * CLASSES:(n + 1) * CLASSES]),
                                   1.0, places=5)
        # NHWC input: the (classes, 1, 1) output has the same order.
        nhwc = [IMAGE[((n * C + c) * H + y) * W + x] for n in range(N)
                for y in range(H) for x in range(W) for c in range(C)]
        self.assert_close(self.net.run(nhwc, LAYOUT_NHWC), want, "NHWC")

    def test_caller_arena_gives_the_same_results(self):
        self.net.build()
        first = self.net.run(IMAGE)
        arena, bound = ctypes.c_size_t(), ctypes.c_size_t()
        self.net.ok(LIB.small_network_arena_size(self.net.ptr,
                                                 ctypes.byref(arena)))
        self.net.ok(LIB.small_network_arena_lower_bound(self.net.ptr,
                                                        ctypes.byref(bound)))
        self.assertGreaterEqual(arena.value, bound.value)
        self.assertGreater(bound.value, 0)
        small_buffer = ctypes.create_string_buffer(1)
        status = LIB.small_network_set_arena(self.net.ptr, small_buffer, 1)
        self.assertEqual(status, STATUS["SMALL_ERR_BUFFER_TOO_SMALL"])
        self.assertIn("small_network_set_arena", last_error())
        buffer = ctypes.create_string_buffer(b"\xff" * (arena.value + 63))
        self.net.ok(LIB.small_network_set_arena(self.net.ptr, buffer,
                                                len(buffer)))
        self.assertEqual(self.net.run(IMAGE), first)
        self.net.close()  # before `buffer` goes away

    def test_layer_info_and_profiling(self):
        self.net.ok(LIB.small_network_enable_profiling(self.net.ptr, 1))
        self.net.build()
        # conv(+ReLU), global avgpool, dense, softmax; MACs from the shapes.
        want = [(0, "conv2d", "conv2d #0", [N, C, H, W], [N, K, H, W], 1,
                 N * K * H * W * C * 9),
                (5, "global_avgpool", "global_avgpool #1", [N, K, H, W],
                 [N, K, 1, 1], 0, 0),
                (2, "dense", "dense #2", [N, K, 1, 1], [N, CLASSES, 1, 1], 0,
                 N * CLASSES * K),
                (9, "softmax", "softmax #3", [N, CLASSES, 1, 1],
                 [N, CLASSES, 1, 1], 0, 0)]
        arena = ctypes.c_size_t()
        self.net.ok(LIB.small_network_arena_size(self.net.ptr,
                                                 ctypes.byref(arena)))
        info = LayerInfo()
        for i, (kind, kind_name, name, ins, outs, act, macs) in \
                enumerate(want):
            self.net.ok(LIB.small_network_layer_info(self.net.ptr, i,
                                                     ctypes.byref(info)))
            self.assertEqual(info.kind, kind)
            self.assertEqual(info.kind_name.decode(), kind_name)
            self.assertEqual(info.name.decode(), name)
            self.assertEqual(info.input_count, 1)
            self.assertEqual(list(info.input_dims), ins)
            self.assertEqual(list(info.output_dims), outs)
            self.assertEqual(info.activation, act)  # 1: RELU
            self.assertEqual(info.fused_batchnorm, 0)
            self.assertEqual(info.macs, macs)
            self.assertLessEqual(info.arena_offset + info.output_bytes,
                                 arena.value)
        self.assertEqual(LIB.small_network_layer_info(self.net.ptr, 4,
                                                      ctypes.byref(info)),
                         STATUS["SMALL_ERR_NOT_FOUND"])
        self.assertIn("layer index 4", last_error())
        self.net.run(IMAGE)
        us = ctypes.c_double(-1.0)
        for i in range(4):
            self.net.ok(LIB.small_network_layer_time(self.net.ptr, i,
                                                     ctypes.byref(us)))
            self.assertGreater(us.value, 0.0)
        # A clock from Python (a ctypes callback) counting its readings:
        # each layer reads it twice, one count apart.
        readings = []
        clock_type = ctypes.CFUNCTYPE(ctypes.c_uint64)
        clock = clock_type(lambda: readings.append(0) or len(readings))
        self.net.ok(LIB.small_set_profiling_clock(
            ctypes.cast(clock, ctypes.c_void_p)))
        try:
            self.net.run(IMAGE)
        finally:
            self.net.ok(LIB.small_set_profiling_clock(None))
        self.assertEqual(len(readings), 8)
        ticks = ctypes.c_uint64(0)
        for i in range(4):
            self.net.ok(LIB.small_network_layer_ticks(self.net.ptr, i,
                                                      ctypes.byref(ticks)))
            self.assertEqual(ticks.value, 1)
        self.net.ok(LIB.small_network_enable_profiling(self.net.ptr, 0))
        self.assertEqual(LIB.small_network_layer_time(self.net.ptr, 0,
                                                      ctypes.byref(us)),
                         STATUS["SMALL_ERR_INVALID_STATE"])

    def test_errors_set_status_and_message(self):
        t = ctypes.c_int32(-1)
        self.net.ok(LIB.small_network_add_input(self.net.ptr, 1, 3, 4, 4,
                                                ctypes.byref(t)))
        x = t.value
        p = Conv2dParams()
        LIB.small_conv2d_params_init(ctypes.byref(p))
        p.out_channels, p.kernel_h, p.kernel_w, p.groups = 4, 3, 3, 2
        w = floats([0.0] * 64)
        status = LIB.small_network_add_conv2d(self.net.ptr, x,
                                              ctypes.byref(p), w, None,
                                              ctypes.byref(t))
        self.assertEqual(status, STATUS["SMALL_ERR_SHAPE_MISMATCH"])
        message = last_error()
        self.assertIn("conv2d #0", message)
        self.assertIn("groups (2)", message)
        self.assertEqual(t.value, x)

        status = LIB.small_network_add_softmax(self.net.ptr, x, None)
        self.assertEqual(status, STATUS["SMALL_ERR_NULL_POINTER"])
        self.assertIn("out is NULL", last_error())
        status = LIB.small_network_add_softmax(self.net.ptr, 77,
                                               ctypes.byref(t))
        self.assertEqual(status, STATUS["SMALL_ERR_NOT_FOUND"])
        self.assertIn("tensor id 77", last_error())
        act = LIB.small_activation_make(ACT_RELU)
        act.kind = 99
        status = LIB.small_network_add_activation(self.net.ptr, x, act,
                                                  ctypes.byref(t))
        self.assertEqual(status, STATUS["SMALL_ERR_INVALID_ARGUMENT"])
        self.assertIn("unknown activation kind 99", last_error())
        status = LIB.small_network_finalize(self.net.ptr)
        self.assertEqual(status, STATUS["SMALL_ERR_INVALID_STATE"])
        self.assertIn("no output", last_error())
        status = LIB.small_network_create(None)
        self.assertEqual(status, STATUS["SMALL_ERR_NULL_POINTER"])
        self.assertIn("small_network_create", last_error())
        # A successful call clears the message.
        self.net.ok(LIB.small_network_add_softmax(self.net.ptr, x,
                                                  ctypes.byref(t)))
        self.assertEqual(last_error(), "")


class LibraryTest(unittest.TestCase):

    def test_version(self):
        header = open(HEADER).read()
        parts = [int(re.search(rf"#define SMALL_VERSION_{k} (\d+)",
                               header).group(1))
                 for k in ("MAJOR", "MINOR", "PATCH")]
        self.assertEqual(LIB.small_version(),
                         parts[0] * 10000 + parts[1] * 100 + parts[2])
        self.assertEqual(LIB.small_version_string().decode(),
                         ".".join(map(str, parts)))

    def test_status_strings(self):
        texts = [LIB.small_status_string(v).decode() for v in STATUS.values()]
        self.assertEqual(texts[0], "success")
        self.assertEqual(len(set(texts)), len(texts))
        for bad in (-1, 13, 99):
            self.assertIn("unknown", LIB.small_status_string(bad).decode())

    def test_kernel_config(self):
        info = KernelInfo()
        self.assertEqual(LIB.small_kernel_config(ctypes.byref(info)), OK)
        isa = info.isa.decode()
        self.assertIn(isa, isa_folders())
        # ctest passes the ISA this build was configured for.
        expected = os.environ.get("SMALL_EXPECTED_ISA")
        if expected:
            self.assertEqual(isa, expected)
        self.assertGreaterEqual(info.channel_block, 1)
        self.assertGreaterEqual(info.conv_tile_width, 1)
        self.assertEqual(LIB.small_kernel_config(None),
                         STATUS["SMALL_ERR_NULL_POINTER"])
        self.assertIn("info", last_error())

    def test_struct_layout_through_init(self):
        # The defaults land in the right ctypes fields only if the layouts
        # agree with the C structs.
        p = Conv2dParams()
        ctypes.memset(ctypes.byref(p), 0x55, ctypes.sizeof(p))
        LIB.small_conv2d_params_init(ctypes.byref(p))
        self.assertEqual((p.out_channels, p.kernel_h, p.kernel_w), (0, 0, 0))
        self.assertEqual((p.stride_h, p.stride_w, p.dilation_h, p.dilation_w),
                         (1, 1, 1, 1))
        self.assertEqual((p.padding_mode, p.pad_top, p.pad_bottom, p.pad_left,
                          p.pad_right), (PADDING_EXPLICIT, 0, 0, 0, 0))
        self.assertEqual((p.groups, p.weight_layout, p.activation.kind),
                         (1, 0, ACT_NONE))
        self.assertEqual(p.activation.min, -math.inf)
        self.assertEqual(p.activation.max, math.inf)
        q = Pool2dParams()
        ctypes.memset(ctypes.byref(q), 0x55, ctypes.sizeof(q))
        LIB.small_pool2d_params_init(ctypes.byref(q))
        self.assertEqual((q.kind, q.stride_h, q.stride_w, q.padding_mode,
                          q.pad_right, q.count_include_pad),
                         (0, 1, 1, PADDING_EXPLICIT, 0, 0))
        a = LIB.small_activation_make(7)  # HARD_SIGMOID
        self.assertAlmostEqual(a.alpha, 0.2, places=6)
        self.assertEqual(a.beta, 0.5)

    def test_padding_same(self):
        before, after = ctypes.c_uint32(9), ctypes.c_uint32(9)
        self.assertEqual(LIB.small_padding_same(6, 3, 2, 1,
                                                ctypes.byref(before),
                                                ctypes.byref(after)), OK)
        self.assertEqual((before.value, after.value), (0, 1))
        self.assertEqual(LIB.small_padding_same(6, 3, 0, 1,
                                                ctypes.byref(before),
                                                ctypes.byref(after)),
                         STATUS["SMALL_ERR_INVALID_ARGUMENT"])


def defined_dynamic_symbols():
    out = subprocess.run(["nm", "-D", "--defined-only", LIB_PATH],
                         check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            symbols.append((fields[1], fields[2]))
        elif len(fields) == 2:  # absolute symbols may lack an address
            symbols.append((fields[0], fields[1]))
    return symbols


def api_functions():
    return re.findall(r"SMALL_API[^;(]*?\b(small_\w+)\s*\(", open(HEADER).read())


@unittest.skipIf(shutil.which("nm") is None,
                 "nm not found: exported symbols not checked")
class ExportsTest(unittest.TestCase):

    def test_every_api_function_is_exported(self):
        names = api_functions()
        self.assertGreaterEqual(len(names), 30)
        exported = {name for _, name in defined_dynamic_symbols()}
        missing = [n for n in names if n not in exported]
        self.assertEqual(missing, [])
        for n in names:
            self.assertTrue(hasattr(LIB, n), n)

    def test_only_small_functions_are_exported(self):
        # T: text, W: weak (C++ template instantiations land here), i: ifunc
        funcs = [name for kind, name in defined_dynamic_symbols()
                 if kind in ("T", "W", "i")]
        foreign = [n for n in funcs if not n.startswith("small_")]
        self.assertEqual(foreign, [], f"{len(foreign)} exported function(s) "
                         "outside the small_ API (e.g. libstdc++ template "
                         "instantiations: a linker version script would hide "
                         "them)")

    def test_only_small_data_is_exported(self):
        data = [name for kind, name in defined_dynamic_symbols()
                if kind in ("D", "B", "R", "V", "u", "G", "S")]
        foreign = [n for n in data if not n.startswith("small_")]
        self.assertEqual(foreign, [])


if __name__ == "__main__":
    print(f"test_ctypes.py: {LIB_PATH}, SMaLL "
          f"{LIB.small_version_string().decode()}, tolerance {TOLERANCE} "
          "relative (absolute below 1)")
    unittest.main(verbosity=2)
