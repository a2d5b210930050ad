// The fp32 epilogue of the Helium tiles: the scalar activation
// (scalar/activation.h) on a pixel's 16 lanes. NONE and CLIP, the ones
// networks fuse most, stay in vectors: VMAXNM / VMINNM are IEEE maxNum /
// minNum, the semantics of std::fmax / std::fmin, applied in the same order
// (so lo > hi still gives hi).
#ifndef SMALL_KERNELS_HELIUM_ACTIVATION_MVE_H
#define SMALL_KERNELS_HELIUM_ACTIVATION_MVE_H

#include <arm_mve.h>

#include "kernel_contract.h"
#include "scalar/activation.h"

namespace small::helium {

// Stores act(a0..a3) as the 16 floats at out.
inline void store_activated(float *out, float32x4_t a0, float32x4_t a1,
                            float32x4_t a2, float32x4_t a3,
                            const small_act_params &act) {
  if (act.op == SMALL_ACT_OP_CLIP) {
    const float32x4_t lo = vdupq_n_f32(act.lo), hi = vdupq_n_f32(act.hi);
    a0 = vminnmq_f32(vmaxnmq_f32(a0, lo), hi);
    a1 = vminnmq_f32(vmaxnmq_f32(a1, lo), hi);
    a2 = vminnmq_f32(vmaxnmq_f32(a2, lo), hi);
    a3 = vminnmq_f32(vmaxnmq_f32(a3, lo), hi);
  }
  vstrwq_f32(out, a0);
  vstrwq_f32(out + 4, a1);
  vstrwq_f32(out + 8, a2);
  vstrwq_f32(out + 12, a3);
  if (act.op != SMALL_ACT_OP_NONE && act.op != SMALL_ACT_OP_CLIP) {
    for (int o = 0; o < 16; ++o) {
      out[o] = scalar::apply_activation(out[o], act);
    }
  }
}

} // namespace small::helium

#endif
