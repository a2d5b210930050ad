// Turns an int8 .tflite model into the engine-neutral Int8Net the int8 peer
// engines run.
#ifndef SMALL_BENCH_LOWER_TFLITE_H
#define SMALL_BENCH_LOWER_TFLITE_H

#include <string>

#include "int8_net.h"

namespace small_bench {

// Imports `path` with SMaLL's TFLite importer and lowers the int8 layers it
// described into *net. false, with *why, when the model holds something
// the peers are not given here (float layers, max pooling, concat, ...).
bool lower_tflite_int8_model(const std::string &path, Int8Net *net,
                             std::string *why);

} // namespace small_bench

#endif
