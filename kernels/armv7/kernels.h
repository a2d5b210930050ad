// The armv7 NEON kernels of this folder (Cb = 8).
#ifndef SMALL_KERNELS_ARMV7_KERNELS_H
#define SMALL_KERNELS_ARMV7_KERNELS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::armv7 {

void conv_f32_3x8__armv7(const small_window_tile *t);
void depthwise_f32_4x8__armv7(const small_window_tile *t);
void max_pool_f32_8__armv7(const small_window_tile *t);
void avg_pool_f32_8__armv7(const small_window_tile *t);
void activation_f32__armv7(const float *in, float *out, size_t count,
                           const small_act_params *act);
void add_f32__armv7(const float *a, const float *b, float *out, size_t count,
                    const small_act_params *act);

} // namespace small::armv7

#endif
