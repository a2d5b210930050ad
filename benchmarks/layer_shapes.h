// Every distinct Conv2D, depthwise and Dense layer shape of the MLPerf Tiny
// networks (ResNet-8, DS-CNN, MobileNetV1-0.25 at 96x96, Deep AutoEncoder),
// and one L1-resident shape that measures the convolution tile's ceiling.
#ifndef SMALL_BENCH_LAYER_SHAPES_H
#define SMALL_BENCH_LAYER_SHAPES_H

#include <cstdint>
#include <vector>

namespace small_bench {

enum class LayerKind { kConv, kDepthwise, kDense };

struct LayerShape {
  const char *name;
  LayerKind kind;
  uint32_t c, h, w; // input
  uint32_t k;       // output channels / features
  uint32_t kh, kw, stride;
  uint32_t pt, pb, pl, pr; // padding (TF SAME where the network uses it)
  // The network's first layer: it reads the network input, which a network
  // stores narrow (planar, or 4 int8 lanes) when it has fewer than Cb
  // channels; every other layer reads a blocked tensor.
  bool reads_network_input = false;
};

inline std::vector<LayerShape> mlperf_tiny_layers() {
  using K = LayerKind;
  return {
      // ResNet-8 (32x32x3)
      {"resnet8.conv1", K::kConv, 3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, true},
      {"resnet8.s1.conv", K::kConv, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1},
      {"resnet8.s2.conv1", K::kConv, 16, 32, 32, 32, 3, 3, 2, 0, 1, 0, 1},
      {"resnet8.s2.conv2", K::kConv, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1},
      {"resnet8.s2.shortcut", K::kConv, 16, 32, 32, 32, 1, 1, 2, 0, 0, 0, 0},
      {"resnet8.s3.conv1", K::kConv, 32, 16, 16, 64, 3, 3, 2, 0, 1, 0, 1},
      {"resnet8.s3.conv2", K::kConv, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1},
      {"resnet8.s3.shortcut", K::kConv, 32, 16, 16, 64, 1, 1, 2, 0, 0, 0, 0},
      {"resnet8.fc", K::kDense, 64, 1, 1, 10, 1, 1, 1, 0, 0, 0, 0},
      // DS-CNN (49x10x1)
      {"dscnn.conv1", K::kConv, 1, 49, 10, 64, 10, 4, 2, 4, 5, 1, 1, true},
      {"dscnn.dw", K::kDepthwise, 64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1},
      {"dscnn.pw", K::kConv, 64, 25, 5, 64, 1, 1, 1, 0, 0, 0, 0},
      {"dscnn.fc", K::kDense, 64, 1, 1, 12, 1, 1, 1, 0, 0, 0, 0},
      // MobileNetV1 0.25 (96x96x3)
      {"mbnet.conv1", K::kConv, 3, 96, 96, 8, 3, 3, 2, 0, 1, 0, 1, true},
      {"mbnet.dw1", K::kDepthwise, 8, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1},
      {"mbnet.pw1", K::kConv, 8, 48, 48, 16, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw2", K::kDepthwise, 16, 48, 48, 16, 3, 3, 2, 0, 1, 0, 1},
      {"mbnet.pw2", K::kConv, 16, 24, 24, 32, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw3", K::kDepthwise, 32, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1},
      {"mbnet.pw3", K::kConv, 32, 24, 24, 32, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw4", K::kDepthwise, 32, 24, 24, 32, 3, 3, 2, 0, 1, 0, 1},
      {"mbnet.pw4", K::kConv, 32, 12, 12, 64, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw5", K::kDepthwise, 64, 12, 12, 64, 3, 3, 1, 1, 1, 1, 1},
      {"mbnet.pw5", K::kConv, 64, 12, 12, 64, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw6", K::kDepthwise, 64, 12, 12, 64, 3, 3, 2, 0, 1, 0, 1},
      {"mbnet.pw6", K::kConv, 64, 6, 6, 128, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw7", K::kDepthwise, 128, 6, 6, 128, 3, 3, 1, 1, 1, 1, 1},
      {"mbnet.pw7", K::kConv, 128, 6, 6, 128, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw12", K::kDepthwise, 128, 6, 6, 128, 3, 3, 2, 0, 1, 0, 1},
      {"mbnet.pw12", K::kConv, 128, 3, 3, 256, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.dw13", K::kDepthwise, 256, 3, 3, 256, 3, 3, 1, 1, 1, 1, 1},
      {"mbnet.pw13", K::kConv, 256, 3, 3, 256, 1, 1, 1, 0, 0, 0, 0},
      {"mbnet.fc", K::kDense, 256, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0},
      // Deep AutoEncoder (640)
      {"ae.fc640_128", K::kDense, 640, 1, 1, 128, 1, 1, 1, 0, 0, 0, 0},
      {"ae.fc128_128", K::kDense, 128, 1, 1, 128, 1, 1, 1, 0, 0, 0, 0},
      {"ae.fc128_8", K::kDense, 128, 1, 1, 8, 1, 1, 1, 0, 0, 0, 0},
      {"ae.fc8_128", K::kDense, 8, 1, 1, 128, 1, 1, 1, 0, 0, 0, 0},
      {"ae.fc128_640", K::kDense, 128, 1, 1, 640, 1, 1, 1, 0, 0, 0, 0},
      // Not a network layer: the convolution tile's own ceiling on this
      // machine. A 1x1 layer whose input (12 pixels x 256 channels, 12 KB)
      // and weights (32 KB) stay in L1 and whose tiles reduce over 256
      // channels, so its percent of peak is the tile's inner loop against
      // the register-only FMA loop, with no memory or per-tile costs.
      {"tile_ceiling.l1", K::kConv, 256, 1, 12, 32, 1, 1, 1, 0, 0, 0, 0},
  };
}

} // namespace small_bench

#endif
