#!/usr/bin/python3
"""Makes the MLPerf Tiny golden fixtures in tests/goldens/.

Builds the four MLPerf Tiny v1.0 reference networks (BatchNorm folded, so
every convolution and dense layer has a bias) in PyTorch with seeded random
weights, runs each on a seeded random input in float32, and writes per
network:

  <net>.weights.bin  float32 little-endian, every layer's weights then bias,
                     in the order examples/mlperf_tiny/networks.c reads them
                     (conv: OIHW, depthwise: [C][1][kh][kw], dense: [out][in])
  <net>.input.bin    float32 LE input, NCHW, batch 1
  <net>.output.bin   float32 LE output of the float32 PyTorch model

plus manifest.txt (one line per network: parameters, MACs, shapes, float64
check; read by tests/unit/test_mlperf_goldens.cpp) and README.md.

Needs Debian's python3-torch (apt-get install -y python3-torch), which only
this script needs: the tests and the demo read the committed fixtures.

Usage: /usr/bin/python3 tools/make_goldens.py [--out DIR] [--seed N]
"""
import argparse
import copy
import hashlib
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NETS = ["resnet8", "dscnn", "mobilenet_v1", "autoencoder"]


def same_pad(size, kernel, stride):
    """TensorFlow SAME padding of one axis: (before, after), the odd pixel
    after (bottom/right)."""
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Conv(nn.Module):
    """Conv2D with TensorFlow SAME padding, bias, optional ReLU."""

    def __init__(self, cin, cout, kh, kw, stride=1, depthwise=False,
                 relu=True):
        super().__init__()
        self.k = (kh, kw)
        self.stride = stride
        self.relu = relu
        self.conv = nn.Conv2d(cin, cout, (kh, kw), stride=stride, padding=0,
                              groups=cin if depthwise else 1, bias=True)

    def forward(self, x):
        top, bottom = same_pad(x.shape[2], self.k[0], self.stride)
        left, right = same_pad(x.shape[3], self.k[1], self.stride)
        x = self.conv(F.pad(x, (left, right, top, bottom)))
        return F.relu(x) if self.relu else x

    def tensors(self):
        return [self.conv.weight, self.conv.bias]


class Dense(nn.Module):
    """Fully connected on the NCHW-flattened input, optional ReLU."""

    def __init__(self, cin, cout, relu=True):
        super().__init__()
        self.relu = relu
        self.fc = nn.Linear(cin, cout, bias=True)

    def forward(self, x):
        x = self.fc(torch.flatten(x, 1))
        return F.relu(x) if self.relu else x

    def tensors(self):
        return [self.fc.weight, self.fc.bias]


class ResNet8(nn.Module):
    input_shape = (1, 3, 32, 32)

    def __init__(self):
        super().__init__()
        self.conv1 = Conv(3, 16, 3, 3)
        self.s1a = Conv(16, 16, 3, 3)
        self.s1b = Conv(16, 16, 3, 3, relu=False)
        self.s2a = Conv(16, 32, 3, 3, stride=2)
        self.s2b = Conv(32, 32, 3, 3, relu=False)
        self.s2s = Conv(16, 32, 1, 1, stride=2, relu=False)
        self.s3a = Conv(32, 64, 3, 3, stride=2)
        self.s3b = Conv(64, 64, 3, 3, relu=False)
        self.s3s = Conv(32, 64, 1, 1, stride=2, relu=False)
        self.fc = Dense(64, 10, relu=False)

    def layers(self):  # the order networks.c reads the weights in
        return [self.conv1, self.s1a, self.s1b, self.s2a, self.s2b, self.s2s,
                self.s3a, self.s3b, self.s3s, self.fc]

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x + self.s1b(self.s1a(x)))
        x = F.relu(self.s2s(x) + self.s2b(self.s2a(x)))
        x = F.relu(self.s3s(x) + self.s3b(self.s3a(x)))
        x = F.avg_pool2d(x, 8)  # Keras AveragePooling2D(pool_size=8)
        return F.softmax(self.fc(x), dim=1)


class DSCNN(nn.Module):
    input_shape = (1, 1, 49, 10)

    def __init__(self):
        super().__init__()
        self.conv1 = Conv(1, 64, 10, 4, stride=2)
        blocks = []
        for _ in range(4):
            blocks += [Conv(64, 64, 3, 3, depthwise=True), Conv(64, 64, 1, 1)]
        self.blocks = nn.ModuleList(blocks)
        self.fc = Dense(64, 12, relu=False)

    def layers(self):
        return [self.conv1, *self.blocks, self.fc]

    def forward(self, x):
        x = self.conv1(x)
        for b in self.blocks:
            x = b(x)
        x = F.avg_pool2d(x, (25, 5))
        return F.softmax(self.fc(x), dim=1)


