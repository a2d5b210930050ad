"""small.Interpreter: tflite_runtime.interpreter.Interpreter's API over the
C library's importers and network runner.

The model is imported (and finalized) by the C library; this class only
holds one numpy buffer per network input and output, in the model's own
memory order (NHWC for .tflite, NCHW for .onnx) and dtype, and hands their
addresses to small_network_run_int8 (all-int8 models) or small_network_run
(float models). Tensor indices are the network's inputs (0 ..) followed by
its outputs.

Rounding: int8 requantization follows LiteRT, the runtime tflite_runtime
ships (single rounding), so a script switching from tflite_runtime gets the
same bytes; rounding="double" gives TFLite's reference kernels (TFLite
Micro, CMSIS-NN: what the firmware computes).
"""

import ctypes

import numpy as np

from . import _native
from ._native import LIB, check
from .signature_runner import SignatureRunner, find_signature, signature_list

_DTYPES = {_native.DTYPE_FLOAT32: np.float32, _native.DTYPE_INT8: np.int8}
_ROUNDINGS = {"single": _native.ROUNDING_SINGLE,
              "double": _native.ROUNDING_DOUBLE}
# tflite_runtime's keyword arguments that tune its own op resolver and
# delegates: accepted so that scripts passing them run, with no effect.
_TFLITE_ONLY_OPTIONS = {"experimental_op_resolver_type",
                        "experimental_preserve_all_tensors",
                        "experimental_disable_delegate_clustering",
                        "experimental_default_delegate_latest_features"}


class _ImportedModel:
    """The C importer's model handle and its tables (TFLite or ONNX)."""

    def __init__(self, content, rounding):
        if _native.HAS_TFLITE and LIB.small_tflite_is_model(content,
                                                            len(content)):
            self._import_tflite(content, rounding)
        elif _native.HAS_ONNX:
            self._import_onnx(content)
        else:
            raise ValueError(
                "model is not a TFLite flatbuffer (and this "
                "libsmall_runtime.so was built without the ONNX importer)")

    def _import_tflite(self, content, rounding):
        options = _native.TfliteOptions()
        LIB.small_tflite_options_init(ctypes.byref(options))
        options.rounding = rounding
        handle = ctypes.c_void_p()
        check(LIB.small_tflite_import_buffer(content, len(content),
                                             ctypes.byref(options),
                                             ctypes.byref(handle)),
              "cannot import the TFLite model")
        self.handle, self.layout = handle, _native.LAYOUT_NHWC
        self._destroy = LIB.small_tflite_model_destroy
        self.network = LIB.small_tflite_model_network(handle)
        self._names = (LIB.small_tflite_model_input_name,
                       LIB.small_tflite_model_output_name)
        self._dims = (LIB.small_tflite_model_input_dims,
                      LIB.small_tflite_model_output_dims)
        self._signatures = (LIB.small_tflite_model_input_signature,
                            LIB.small_tflite_model_output_signature)
        self.signature_defs = self._read_signature_defs()

    def _import_onnx(self, content):
        options = _native.OnnxOptions()
        LIB.small_onnx_options_init(ctypes.byref(options))
        handle = ctypes.c_void_p()
        check(LIB.small_onnx_import_buffer(content, len(content),
                                           ctypes.byref(options),
                                           ctypes.byref(handle)),
              "cannot import the model as ONNX (it is not a TFLite "
              "flatbuffer)")
        self.handle, self.layout = handle, _native.LAYOUT_NCHW
        self._destroy = LIB.small_onnx_model_destroy
        self.network = LIB.small_onnx_model_network(handle)
        self._names = (LIB.small_onnx_model_input_name,
                       LIB.small_onnx_model_output_name)
        self._dims = (LIB.small_onnx_model_input_dims,
                      LIB.small_onnx_model_output_dims)
        # ONNX has no shape_signature (the dims fixed at import) and no
        # SignatureDefs.
        self._signatures = (None, None)
        self.signature_defs = []

    def _read_signature_defs(self):
        """[(key, [(name, input index)], [(name, output index)])]."""
        defs = []
        for s in range(LIB.small_tflite_model_signature_count(self.handle)):
            key = LIB.small_tflite_model_signature_key(self.handle, s)
            tensors = []
            for outputs in (0, 1):
                count = LIB.small_tflite_model_signature_tensors(
                    self.handle, s, outputs, None, 0)
                table = (_native.SignatureTensor * count)()
                LIB.small_tflite_model_signature_tensors(self.handle, s,
                                                         outputs, table, count)
                tensors.append([(t.name.decode(), t.index) for t in table])
            defs.append((key.decode(), *tensors))
        return defs

    def name(self, is_output, index):
        return self._names[is_output](self.handle, index).decode()

    def shape(self, is_output, index):
        return self._table(self._dims[is_output], index)

    def signature(self, is_output, index):
        fn = self._signatures[is_output]
        return self.shape(is_output, index) if fn is None else \
            self._table(fn, index)

    def _table(self, fn, index):
        dims = (ctypes.c_int64 * 4)()
        rank = fn(self.handle, index, dims)
        return tuple(int(d) for d in dims[:rank])

    def close(self):
        if self.handle:
            self._destroy(self.handle)
            self.handle = None


