// Validates a public small_activation and lowers it to the kernels' form.
#ifndef SMALL_LAYERS_ACTIVATION_PARAMS_H
#define SMALL_LAYERS_ACTIVATION_PARAMS_H

#include <string>

#include "kernel_contract.h"
#include "small/small.h"

namespace small {

// The kind is read as the int it holds and range-checked.
[[nodiscard]] small_status lower_activation(const small_activation &a,
                                            const std::string &where,
                                            small_act_params &lowered);

// The public kind that describes a lowered activation (for layer tables):
// Clip with bounds (0, inf) reads as ReLU, (0, 6) as ReLU6.
small_activation_kind public_activation_kind(const small_act_params &p);

} // namespace small

#endif
