"""SMaLL from Python: run .tflite and .onnx models (small.Interpreter, a
drop-in for tflite_runtime.interpreter.Interpreter) and build networks
layer by layer (small.Network), on the same C library firmware links.

SMALL_LIBRARY (environment) overrides the libsmall_runtime.so to load.
"""

from ._native import LIB as _LIB
from .interpreter import Interpreter
from .network import Network

__version__ = _LIB.small_version_string().decode()
__all__ = ["Interpreter", "Network", "__version__"]
