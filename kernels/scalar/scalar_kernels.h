// The scalar kernels, by family. Each works for any channel block Cb.
#ifndef SMALL_KERNELS_SCALAR_KERNELS_H
#define SMALL_KERNELS_SCALAR_KERNELS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::scalar {

void conv_f32__scalar(const small_window_tile *t);
void depthwise_f32__scalar(const small_window_tile *t);
void max_pool_f32__scalar(const small_window_tile *t);
void avg_pool_f32__scalar(const small_window_tile *t);
void activation_f32__scalar(const float *in, float *out, size_t count,
                            const small_act_params *act);
void add_f32__scalar(const float *a, const float *b, float *out, size_t count,
                     const small_act_params *act);
void softmax_f32__scalar(const float *in, float *out, size_t pixels,
                         size_t channels, size_t block_step, size_t cb);

} // namespace small::scalar

#endif
