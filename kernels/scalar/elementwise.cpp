// Scalar element-wise kernels: activation and residual add.
#include <cstddef>

#include "activation.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

void activation_f32__scalar(const float *in, float *out, size_t count,
                            const small_act_params *act) {
  for (size_t i = 0; i < count; ++i) {
    out[i] = apply_activation(in[i], *act);
  }
}

void add_f32__scalar(const float *a, const float *b, float *out, size_t count,
                     const small_act_params *act) {
  for (size_t i = 0; i < count; ++i) {
    out[i] = apply_activation(a[i] + b[i], *act);
  }
}

} // namespace small::scalar
