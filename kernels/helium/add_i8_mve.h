// The Helium table loop of the Cortex-M int8 ADD (cortex-m/add_i8.h): 4
// elements per step, each input's 4 bytes loaded widened to int32
// (VLDRB.S32), their rescalings gathered from the tables (VLDRW gather, the
// byte + 128 as the index), added, requantized by the right-shift path of
// requant_mve.h (the fused path the caller checked has a right shift of 2
// to 22), offset by the zero point, clamped and stored as bytes; the last
// 1 to 3 elements under a tail predicate. About 4 instructions per element,
// where the scalar table loop takes 13.
#ifndef SMALL_KERNELS_HELIUM_ADD_I8_MVE_H
#define SMALL_KERNELS_HELIUM_ADD_I8_MVE_H

#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "cortex-m/add_i8.h"
#include "kernel_contract.h"
#include "requant_mve.h"

namespace small::helium {

struct VectorTables {
  static void run(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                  const int32_t *ta, const int32_t *tb,
                  const cortex_m::ChannelRequant & /*requant*/,
                  const small_add_i8_params *p) {
    const int32x4_t m = vdupq_n_s32(p->out_multiplier);
    const int32x4_t shift = vdupq_n_s32(p->out_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const int32_t zp = p->out_zero_point;
    for (size_t i = 0; i < count; i += 4) {
      const mve_pred16_t live = vctp32q(static_cast<uint32_t>(count - i));
      const uint32x4_t ia =
          vreinterpretq_u32_s32(vaddq_n_s32(vldrbq_z_s32(a + i, live), 128));
      const uint32x4_t ib =
          vreinterpretq_u32_s32(vaddq_n_s32(vldrbq_z_s32(b + i, live), 128));
      const int32x4_t sum =
          vaddq_s32(vldrwq_gather_shifted_offset_z_s32(ta, ia, live),
                    vldrwq_gather_shifted_offset_z_s32(tb, ib, live));
      const int32x4_t y = vaddq_n_s32(requantize_right(sum, m, shift), zp);
      vstrbq_p_s32(out + i, vminq_s32(vmaxq_s32(y, lo), hi), live);
    }
  }
};

} // namespace small::helium

#endif
