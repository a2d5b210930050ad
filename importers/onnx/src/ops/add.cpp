// Add: two runtime tensors of one shape -> add; a runtime tensor plus a
// per-channel constant -> a batchnorm that only shifts (which finalize can
// fold into the producing conv).
#include <cmath>

#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {
namespace {

bool same_float(float a, float b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// The per-channel bias a constant `c` (broadcast to `full`, the runtime
// dims' rank) amounts to; fails when it varies outside the channel axis.
std::vector<float> channel_bias(Importer &im, const Const &c, const Dims &full,
                                const Dims &xd) {
  const size_t ca = channel_axis(xd);
  const int64_t channels = xd[ca];
  std::vector<float> bias(static_cast<size_t>(channels));
  std::vector<bool> seen(static_cast<size_t>(channels), false);
  auto take = [&](int64_t ch, float v) {
    if (!seen[ch]) {
      bias[ch] = v;
      seen[ch] = true;
    } else if (!same_float(bias[ch], v)) {
      im.node_fail(SMALL_ERR_UNSUPPORTED,
                   "constant " + dims_str(c.dims) +
                       " varies outside the channel axis (only a "
                       "per-channel bias is supported)");
    }
  };
  std::vector<int64_t> strides(full.size(), 0);
  int64_t st = 1;
  for (size_t k = full.size(); k-- > 0;) {
    strides[k] = full[k] == 1 ? 0 : st;
    st *= full[k];
  }
  // Walk every constant element once (through its broadcast index).
  const uint64_t count = product(full);
  std::vector<int64_t> idx(full.size(), 0);
  for (uint64_t e = 0; e < count; ++e) {
    int64_t off = 0;
    for (size_t k = 0; k < full.size(); ++k) {
      off += idx[k] * strides[k];
    }
    const float v = c.f[static_cast<size_t>(off)];
    if (full[ca] == 1) {
      for (int64_t ch = 0; ch < channels; ++ch) {
        take(ch, v);
      }
    } else {
      take(idx[ca], v);
    }
    for (size_t k = full.size(); k-- > 0;) {
      if (++idx[k] < full[k]) {
        break;
      }
      idx[k] = 0;
    }
  }
  return bias;
}

} // namespace

void lower_add(Importer &im) {
  const NodeAttributes &at = im.attributes();
  bool legacy = false; // opset < 7 broadcast of B aligned at `axis`
  if (im.opset() < 7) {
    at.allow_only({"broadcast", "axis"});
    legacy = at.get_int("broadcast", 0) != 0;
  } else {
    at.allow_only({});
  }
  const Value &a = im.input_value(0);
  const Value &b = im.input_value(1);
  if (a.kind == Value::kRuntime && b.kind == Value::kRuntime) {
    if (a.dims != b.dims) {
      im.node_fail(SMALL_ERR_UNSUPPORTED,
                   "broadcasting between two runtime tensors " +
                       dims_str(a.dims) + " and " + dims_str(b.dims) +
                       " is not supported");
    }
    small_import::AddParams p;
    p.activation = small_activation_make(SMALL_ACT_NONE);
    Value v;
    v.dims = a.dims;
    const TensorId x0 = im.materialize_input(0);
    v.tensor = im.add_layer(p, {x0, im.materialize_input(1)});
    im.set_output(0, v);
    return;
  }
  if (a.kind != Value::kRuntime && b.kind != Value::kRuntime) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "both inputs are constants (constant folding is not "
                 "supported)");
  }
  const bool a_runtime = a.kind == Value::kRuntime;
  const Dims xd = (a_runtime ? a : b).dims;
  auto c = im.const_input(a_runtime ? 1 : 0, false);
  Dims cd = c->dims;
  if (legacy) {
    if (!a_runtime) {
      im.node_fail(SMALL_ERR_UNSUPPORTED,
                   "legacy broadcast needs the runtime tensor as input A");
    }
    int64_t axis = at.get_int("axis", static_cast<int64_t>(xd.size()) -
                                          static_cast<int64_t>(cd.size()));
    if (axis < 0 || axis + cd.size() > xd.size()) {
      im.node_fail(SMALL_ERR_PARSE, "attribute 'axis' is out of range");
    }
    cd.insert(cd.end(), xd.size() - axis - c->dims.size(), 1);
  }
  // Numpy broadcasting: the constant must broadcast to the runtime shape.
  if (cd.size() > xd.size()) {
    im.node_fail(SMALL_ERR_UNSUPPORTED, "constant " + dims_str(c->dims) +
                                            " has more axes than " +
                                            dims_str(xd));
  }
  Dims full(xd.size() - cd.size(), 1);
  full.insert(full.end(), cd.begin(), cd.end());
  for (size_t k = 0; k < xd.size(); ++k) {
    if (full[k] != 1 && full[k] != xd[k]) {
      im.node_fail(SMALL_ERR_UNSUPPORTED,
                   "constant " + dims_str(c->dims) +
                       " does not broadcast to the runtime tensor " +
                       dims_str(xd) + " without growing it");
    }
  }
  const size_t channels = static_cast<size_t>(xd[channel_axis(xd)]);
  small_import::BatchNormParams p;
  p.beta = channel_bias(im, *c, full, xd);
  p.gamma.assign(channels, 1.0f);
  p.mean.assign(channels, 0.0f);
  p.var.assign(channels, 1.0f);
  p.epsilon = 0.0f;
  Value v;
  v.dims = xd;
  v.tensor =
      im.add_layer(std::move(p), {im.materialize_input(a_runtime ? 0 : 1)});
  im.set_output(0, v);
}

} // namespace small_onnx
