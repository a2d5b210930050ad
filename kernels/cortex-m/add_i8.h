// int8 ADD for 32-bit cores (add_i8 of kernel_contract.h), bit for bit the
// scalar kernel's TFLite arithmetic, shared by the Cortex-M kernel folders.
//
// Each input is rescaled as RDBPOT(SRDHM(d * 2^L, m), e) with d = x - zp in
// [-255, 255] and L the left shift (20 in TFLite). Split m = mh * 2^(31-L) +
// ml with 0 <= ml < 2^(31-L); then
//   SRDHM(d * 2^L, m) = floor((d * m * 2^L + 2^30) / 2^31)
//                     = d * mh + floor((d * ml + 2^(30-L)) / 2^(31-L)),
// two multiply-accumulates in int32 where the generic path needs a 64-bit
// product: for 8 <= L <= 21 neither product leaves int32 (|d| <= 255) and
// the rounding shift's addend below 2^31 cannot overflow. The output's
// rescaling is the fused rounding of requant_i8.h. Other parameters (single
// rounding, a left shift on an input, the output off the fused path) go to
// the scalar kernel.
#ifndef SMALL_KERNELS_CORTEX_M_ADD_I8_H
#define SMALL_KERNELS_CORTEX_M_ADD_I8_H

#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "kernel_contract.h"
#include "scalar/scalar_kernels.h"

namespace small::cortex_m {

// One input's rescaling for a left shift L and a right shift e >= 0.
struct AddInputRescale {
  int32_t zero_point;
  int32_t mh, ml;     // the multiplier's split at bit 31 - L
  int32_t nudge;      // 2^(30 - L)
  int split;          // 31 - L
  int32_t half;       // 2^(e - 1), or 0 for e = 0
  int32_t if_rounded; // -1 for e > 0 (RDBPOT's -1 for negatives), else 0
  int right;          // e

  AddInputRescale(int32_t zp, int32_t multiplier, int32_t shift, int left)
      : zero_point(zp), mh(multiplier >> (31 - left)),
        ml(multiplier & ((int32_t{1} << (31 - left)) - 1)),
        nudge(int32_t{1} << (30 - left)), split(31 - left),
        half(shift < 0 ? int32_t{1} << (-shift - 1) : 0),
        if_rounded(shift < 0 ? -1 : 0), right(-shift) {}

  int32_t operator()(int8_t x) const {
    const int32_t d = x - zero_point;
    const int32_t high = d * mh + ((d * ml + nudge) >> split);
    return (high + half + ((high >> 31) & if_rounded)) >> right;
  }
};

inline bool add_i8_fast_path(const small_add_i8_params *p,
                             const ChannelRequant &out) {
  return p->single_rounding == 0 && p->left_shift >= 8 && p->left_shift <= 21 &&
         p->a_shift <= 0 && p->a_shift >= -31 && p->b_shift <= 0 &&
         p->b_shift >= -31 && out.fused();
}

// From this many elements on, add_i8 rescales through tables: an input
// byte has 256 values, so each input's rescaling is tabulated once per call
// (256 evaluations), and an element then costs two table loads where the
// direct rescaling took about 40 instructions (the two inputs' constants do
// not fit the core registers, and GCC 12 reloaded them for every element);
// with the tables, about 13.
constexpr size_t kAddTableMinCount = 256;

// table[x + 128] = r(x) for every int8 x.
inline void fill_rescale_table(const AddInputRescale &r, int32_t *table) {
  for (int x = -128; x < 128; ++x) {
    table[x + 128] = r(static_cast<int8_t>(x));
  }
}

// The table loop of a core with no vector unit: the fused output rounding
// of ta[a[i]] + tb[b[i]] (ta, tb: the tables, indexed by byte + 128),
// clamped (SSAT when the clamp is the whole int8 range).
struct ScalarTables {
  static void run(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                  const int32_t *ta, const int32_t *tb,
                  const ChannelRequant &requant,
                  const small_add_i8_params * /*p*/) {
    if (requant.full_range()) {
      loop<true>(a, b, out, count, ta + 128, tb + 128, requant);
    } else {
      loop<false>(a, b, out, count, ta + 128, tb + 128, requant);
    }
  }

  template <bool Full>
  static void loop(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                   const int32_t *ta, const int32_t *tb,
                   const ChannelRequant &requant) {
    const FusedRounding f = requant.fused_rounding();
    const int32_t lo = requant.lo(), hi = requant.hi();
    for (size_t i = 0; i < count; ++i) {
      const int32_t y = f(ta[a[i]] + tb[b[i]]);
      out[i] =
          static_cast<int8_t>(Full ? __ssat(y, 8) : fixed::clamp(y, lo, hi));
    }
  }
};

// add_i8 of kernel_contract.h. Tables: the loop over the elements once the
// inputs' rescalings are tabulated (ScalarTables, or a vector one; it may
// rely on the output shift being a right shift of 2 to 22, as the fused
// path requires).
template <typename Tables = ScalarTables>
void add_i8(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
            const small_add_i8_params *p) {
  const ChannelRequant requant(p->out_multiplier, p->out_shift,
                               p->out_zero_point, p->act_min, p->act_max,
                               false);
  if (!add_i8_fast_path(p, requant)) {
    scalar::add_i8__scalar(a, b, out, count, p);
    return;
  }
  const AddInputRescale ra(p->a_zero_point, p->a_multiplier, p->a_shift,
                           p->left_shift);
  const AddInputRescale rb(p->b_zero_point, p->b_multiplier, p->b_shift,
                           p->left_shift);
  if (count >= kAddTableMinCount) {
    int32_t table_a[256], table_b[256];
    fill_rescale_table(ra, table_a);
    fill_rescale_table(rb, table_b);
    Tables::run(a, b, out, count, table_a, table_b, requant, p);
    return;
  }
  const FusedRounding f = requant.fused_rounding();
  if (requant.full_range()) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = static_cast<int8_t>(__ssat(f(ra(a[i]) + rb(b[i])), 8));
    }
    return;
  }
  const int32_t lo = requant.lo(), hi = requant.hi();
  for (size_t i = 0; i < count; ++i) {
    out[i] = static_cast<int8_t>(fixed::clamp(f(ra(a[i]) + rb(b[i])), lo, hi));
  }
}

} // namespace small::cortex_m

#endif
