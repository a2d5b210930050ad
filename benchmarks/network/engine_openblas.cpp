// The classic baseline: NCHW buffers, every convolution as im2col + sgemm
// (per group; a 1x1 stride-1 unpadded one is a plain sgemm on the input),
// dense layers as sgemv, then a bias + clamp pass. Pooling, add and softmax
// are plain loops.
#include "peer_net.h"

#if defined(SMALL_BENCH_HAVE_OPENBLAS)

#include <algorithm>
#include <cmath>
#include <cstring>

#include <cblas.h>

namespace small_bench {
namespace {

struct Step {
  const PeerOp *op = nullptr;
  PeerShape in, out;
  bool direct_gemm = false; // 1x1, stride 1, no padding: no im2col needed
};

uint32_t out_extent(uint32_t in, uint32_t k, uint32_t stride, uint32_t dil,
                    uint32_t pad_before, uint32_t pad_after) {
  const uint32_t span = dil * (k - 1) + 1;
  return (in + pad_before + pad_after - span) / stride + 1;
}

void bias_clamp(float *out, size_t channels, size_t plane, const float *bias,
                const PeerClamp &clamp) {
  for (size_t c = 0; c < channels; ++c) {
    float *row = out + c * plane;
    for (size_t i = 0; i < plane; ++i) {
      row[i] = std::min(std::max(row[i] + bias[c], clamp.lo), clamp.hi);
    }
  }
}

class OpenblasEngine final : public PeerEngine {
public:
  const char *name() const override { return "openblas"; }

  std::string detail() const override {
    return std::string("im2col+sgemm, core ") + openblas_get_corename();
  }

  bool prepare(const PeerNet &net, std::string *why) override {
    net_ = &net;
    openblas_set_num_threads(1);
    values_.assign(net.values.size(), {});
    for (size_t v = 0; v < net.values.size(); ++v) {
      values_[v].assign(net.values[v].elements(), 0.0f);
    }
    size_t col_size = 0;
    steps_.clear();
    for (const PeerOp &op : net.ops) {
      Step s;
      s.op = &op;
      s.in = net.values[op.in0];
      s.out = net.values[op.out];
      if (op.kind == PeerOpKind::kConv) {
        if (out_extent(s.in.h, op.kh, op.stride_h, op.dilation_h, op.pad_top,
                       op.pad_bottom) != s.out.h ||
            out_extent(s.in.w, op.kw, op.stride_w, op.dilation_w, op.pad_left,
                       op.pad_right) != s.out.w) {
          *why = "convolution output shape does not match its parameters";
          return false;
        }
        s.direct_gemm =
            op.kh == 1 && op.kw == 1 && op.stride_h == 1 && op.stride_w == 1 &&
            op.pad_top + op.pad_bottom + op.pad_left + op.pad_right == 0;
        const size_t rows = size_t{s.in.c / op.groups} * op.kh * op.kw;
        col_size = std::max(col_size, rows * s.out.h * s.out.w);
      }
      if (op.kind == PeerOpKind::kSoftmax && s.in.h * s.in.w != 1) {
        *why = "softmax over channels of a (c, 1, 1) tensor only";
        return false;
      }
      steps_.push_back(s);
    }
    col_.assign(col_size, 0.0f);
    return true;
  }

