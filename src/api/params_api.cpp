// Parameter helpers of the C API: defaults and SAME padding.
#include <cstring>
#include <limits>

#include "api/api_guard.h"
#include "layers/padding.h"
#include "small/small.h"

using small::guarded;
using small::require;

extern "C" {

SMALL_API void small_conv2d_params_init(small_conv2d_params *p) {
  if (p == nullptr) {
    return;
  }
  *p = small_conv2d_params{};
  p->stride_h = p->stride_w = 1;
  p->dilation_h = p->dilation_w = 1;
  p->groups = 1;
  p->padding_mode = SMALL_PADDING_EXPLICIT;
  p->weight_layout = SMALL_WEIGHTS_OIHW;
  p->activation = small_activation_make(SMALL_ACT_NONE);
}

SMALL_API void small_pool2d_params_init(small_pool2d_params *p) {
  if (p == nullptr) {
    return;
  }
  *p = small_pool2d_params{};
  p->kind = SMALL_POOL_MAX;
  p->stride_h = p->stride_w = 1;
  p->padding_mode = SMALL_PADDING_EXPLICIT;
}

SMALL_API small_activation small_activation_make(small_activation_kind kind) {
  // Any int may arrive: compare it as an int and copy it as bytes (a bad
  // kind is reported when the activation is used).
  const int value = small::enum_value(kind);
  small_activation a{};
  std::memcpy(&a.kind, &value, sizeof a.kind);
  a.alpha = value == SMALL_ACT_HARD_SIGMOID ? 0.2f : 0.01f;
  a.beta = 0.5f;
  a.min = -std::numeric_limits<float>::infinity();
  a.max = std::numeric_limits<float>::infinity();
  return a;
}

SMALL_API small_status small_padding_same(uint32_t in, uint32_t kernel,
                                          uint32_t stride, uint32_t dilation,
                                          uint32_t *pad_before,
                                          uint32_t *pad_after) {
  return guarded("small_padding_same", [&]() -> small_status {
    SMALL_TRY(require(pad_before, "pad_before"));
    SMALL_TRY(require(pad_after, "pad_after"));
    return small::same_padding(in, kernel, stride, dilation, *pad_before,
                               *pad_after, "SAME padding");
  });
}

} // extern "C"