class MobileNetV1(nn.Module):
    input_shape = (1, 3, 96, 96)
    BLOCKS = [(1, 16), (2, 32), (1, 32), (2, 64), (1, 64), (2, 128),
              (1, 128), (1, 128), (1, 128), (1, 128), (1, 128), (2, 256),
              (1, 256)]

    def __init__(self):
        super().__init__()
        self.conv1 = Conv(3, 8, 3, 3, stride=2)
        blocks, c = [], 8
        for stride, out in self.BLOCKS:
            blocks += [Conv(c, c, 3, 3, stride=stride, depthwise=True),
                       Conv(c, out, 1, 1)]
            c = out
        self.blocks = nn.ModuleList(blocks)
        self.fc = Dense(256, 2, relu=False)

    def layers(self):
        return [self.conv1, *self.blocks, self.fc]

    def forward(self, x):
        x = self.conv1(x)
        for b in self.blocks:
            x = b(x)
        x = x.mean(dim=(2, 3), keepdim=True)  # global average pooling
        return F.softmax(self.fc(x), dim=1)


class AutoEncoder(nn.Module):
    input_shape = (1, 640, 1, 1)

    def __init__(self):
        super().__init__()
        dims = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
        self.fcs = nn.ModuleList(
            Dense(dims[i], dims[i + 1], relu=i + 2 < len(dims))
            for i in range(len(dims) - 1))

    def layers(self):
        return list(self.fcs)

    def forward(self, x):
        for fc in self.fcs:
            x = fc(x)
        return x.reshape(x.shape[0], -1, 1, 1)


MODELS = {"resnet8": ResNet8, "dscnn": DSCNN, "mobilenet_v1": MobileNetV1,
          "autoencoder": AutoEncoder}


def init_weights(model, gen):
    """Kaiming-normal-like weights (variance 2/fan_in before a ReLU,
    1/fan_in otherwise) and small uniform biases, so activations stay O(1)
    through the network."""
    with torch.no_grad():
        for layer in model.layers():
            w, b = layer.tensors()
            gain = 2.0 if layer.relu else 1.0
            w.copy_(torch.randn(w.shape, generator=gen) *
                    math.sqrt(gain / w[0].numel()))
            b.copy_((torch.rand(b.shape, generator=gen) * 2 - 1) * 0.1)


def calibrate_logits(model, x, target_std=1.5):
    """Scales a classifier's last dense layer so that its logits on x have
    a standard deviation of target_std across classes: the softmax then
    neither saturates (0/1 outputs would hide errors) nor is near-uniform
    (a top-class check would be meaningless)."""
    fc = model.layers()[-1].fc
    seen = []
    hook = fc.register_forward_hook(lambda m, i, o: seen.append(o))
    with torch.no_grad():
        model(x)
        hook.remove()
        scale = target_std / seen[0].std().item()
        fc.weight.mul_(scale)
        fc.bias.mul_(scale)


