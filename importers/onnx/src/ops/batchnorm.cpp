// BatchNormalization (inference) -> batchnorm (which finalize folds into the
// producing conv or dense).
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {

void lower_batchnorm(Importer &im) {
  const NodeAttributes &at = im.attributes();
  if (im.opset() < 7) {
    at.allow_only({"epsilon", "momentum", "is_test", "spatial"});
  } else if (im.opset() < 9) {
    at.allow_only({"epsilon", "momentum", "spatial"});
  } else if (im.opset() < 14) {
    at.allow_only({"epsilon", "momentum"});
  } else {
    at.allow_only({"epsilon", "momentum", "training_mode"});
  }
  if (at.get_int("spatial", 1) != 1) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'spatial' = 0 is not supported");
  }
  if (at.get_int("training_mode", 0) != 0) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'training_mode' = " +
                     std::to_string(at.get_int("training_mode", 0)) +
                     " is not supported (inference only)");
  }
  const Dims xd = im.runtime_input(0).dims;
  if (xd.size() < 2) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input " + dims_str(xd) + " must have rank 2 to 4");
  }
  const int64_t c = xd[1];
  std::shared_ptr<const Const> p[4];
  const char *names[4] = {"scale", "B", "mean", "var"};
  for (int k = 0; k < 4; ++k) {
    p[k] = im.const_input(k + 1, false);
    if (p[k]->count() != static_cast<size_t>(c)) {
      im.node_fail(SMALL_ERR_SHAPE_MISMATCH, std::string("input '") + names[k] +
                                                 "' " + dims_str(p[k]->dims) +
                                                 " must hold " +
                                                 std::to_string(c) + " values");
    }
  }
  small_import::BatchNormParams bn;
  bn.gamma = p[0]->f;
  bn.beta = p[1]->f;
  bn.mean = p[2]->f;
  bn.var = p[3]->f;
  bn.epsilon = at.get_float("epsilon", 1e-5f);
  Value v;
  v.dims = xd;
  v.tensor = im.add_layer(std::move(bn), {im.materialize_input(0)});
  im.set_output(0, v);
  im.mark_extra_outputs_unusable(
      1, "training statistics outputs are not supported (inference only)");
}

} // namespace small_onnx