class Interpreter:
    """Drop-in for tflite_runtime.interpreter.Interpreter.

    SMaLL-specific keyword: rounding ("single", LiteRT's, the default, or
    "double", TFLite's reference kernels) for int8 models.
    """

    def __init__(self, model_path=None, model_content=None,
                 experimental_delegates=None, num_threads=None,
                 rounding="single", **tflite_only_options):
        unknown = set(tflite_only_options) - _TFLITE_ONLY_OPTIONS
        if unknown:
            raise TypeError(f"Interpreter() got unexpected keyword "
                            f"argument(s) {sorted(unknown)}")
        if (model_path is None) == (model_content is None):
            raise ValueError("give exactly one of model_path and "
                             "model_content")
        if experimental_delegates:
            raise ValueError("SMaLL runs models itself: delegates are not "
                             "supported")
        if rounding not in _ROUNDINGS:
            raise ValueError(f"rounding must be 'single' or 'double', not "
                             f"{rounding!r}")
        if num_threads is not None and (not isinstance(num_threads, int) or
                                        num_threads < -1):
            raise ValueError("num_threads should be an int >= -1")
        self._model = None
        self._pool = None
        if model_content is None:
            try:
                with open(model_path, "rb") as f:
                    model_content = f.read()
            except OSError as e:
                raise ValueError(f"Could not open '{model_path}': {e}") \
                    from None
        self._model = _ImportedModel(bytes(model_content),
                                     _ROUNDINGS[rounding])
        self._network = self._model.network
        self._describe_tensors()
        self._set_threads(1 if num_threads in (None, -1) else num_threads)
        self._allocated = False

    def _describe_tensors(self):
        count = ctypes.c_size_t()
        check(LIB.small_network_input_count(self._network,
                                            ctypes.byref(count)))
        n_in = count.value
        check(LIB.small_network_output_count(self._network,
                                             ctypes.byref(count)))
        n_out = count.value
        self._input_count = n_in
        self._details = []
        dtypes = set()
        for is_output, n in ((0, n_in), (1, n_out)):
            type_of = (LIB.small_network_output_type if is_output else
                       LIB.small_network_input_type)
            for i in range(n):
                dtype, quant = ctypes.c_int(), _native.Quant()
                check(type_of(self._network, i, ctypes.byref(dtype),
                              ctypes.byref(quant)))
                dtypes.add(dtype.value)
                self._details.append(self._detail(is_output, i, dtype.value,
                                                  quant))
        if len(dtypes) != 1:
            raise ValueError("models whose inputs and outputs mix float32 and "
                             "int8 are not supported by small.Interpreter")
        self._int8 = dtypes == {_native.DTYPE_INT8}

    def _detail(self, is_output, i, dtype, quant):
        index = i + (self._input_count if is_output else 0)
        scale = float(quant.scale) if dtype == _native.DTYPE_INT8 else 0.0
        zero_point = int(quant.zero_point)
        scales = np.array([scale] if scale else [], dtype=np.float32)
        zero_points = np.array([zero_point] if scale else [], dtype=np.int32)
        return {
            "name": self._model.name(is_output, i),
            "index": index,
            "shape": np.array(self._model.shape(is_output, i),
                              dtype=np.int32),
            "shape_signature": np.array(self._model.signature(is_output, i),
                                        dtype=np.int32),
            "dtype": _DTYPES[dtype],
            "quantization": (scale, zero_point),
            "quantization_parameters": {"scales": scales,
                                        "zero_points": zero_points,
                                        "quantized_dimension": 0},
            "sparsity_parameters": {},
        }

    def _set_threads(self, threads):
        if threads <= 1:
            return
        pool = ctypes.c_void_p()
        check(LIB.small_threadpool_create(threads, ctypes.byref(pool)),
              f"cannot create a pool of {threads} threads")
        self._pool = pool
        check(LIB.small_network_set_threadpool(self._network, pool))

    def allocate_tensors(self):
        """Allocates the input and output buffers (the network's own memory
        was planned when the model was imported)."""
        self._buffers = [np.zeros(tuple(d["shape"]), dtype=d["dtype"])
                         for d in self._details]
        n_in = self._input_count
        addresses = [b.ctypes.data for b in self._buffers]
        self._in_ptrs = (ctypes.c_void_p * max(n_in, 1))(*addresses[:n_in])
        n_out = len(addresses) - n_in
        self._out_ptrs = (ctypes.c_void_p * max(n_out, 1))(*addresses[n_in:])
        self._run = (LIB.small_network_run_int8 if self._int8 else
                     LIB.small_network_run)
        self._run_args = (self._network, self._in_ptrs, n_in, self._out_ptrs,
                          n_out, self._model.layout)
        self._allocated = True

    def get_input_details(self):
        return [dict(d) for d in self._details[:self._input_count]]

    def get_output_details(self):
        return [dict(d) for d in self._details[self._input_count:]]

    def get_tensor_details(self):
        """The details of every tensor an Interpreter exposes: the model's
        inputs, then its outputs (SMaLL keeps no other tensor of the model
        addressable)."""
        return [dict(d) for d in self._details]

    def _tensor_detail(self, index):
        if not isinstance(index, (int, np.integer)) or \
                not 0 <= index < len(self._details):
            raise ValueError(f"Invalid tensor index {index}: this model has "
                             f"tensors 0..{len(self._details) - 1} (inputs, "
                             "then outputs)")
        return self._details[index]

    def _require_allocated(self, what):
        if not self._allocated:
            raise RuntimeError(f"{what}: call allocate_tensors() first")

    def set_tensor(self, tensor_index, value):
        detail = self._tensor_detail(tensor_index)
        self._require_allocated("set_tensor")
        if tensor_index >= self._input_count:
            raise ValueError(f"Cannot set tensor {tensor_index}: it is an "
                             "output, not an input")
        value = np.asarray(value)
        if value.dtype != detail["dtype"]:
            raise ValueError(
                f"Cannot set tensor: Got value of type "
                f"{value.dtype.name.upper()} but expected type "
                f"{np.dtype(detail['dtype']).name.upper()} for input "
                f"{tensor_index}, name: {detail['name']}")
        buffer = self._buffers[tensor_index]
        if value.shape != buffer.shape:
            raise ValueError(
                f"Cannot set tensor: Dimension mismatch. Got shape "
                f"{list(value.shape)} but expected {list(buffer.shape)} for "
                f"input {tensor_index}, name: {detail['name']}")
        np.copyto(buffer, value)

    def get_tensor(self, tensor_index):
        self._tensor_detail(tensor_index)
        self._require_allocated("get_tensor")
        return self._buffers[tensor_index].copy()

    def tensor(self, tensor_index):
        """A callable returning a view of the tensor's buffer (no copy)."""
        self._tensor_detail(tensor_index)
        self._require_allocated("tensor")
        buffer = self._buffers[tensor_index]
        return lambda: buffer

    def invoke(self):
        if not self._allocated:
            raise RuntimeError("invoke: call allocate_tensors() first")
        status = self._run(*self._run_args)
        if status:
            raise _native.error(status, "invoke")

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        """SMaLL plans a network's memory for the shapes fixed at import:
        only the current shape is accepted."""
        detail = self._tensor_detail(input_index)
        if input_index >= self._input_count:
            raise ValueError(f"tensor {input_index} is not an input")
        if list(tensor_size) != list(detail["shape"]):
            raise ValueError(
                f"SMaLL cannot resize input {input_index} from "
                f"{list(detail['shape'])} to {list(tensor_size)}: networks "
                "are planned for the shape fixed at import")

    def get_signature_list(self):
        """The model's SignatureDefs: {key: {"inputs": [names],
        "outputs": [names]}} ({} for a model without any, and for ONNX)."""
        return signature_list(self._model.signature_defs)

    def get_signature_runner(self, signature_key=None):
        """A SignatureRunner for `signature_key` (None: the model's only
        signature); its tensor indices are this interpreter's."""
        inputs, outputs = find_signature(self._model.signature_defs,
                                         signature_key)
        n_in = self._input_count
        return SignatureRunner(self, inputs,
                               [(name, n_in + i) for name, i in outputs])

    def close(self):
        if self._model is not None:
            self._model.close()
            self._model = None
        if self._pool is not None:
            check(LIB.small_threadpool_destroy(self._pool))
            self._pool = None

    def __del__(self):
        # The model (and its network) first: the pool refuses to go while a
        # network is attached to it.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
