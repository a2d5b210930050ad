// Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Clip -> activation
// (which finalize fuses into the producing conv, dense or add).
#include <cmath>
#include <limits>

#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {
namespace {

void activation(Importer &im, small_activation act) {
  small_import::ActivationParams p;
  p.activation = act;
  Value v;
  v.dims = im.runtime_input(0).dims;
  v.tensor = im.add_layer(p, {im.materialize_input(0)});
  im.set_output(0, v);
}

} // namespace

void lower_relu(Importer &im) {
  im.attributes().allow_only({});
  activation(im, small_activation_make(SMALL_ACT_RELU));
}

void lower_leaky_relu(Importer &im) {
  im.attributes().allow_only({"alpha"});
  small_activation act = small_activation_make(SMALL_ACT_LEAKY_RELU);
  act.alpha = im.attributes().get_float("alpha", 0.01f);
  activation(im, act);
}

void lower_sigmoid(Importer &im) {
  im.attributes().allow_only({});
  activation(im, small_activation_make(SMALL_ACT_SIGMOID));
}

void lower_hard_sigmoid(Importer &im) {
  im.attributes().allow_only({"alpha", "beta"});
  small_activation act = small_activation_make(SMALL_ACT_HARD_SIGMOID);
  act.alpha = im.attributes().get_float("alpha", 0.2f);
  act.beta = im.attributes().get_float("beta", 0.5f);
  activation(im, act);
}

void lower_hard_swish(Importer &im) {
  im.attributes().allow_only({});
  activation(im, small_activation_make(SMALL_ACT_HARD_SWISH));
}

void lower_clip(Importer &im) {
  small_activation act = small_activation_make(SMALL_ACT_CLIP);
  if (im.opset() < 11) {
    im.attributes().allow_only({"min", "max"});
    act.min =
        im.attributes().get_float("min", -std::numeric_limits<float>::max());
    act.max =
        im.attributes().get_float("max", std::numeric_limits<float>::max());
  } else {
    im.attributes().allow_only({});
    for (int k = 1; k <= 2; ++k) {
      if (!im.has_input(k)) {
        continue;
      }
      auto c = im.const_input(k, false);
      if (c->count() != 1 || c->dims.size() > 1) {
        im.node_fail(SMALL_ERR_UNSUPPORTED, std::string("input '") +
                                                (k == 1 ? "min" : "max") +
                                                "' must be a scalar constant");
      }
      (k == 1 ? act.min : act.max) = c->f[0];
    }
  }
  // min > max is valid ONNX (every value becomes max, as in PyTorch and
  // numpy) and small's CLIP computes exactly that; NaN bounds are not.
  if (std::isnan(act.min) || std::isnan(act.max)) {
    im.node_fail(SMALL_ERR_UNSUPPORTED, "NaN 'min' or 'max' is not supported");
  }
  activation(im, act);
}

} // namespace small_onnx
