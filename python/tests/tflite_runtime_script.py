"""A classifier written against tflite_runtime's Interpreter API only; the
import below is the single line changed to run it on SMaLL.

Usage: tflite_runtime_script.py MODEL.tflite INPUT.bin
INPUT.bin holds the raw input tensor in the model's dtype. Prints the
output bytes (hex), the top class and its dequantized score.
"""

import sys

import numpy as np

# The one changed line; it was:
# from tflite_runtime.interpreter import Interpreter
from small import Interpreter


def main(model_path, input_path):
    interpreter = Interpreter(model_path=model_path, num_threads=2)
    interpreter.allocate_tensors()
    input_details = interpreter.get_input_details()
    output_details = interpreter.get_output_details()
    x = np.fromfile(input_path, dtype=input_details[0]["dtype"])
    interpreter.set_tensor(input_details[0]["index"],
                           x.reshape(input_details[0]["shape"]))
    interpreter.invoke()
    y = interpreter.get_tensor(output_details[0]["index"])
    scale, zero_point = output_details[0]["quantization"]
    scores = (y.astype(np.float32) - zero_point) * scale if scale else y
    top = int(np.argmax(scores))
    print("output", y.tobytes().hex())
    print(f"class {top} score {float(scores.ravel()[top]):.4f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
