// The importer's layer table (small_onnx_model_layer): one row per layer the
// description holds beyond its inputs. After finalize, what ran and what was
// fused or pruned comes from the core (small_network_layer_info): each
// executed layer reports the tensor its fused chain ends in, which leads
// back to the ONNX nodes through the description.
#ifndef SMALL_ONNX_LAYER_TABLE_H
#define SMALL_ONNX_LAYER_TABLE_H

#include <vector>

#include "onnx_importer.h"

namespace small_onnx {

// Fills out.layers, out.executed_names and out.macs from out.description
// and, when out.finalized, from out.network. core_of[t]: the core tensor of
// description tensor t.
void fill_layer_table(ImportResult &out,
                      const std::vector<small_tensor> &core_of);

} // namespace small_onnx

#endif
