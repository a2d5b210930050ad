// The importer's layer table (small_onnx_model_layer): one row per layer the
// description holds beyond its inputs, with shapes and MACs.
#ifndef SMALL_ONNX_LAYER_TABLE_H
#define SMALL_ONNX_LAYER_TABLE_H

#include "onnx_importer.h"

namespace small_onnx {

// Fills out.layers and out.macs from out.description.
void fill_layer_table(ImportResult &out);

} // namespace small_onnx

#endif
