// The NEON float vector as vector traits (four lanes of a float32x4_t), for
// the templates written once over an ISA's vector (depthwise_rows.h).
// vfmaq_f32 needs VFPv4 on armv7 (-mfpu=neon-vfpv4), as neon_tiles.h.
#ifndef SMALL_KERNELS_ARM_VEC_F32_H
#define SMALL_KERNELS_ARM_VEC_F32_H

#include <arm_neon.h>

#include <cstddef>

namespace small::arm {

struct VecF32 {
  using type = float32x4_t;
  static constexpr size_t kLanes = 4;

  static type load(const float *p) { return vld1q_f32(p); }
  static void store(float *p, type v) { vst1q_f32(p, v); }
  static type set1(float x) { return vdupq_n_f32(x); }
  static type min(type a, type b) { return vminq_f32(a, b); }
  static type max(type a, type b) { return vmaxq_f32(a, b); }
  // a * b + c.
  static type fmadd(type a, type b, type c) { return vfmaq_f32(c, a, b); }
};

} // namespace small::arm

#endif
