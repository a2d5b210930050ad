"""The SignatureDefs of a .tflite model as tflite_runtime exposes them:
get_signature_list's dictionary and the SignatureRunner, which calls the
model with keyword arguments named as the signature names its inputs."""


class SignatureRunner:
    """Runs an Interpreter's model through one signature:
    runner(input_1=x) returns {output name: array}."""

    def __init__(self, interpreter, inputs, outputs):
        # inputs / outputs: [(signature name, tensor index)]
        self._interpreter = interpreter
        self._inputs = dict(inputs)
        self._outputs = dict(outputs)
        if not interpreter._allocated:
            interpreter.allocate_tensors()

    def __call__(self, **kwargs):
        if len(kwargs) != len(self._inputs):
            raise ValueError(
                "Invalid number of inputs provided for running a SignatureDef"
                f", expected {len(self._inputs)} vs provided {len(kwargs)}")
        for name, value in kwargs.items():
            if name not in self._inputs:
                raise ValueError(f"Invalid Input name ({name}) for "
                                 f"SignatureDef; inputs: {list(self._inputs)}")
            self._interpreter.set_tensor(self._inputs[name], value)
        self._interpreter.invoke()
        return {name: self._interpreter.get_tensor(index)
                for name, index in self._outputs.items()}

    def get_input_details(self):
        return self._details(self._inputs)

    def get_output_details(self):
        return self._details(self._outputs)

    def _details(self, names):
        details = self._interpreter._details
        return {name: dict(details[index]) for name, index in names.items()}


def signature_list(signatures):
    """get_signature_list()'s value: {key: {"inputs": [...], "outputs":
    [...]}} from [(key, inputs, outputs)]."""
    return {key: {"inputs": [name for name, _ in inputs],
                  "outputs": [name for name, _ in outputs]}
            for key, inputs, outputs in signatures}


def find_signature(signatures, key):
    """(inputs, outputs) of signature `key`; None picks the only one."""
    if key is None:
        if len(signatures) != 1:
            raise ValueError(
                "SignatureDef signature_key is None and model has "
                f"{len(signatures)} Signatures. None is only allowed when the "
                "model has 1 SignatureDef")
        return signatures[0][1:]
    for name, inputs, outputs in signatures:
        if name == key:
            return inputs, outputs
    raise ValueError(f"SignatureDef signature_key ({key}) does not exist; "
                     f"the model has {[s[0] for s in signatures]}")
