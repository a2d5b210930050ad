#include "layer_table.h"

#include <algorithm>

namespace small_tflite {

void fill_layer_table(ImportResult &out) {
  const small_import::NetworkDescription &desc = out.description;
  out.layers.clear();
  out.macs = 0;
  for (const small_import::Layer &layer : desc.layers) {
    if (std::holds_alternative<small_import::InputParams>(layer.params)) {
      continue;
    }
    LayerRow row;
    row.name = layer.name;
    row.tflite_ops = layer.source_ops;
    row.op = small_import::layer_kind_name(layer);
    const uint32_t *in = desc.layers[layer.inputs[0]].output_dims;
    std::copy(in, in + 4, row.in_dims);
    std::copy(layer.output_dims, layer.output_dims + 4, row.out_dims);
    if (!small_import::layer_macs(layer, row.in_dims, row.out_dims,
                                  &row.macs) ||
        __builtin_add_overflow(out.macs, row.macs, &out.macs)) {
      fail(SMALL_ERR_OVERFLOW, "layer '" + layer.name +
                                   "': the multiply-accumulate count "
                                   "overflows 64 bits");
    }
    out.layers.push_back(std::move(row));
  }
}

} // namespace small_tflite
