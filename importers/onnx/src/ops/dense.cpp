// Gemm and MatMul with a constant right operand -> dense (plus an add for a
// runtime Gemm C).
#include <limits>

#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {
namespace {

small_import::DenseParams dense_params(uint32_t out_features,
                                       std::vector<float> w,
                                       std::vector<float> b) {
  small_import::DenseParams p;
  p.out_features = out_features;
  p.weights = std::move(w);
  p.bias = std::move(b);
  p.activation = small_activation_make(SMALL_ACT_NONE);
  return p;
}

void dense(Importer &im, const Value &in, uint32_t out_features,
           std::vector<float> w, std::vector<float> b, const Dims &out_dims) {
  Value v;
  v.tensor = im.add_layer(
      dense_params(out_features, std::move(w), std::move(b)), {in.tensor});
  v.dims = out_dims;
  im.set_output(0, v);
}

// Gemm's C as a per-output bias: broadcast to [M, N], constant along M.
std::vector<float> gemm_bias(Importer &im, const Const &c, int64_t m, int64_t n,
                             float beta) {
  const Dims &cd = c.dims;
  bool ok = cd.size() <= 2;
  int64_t cm = 1, cn = 1;
  if (cd.size() == 1) {
    cn = cd[0];
  } else if (cd.size() == 2) {
    cm = cd[0];
    cn = cd[1];
  }
  ok = ok && (cn == 1 || cn == n) && (cm == 1 || cm == m);
  if (!ok) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "input C " + dims_str(cd) + " does not broadcast to [" +
                     std::to_string(m) + ", " + std::to_string(n) + "]");
  }
  std::vector<float> bias(static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) {
    const float v0 = c.f[cn == 1 ? 0 : o];
    for (int64_t r = 1; r < cm; ++r) {
      if (c.f[r * cn + (cn == 1 ? 0 : o)] != v0) {
        im.node_fail(SMALL_ERR_UNSUPPORTED,
                     "input C " + dims_str(cd) +
                         " differs between rows (a per-sample bias is not "
                         "supported)");
      }
    }
    bias[o] = beta == 1.0f ? v0 : beta * v0;
  }
  return bias;
}

} // namespace

void lower_gemm(Importer &im) {
  const NodeAttributes &at = im.attributes();
  if (im.opset() < 7) {
    at.allow_only({"alpha", "beta", "transA", "transB", "broadcast"});
  } else {
    at.allow_only({"alpha", "beta", "transA", "transB"});
  }
  const Value &a = im.runtime_input(0);
  if (a.dims.size() != 2) {
    im.node_fail(SMALL_ERR_PARSE,
                 "input A " + dims_str(a.dims) + " must be 2-D");
  }
  if (at.get_int("transA", 0) != 0) {
    im.node_fail(
        SMALL_ERR_UNSUPPORTED,
        "attribute 'transA' = " + std::to_string(at.get_int("transA", 0)) +
            " is not supported (A is the runtime tensor; its first "
            "axis is the batch)");
  }
  const float alpha = at.get_float("alpha", 1.0f);
  const float beta = at.get_float("beta", 1.0f);
  const bool trans_b = at.get_int("transB", 0) != 0;
  auto b = im.const_input(1, false);
  if (b->dims.size() != 2) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "input B " + dims_str(b->dims) + " must be 2-D");
  }
  const int64_t k = a.dims[1];
  const int64_t bk = trans_b ? b->dims[1] : b->dims[0];
  const int64_t n = trans_b ? b->dims[0] : b->dims[1];
  if (bk != k || n < 1 || n > std::numeric_limits<uint32_t>::max()) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "A " + dims_str(a.dims) + " and B " + dims_str(b->dims) +
                     (trans_b ? " (transposed)" : "") + " do not chain");
  }
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t i = 0; i < k; ++i) {
      const float v = trans_b ? b->f[o * k + i] : b->f[i * n + o];
      w[o * k + i] = alpha == 1.0f ? v : alpha * v;
    }
  }
  if (im.has_input(2) && im.input_value(2).kind == Value::kRuntime) {
    // Runtime C: dense, then an element-wise add (no scaling available).
    const Value &cv = im.input_value(2);
    if (beta != 1.0f || cv.dims != Dims{a.dims[0], n}) {
      im.node_fail(SMALL_ERR_UNSUPPORTED,
                   "a runtime input C is supported only with beta = 1 and "
                   "shape [M, N] (got beta " +
                       std::to_string(beta) + ", C " + dims_str(cv.dims) + ")");
    }
    const Dims out_dims{a.dims[0], n};
    const TensorId y = im.add_layer(
        dense_params(static_cast<uint32_t>(n), std::move(w), {}), {a.tensor});
    small_import::AddParams add;
    add.activation = small_activation_make(SMALL_ACT_NONE);
    Value v;
    v.dims = out_dims;
    v.tensor = im.add_layer(add, {y, im.materialize_input(2)});
    im.set_output(0, v);
    return;
  }
  std::vector<float> bias;
  if (im.has_input(2)) {
    const Value &cv = im.input_value(2);
    if (cv.kind != Value::kConstant || cv.constant->is_int) {
      im.node_fail(SMALL_ERR_UNSUPPORTED, "input C must be a float32 tensor");
    }
    bias = gemm_bias(im, *cv.constant, a.dims[0], n, beta);
  }
  dense(im, a, static_cast<uint32_t>(n), std::move(w), std::move(bias),
        Dims{a.dims[0], n});
}

void lower_matmul(Importer &im) {
  im.attributes().allow_only({});
  const Value &a = im.input_value(0);
  const Value &bv = im.input_value(1);
  if (a.kind != Value::kRuntime || bv.kind != Value::kConstant) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "only a runtime A times a constant 2-D B is supported");
  }
  auto b = im.const_input(1, false);
  if (b->dims.size() != 2) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input B " + dims_str(b->dims) +
                     " must be a 2-D constant (batched MatMul is not "
                     "supported)");
  }
  const Dims &ad = a.dims;
  const int64_t k = ad.back(), n = b->dims[1];
  if (b->dims[0] != k) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH, "A " + dims_str(ad) + " and B " +
                                               dims_str(b->dims) +
                                               " do not chain");
  }
  if (product(ad, 1, ad.size() - 1) != 1) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input A " + dims_str(ad) +
                     ": only one row per batch item is supported (every axis "
                     "between the first and the last must be 1)");
  }
  if (n < 1 || n > std::numeric_limits<uint32_t>::max()) {
    im.node_fail(SMALL_ERR_UNSUPPORTED, "output width " + std::to_string(n));
  }
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t i = 0; i < k; ++i) {
      w[o * k + i] = b->f[i * n + o];
    }
  }
  Dims od = ad;
  od.back() = n;
  dense(im, a, static_cast<uint32_t>(n), std::move(w), {}, od);
}

} // namespace small_onnx
