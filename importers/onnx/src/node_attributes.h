// Typed, checked access to one ONNX node's attributes. Failures name the
// node (ImportError with the node's "where" prefix).
#ifndef SMALL_ONNX_NODE_ATTRIBUTES_H
#define SMALL_ONNX_NODE_ATTRIBUTES_H

#include <onnx/onnx_pb.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "onnx_values.h"

namespace small_onnx {

class NodeAttributes {
public:
  NodeAttributes(const onnx::NodeProto &node, std::string where, int opset)
      : node_(node), where_(std::move(where)), opset_(opset) {}

  // Refuses any attribute not in `allowed` (and function references).
  void allow_only(std::initializer_list<const char *> allowed) const;
  // The attribute, or nullptr; refuses one given twice.
  const onnx::AttributeProto *find(const char *name) const;
  int64_t get_int(const char *name, int64_t def) const;
  float get_float(const char *name, float def) const;
  std::vector<int64_t> get_ints(const char *name) const;
  std::string get_string(const char *name, const std::string &def) const;

  // A per-spatial-axis attribute (strides, dilations, kernel_shape): absent
  // -> `def` on every axis; else exactly `spatial` values, each in
  // (positive ? 1 : 0)..2^32-1.
  std::vector<uint32_t> spatial(const char *name, size_t spatial, uint32_t def,
                                bool positive) const;

  // Padding per spatial axis from auto_pad / pads, as begin and end vectors
  // (in_dims: the ONNX input dims [N, C, spatial...]).
  void window_padding(const Dims &in_dims, const std::vector<uint32_t> &kernel,
                      const std::vector<uint32_t> &stride,
                      const std::vector<uint32_t> &dilation,
                      std::vector<uint32_t> &begin,
                      std::vector<uint32_t> &end) const;

private:
  [[noreturn]] void fail_here(small_status s, const std::string &msg) const {
    fail(s, where_ + ": " + msg);
  }

  const onnx::NodeProto &node_;
  std::string where_;
  int opset_;
};

} // namespace small_onnx

#endif
