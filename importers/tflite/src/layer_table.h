// The importer's layer table (small_tflite_model_layer): one row per layer
// the description holds beyond its inputs, as added (before fusion).
#ifndef SMALL_TFLITE_LAYER_TABLE_H
#define SMALL_TFLITE_LAYER_TABLE_H

#include "tflite_importer.h"

namespace small_tflite {

// Fills out.layers and out.macs from out.description.
void fill_layer_table(ImportResult &out);

} // namespace small_tflite

#endif
