// The aarch64 NEON kernels of this folder (Cb = 16).
#ifndef SMALL_KERNELS_NEON_KERNELS_H
#define SMALL_KERNELS_NEON_KERNELS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::neon {

void conv_f32_5x16__neon(const small_window_tile *t);
void depthwise_f32_2x16__neon(const small_window_tile *t);
void max_pool_f32_16__neon(const small_window_tile *t);
void avg_pool_f32_16__neon(const small_window_tile *t);
void activation_f32__neon(const float *in, float *out, size_t count,
                          const small_act_params *act);
void add_f32__neon(const float *a, const float *b, float *out, size_t count,
                   const small_act_params *act);

} // namespace small::neon

#endif