  void run(const float *input, float *output) override {
    std::memcpy(values_[0].data(), input, values_[0].size() * sizeof(float));
    for (const Step &s : steps_) {
      switch (s.op->kind) {
      case PeerOpKind::kConv:
        conv(s);
        break;
      case PeerOpKind::kDense:
        dense(s);
        break;
      case PeerOpKind::kAvgPool:
        avgpool(s);
        break;
      case PeerOpKind::kAdd:
        add(s);
        break;
      case PeerOpKind::kSoftmax:
        softmax(s);
        break;
      }
    }
    const std::vector<float> &out = values_[net_->output];
    std::memcpy(output, out.data(), out.size() * sizeof(float));
  }

private:
  // One group's im2col: rows (c, ky, kx), columns (oy, ox), zeros in padding.
  void im2col(const Step &s, const float *in, uint32_t in_channels) {
    const PeerOp &op = *s.op;
    float *col = col_.data();
    for (uint32_t c = 0; c < in_channels; ++c) {
      for (uint32_t ky = 0; ky < op.kh; ++ky) {
        for (uint32_t kx = 0; kx < op.kw; ++kx) {
          for (uint32_t oy = 0; oy < s.out.h; ++oy) {
            const long iy =
                long{oy} * op.stride_h - op.pad_top + long{ky} * op.dilation_h;
            for (uint32_t ox = 0; ox < s.out.w; ++ox) {
              const long ix = long{ox} * op.stride_w - op.pad_left +
                              long{kx} * op.dilation_w;
              const bool inside =
                  iy >= 0 && iy < long{s.in.h} && ix >= 0 && ix < long{s.in.w};
              *col++ =
                  inside ? in[(size_t{c} * s.in.h + iy) * s.in.w + ix] : 0.0f;
            }
          }
        }
      }
    }
  }

  void conv(const Step &s) {
    const PeerOp &op = *s.op;
    const float *in = values_[op.in0].data();
    float *out = values_[op.out].data();
    const uint32_t cg = s.in.c / op.groups, kg = s.out.c / op.groups;
    const size_t rows = size_t{cg} * op.kh * op.kw;
    const size_t plane_in = size_t{s.in.h} * s.in.w;
    const size_t cols = size_t{s.out.h} * s.out.w;
    for (uint32_t g = 0; g < op.groups; ++g) {
      const float *b = in + g * cg * plane_in;
      if (!s.direct_gemm) {
        im2col(s, b, cg);
        b = col_.data();
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kg, cols, rows,
                  1.0f, op.weights.data() + g * kg * rows, rows, b, cols, 0.0f,
                  out + g * kg * cols, cols);
    }
    bias_clamp(out, s.out.c, cols, op.bias.data(), op.clamp);
  }

  void dense(const Step &s) {
    const PeerOp &op = *s.op;
    const size_t in = s.in.elements(), outs = s.out.elements();
    float *y = values_[op.out].data();
    cblas_sgemv(CblasRowMajor, CblasNoTrans, outs, in, 1.0f, op.weights.data(),
                in, values_[op.in0].data(), 1, 0.0f, y, 1);
    bias_clamp(y, outs, 1, op.bias.data(), op.clamp);
  }

  void avgpool(const Step &s) {
    const float *in = values_[s.op->in0].data();
    float *out = values_[s.op->out].data();
    const size_t plane = size_t{s.in.h} * s.in.w;
    for (uint32_t c = 0; c < s.in.c; ++c) {
      float sum = 0.0f;
      for (size_t i = 0; i < plane; ++i) {
        sum += in[c * plane + i];
      }
      out[c] = sum / static_cast<float>(plane);
    }
  }

  void add(const Step &s) {
    const PeerOp &op = *s.op;
    const float *a = values_[op.in0].data(), *b = values_[op.in1].data();
    float *out = values_[op.out].data();
    for (size_t i = 0, n = s.out.elements(); i < n; ++i) {
      out[i] = std::min(std::max(a[i] + b[i], op.clamp.lo), op.clamp.hi);
    }
  }

  void softmax(const Step &s) {
    const float *in = values_[s.op->in0].data();
    float *out = values_[s.op->out].data();
    const size_t n = s.in.c;
    const float top = *std::max_element(in, in + n);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      out[i] = std::exp(in[i] - top);
      sum += out[i];
    }
    for (size_t i = 0; i < n; ++i) {
      out[i] /= sum;
    }
  }

  const PeerNet *net_ = nullptr;
  std::vector<std::vector<float>> values_; // one NCHW buffer per value
  std::vector<float> col_;
  std::vector<Step> steps_;
};

} // namespace

std::unique_ptr<PeerEngine> make_openblas_engine() {
  return std::make_unique<OpenblasEngine>();
}

} // namespace small_bench

#else

namespace small_bench {
std::unique_ptr<PeerEngine> make_openblas_engine() { return nullptr; }
} // namespace small_bench

#endif
