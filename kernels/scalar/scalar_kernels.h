// The scalar kernels, by family. Each works for any channel block Cb.
#ifndef SMALL_KERNELS_SCALAR_KERNELS_H
#define SMALL_KERNELS_SCALAR_KERNELS_H

#include <cstddef>
#include <cstdint>

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

void conv_i8__scalar(const small_window_tile_i8 *t);
void depthwise_i8__scalar(const small_window_tile_i8 *t);
void max_pool_i8__scalar(const small_window_tile_i8 *t);
void avg_pool_i8__scalar(const small_window_tile_i8 *t);
void add_i8__scalar(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                    const small_add_i8_params *p);
void requant_i8__scalar(const int8_t *in, int8_t *out, size_t count,
                        const small_requant_i8_params *p);
void softmax_i8__scalar(const int8_t *in, int8_t *out, size_t pixels,
                        size_t channels, size_t block_step, size_t cb,
                        const small_softmax_i8_params *p);

} // namespace small::scalar

#endif
