// A SMaLL convolution's window as every peer engine takes it: kernel,
// strides, dilations, groups and explicit padding (TF SAME resolved).
// Shared by the ONNX (fp32) and TFLite (int8) lowerings; Op is PeerOp or
// Int8Op, which name these fields alike.
#ifndef SMALL_BENCH_CONV_GEOMETRY_H
#define SMALL_BENCH_CONV_GEOMETRY_H

#include "peer_net.h"
#include "small/small.h"

namespace small_bench {

// false when SAME padding cannot be resolved for this input.
template <class Op>
bool set_conv_geometry(const small_conv2d_params &p, const PeerShape &in,
                       Op *op) {
  op->kh = p.kernel_h;
  op->kw = p.kernel_w;
  op->stride_h = p.stride_h;
  op->stride_w = p.stride_w;
  op->dilation_h = p.dilation_h;
  op->dilation_w = p.dilation_w;
  op->groups = p.groups;
  if (p.padding_mode == SMALL_PADDING_SAME) {
    return small_padding_same(in.h, p.kernel_h, p.stride_h, p.dilation_h,
                              &op->pad_top, &op->pad_bottom) == SMALL_OK &&
           small_padding_same(in.w, p.kernel_w, p.stride_w, p.dilation_w,
                              &op->pad_left, &op->pad_right) == SMALL_OK;
  }
  if (p.padding_mode == SMALL_PADDING_EXPLICIT) {
    op->pad_top = p.pad_top;
    op->pad_bottom = p.pad_bottom;
    op->pad_left = p.pad_left;
    op->pad_right = p.pad_right;
  }
  return true;
}

} // namespace small_bench

#endif
