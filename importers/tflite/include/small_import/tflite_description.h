// C++ access to what the TFLite importer described, for C++ consumers of the
// format-neutral NetworkDescription (e.g. a benchmark that builds the same
// network on other engines). C users have small_tflite.h.
#ifndef SMALL_IMPORT_TFLITE_DESCRIPTION_H
#define SMALL_IMPORT_TFLITE_DESCRIPTION_H

#include "small/small_tflite.h"
#include "small_import/network_description.h"

namespace small_import {

// The description of an imported model (valid as long as the model); NULL
// when model is NULL.
const NetworkDescription *
tflite_model_description(const small_tflite_model *model);

} // namespace small_import

#endif
