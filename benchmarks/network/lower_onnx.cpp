// The ONNX entry of the peer lowering (lower_description.h).
#include "lower_onnx.h"

#include "lower_description.h"
#include "small/small_onnx.h"
#include "small_import/onnx_description.h"

namespace small_bench {

bool lower_onnx_model(const std::string &path, PeerNet *net, std::string *why) {
  // Finalized, so the MAC count is that of the layers the core executes.
  small_onnx_model *model = nullptr;
  if (small_onnx_import_file(path.c_str(), nullptr, &model) != SMALL_OK) {
    *why = small_onnx_last_error();
    return false;
  }
  const bool lowered =
      lower_description(*small_import::onnx_model_description(model),
                        small_onnx_model_macs(model), net, why);
  small_onnx_model_destroy(model);
  return lowered;
}

} // namespace small_bench