def count_macs(model, x):
    """MACs of the convolution and dense layers, from PyTorch's shapes."""
    total = [0]

    def conv_hook(mod, inp, out):
        kh, kw = mod.kernel_size
        total[0] += out[0].numel() * (mod.in_channels // mod.groups) * kh * kw

    def fc_hook(mod, inp, out):
        total[0] += mod.in_features * mod.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(fc_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def write_f32(path, tensor):
    data = tensor.detach().to(torch.float32).contiguous().numpy()
    data.astype("<f4").tofile(path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make(name, index, seed, out_dir):
    model = MODELS[name]()
    model.eval()
    gen = torch.Generator().manual_seed(seed + 1000 * index)
    init_weights(model, gen)
    shape = model.input_shape
    if name in ("resnet8", "mobilenet_v1"):
        x = torch.rand(shape, generator=gen)  # image-like, [0, 1)
    else:
        x = torch.randn(shape, generator=gen)  # MFCC / log-mel-like
    if name != "autoencoder":
        calibrate_logits(model, x)
    with torch.no_grad():
        y = model(x)
        y64 = copy.deepcopy(model).double()(x.double())
    diff64 = (y.double() - y64).abs().max().item()

    params = sum(t.numel() for layer in model.layers()
                 for t in layer.tensors())
    assert params == sum(p.numel() for p in model.parameters())
    weights = torch.cat([t.detach().reshape(-1) for layer in model.layers()
                         for t in layer.tensors()])
    files = {}
    files["weights"] = write_f32(os.path.join(out_dir, name + ".weights.bin"),
                                 weights)
    files["input"] = write_f32(os.path.join(out_dir, name + ".input.bin"), x)
    files["output"] = write_f32(os.path.join(out_dir, name + ".output.bin"), y)

    flat = y.reshape(-1)
    info = {
        "name": name, "params": params, "macs": count_macs(model, x),
        "input": list(shape), "output": [1, flat.numel(), 1, 1],
        "diff64": diff64, "files": files,
        "out_min": flat.min().item(), "out_max": flat.max().item(),
    }
    if name != "autoencoder":
        top2 = torch.topk(flat, 2)
        info["top"] = int(top2.indices[0])
        info["top_prob"] = top2.values[0].item()
        info["margin"] = (top2.values[0] - top2.values[1]).item()
        if info["margin"] < 1e-2:
            sys.exit(f"{name}: top-2 margin {info['margin']:.3g} too small "
                     "for a meaningful top-class check; change --seed")
    return info


def write_manifest(out_dir, infos):
    with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
        f.write("# Written by tools/make_goldens.py; read by "
                "tests/unit/test_mlperf_goldens.cpp.\n"
                "# name params macs in_n in_c in_h in_w "
                "out_n out_c out_h out_w max_abs_diff_f32_vs_f64\n")
        for i in infos:
            f.write(" ".join(str(v) for v in
                             [i["name"], i["params"], i["macs"], *i["input"],
                              *i["output"], f"{i['diff64']:.3e}"]) + "\n")


def write_readme(out_dir, infos, seed):
    lines = [
        "# MLPerf Tiny golden fixtures",
        "",
        "Made by `tools/make_goldens.py` (do not edit by hand):",
        "",
        "```",
        "apt-get install -y python3-torch   # only this script needs torch",
        f"/usr/bin/python3 tools/make_goldens.py --seed {seed}",
        "```",
        "",
        f"- torch {torch.__version__}, numpy {np.__version__}, "
        f"Python {sys.version.split()[0]}, 1 thread, deterministic "
        "algorithms.",
        f"- Seeds: network i (in the order {', '.join(NETS)}) uses "
        f"`torch.Generator().manual_seed({seed} + 1000 * i)`, first for the "
        "weights (layer by layer, weight then bias), then for the input.",
        "- Weights: normal with variance 2/fan_in before a ReLU, 1/fan_in "
        "otherwise; biases uniform in [-0.1, 0.1). A classifier's last dense "
        "layer (weights and bias) is then scaled so that its logits on the "
        "input have a standard deviation of 1.5 across classes: the softmax "
        "neither saturates nor is near-uniform. BatchNorm is treated as "
        "folded: every convolution and dense layer has a bias.",
        "- Inputs: uniform [0, 1) for the image networks, standard normal "
        "for DS-CNN and the autoencoder.",
        "- Outputs: the float32 PyTorch model (TF SAME padding via F.pad). "
        "The same model in float64 differs from them by at most the "
        "`f32 vs f64` column: the size of float32 rounding noise, which the "
        "tests' tolerances must exceed.",
        "",
        "Files, all float32 little-endian without header:",
        "",
        "- `<net>.weights.bin`: every layer's weights then its bias, in the "
        "order `examples/mlperf_tiny/networks.c` reads them (convolution "
        "OIHW, depthwise `[C][1][kh][kw]`, dense `[out][in]`).",
        "- `<net>.input.bin`: the input, NCHW, batch 1.",
        "- `<net>.output.bin`: the output (softmax probabilities; the "
        "autoencoder's 640 reconstructed values).",
        "- `manifest.txt`: parameters and MACs counted by PyTorch (the sum of "
        "`numel()` of the parameters; conv/dense MACs from forward hooks), "
        "shapes, and the float64 difference.",
        "",
        "| net | params | MACs | input | top class (p) | top-2 margin | "
        "f32 vs f64 |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for i in infos:
        top = (f"{i['top']} ({i['top_prob']:.4f})" if "top" in i
               else f"- (outputs in [{i['out_min']:.3f}, {i['out_max']:.3f}])")
        margin = f"{i['margin']:.4f}" if "margin" in i else "-"
        lines.append(f"| {i['name']} | {i['params']} | {i['macs']} | "
                     f"{'x'.join(map(str, i['input']))} | {top} | {margin} | "
                     f"{i['diff64']:.2e} |")
    lines += ["", "SHA-256:", "", "```"]
    for i in infos:
        for kind in ("weights", "input", "output"):
            lines.append(f"{i['files'][kind]}  {i['name']}.{kind}.bin")
    lines += ["```", ""]
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "tests", "goldens"))
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    infos = [make(name, i, args.seed, args.out) for i, name in enumerate(NETS)]
    write_manifest(args.out, infos)
    write_readme(args.out, infos, args.seed)
    for i in infos:
        print(f"{i['name']:13s} params {i['params']:7d}  MACs {i['macs']:9d}"
              f"  f32 vs f64 {i['diff64']:.2e}"
              + (f"  top {i['top']} p={i['top_prob']:.4f} "
                 f"margin {i['margin']:.4f}" if "top" in i else ""))


if __name__ == "__main__":
    main()
