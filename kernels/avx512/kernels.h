// The AVX-512 kernels of this folder (Cb = 16).
#ifndef SMALL_KERNELS_AVX512_KERNELS_H
#define SMALL_KERNELS_AVX512_KERNELS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::avx512 {

void conv_f32_12x32__avx512(const small_window_tile *t);
void depthwise_f32_16x16__avx512(const small_window_tile *t);
void max_pool_f32_16__avx512(const small_window_tile *t);
void avg_pool_f32_16__avx512(const small_window_tile *t);
void activation_f32__avx512(const float *in, float *out, size_t count,
                            const small_act_params *act);
void add_f32__avx512(const float *a, const float *b, float *out, size_t count,
                     const small_act_params *act);

} // namespace small::avx512

#endif
