#include "node_attributes.h"

#include <limits>

namespace small_onnx {

void NodeAttributes::allow_only(
    std::initializer_list<const char *> allowed) const {
  for (const auto &a : node_.attribute()) {
    bool ok = false;
    for (const char *name : allowed) {
      ok = ok || a.name() == name;
    }
    if (!ok) {
      fail_here(SMALL_ERR_UNSUPPORTED, "attribute '" + a.name() +
                                           "' is not supported (opset " +
                                           std::to_string(opset_) + ")");
    }
    if (!a.ref_attr_name().empty()) {
      fail_here(SMALL_ERR_UNSUPPORTED,
                "attribute '" + a.name() + "' refers to a function attribute");
    }
  }
}

const onnx::AttributeProto *NodeAttributes::find(const char *name) const {
  const onnx::AttributeProto *found = nullptr;
  for (const auto &a : node_.attribute()) {
    if (a.name() == name) {
      if (found != nullptr) {
        fail_here(SMALL_ERR_PARSE,
                  "attribute '" + std::string(name) + "' is given twice");
      }
      found = &a;
    }
  }
  return found;
}

int64_t NodeAttributes::get_int(const char *name, int64_t def) const {
  const auto *a = find(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::INT &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_i())) {
    fail_here(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be an int");
  }
  return a->i();
}

float NodeAttributes::get_float(const char *name, float def) const {
  const auto *a = find(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::FLOAT &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_f())) {
    fail_here(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a float");
  }
  return a->f();
}

std::vector<int64_t> NodeAttributes::get_ints(const char *name) const {
  const auto *a = find(name);
  if (a == nullptr) {
    return {};
  }
  if (a->type() != onnx::AttributeProto::INTS &&
      a->type() != onnx::AttributeProto::UNDEFINED) {
    fail_here(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a list of ints");
  }
  return {a->ints().begin(), a->ints().end()};
}

std::string NodeAttributes::get_string(const char *name,
                                       const std::string &def) const {
  const auto *a = find(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::STRING &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_s())) {
    fail_here(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a string");
  }
  return a->s();
}

std::vector<uint32_t> NodeAttributes::spatial(const char *name, size_t spatial,
                                              uint32_t def,
                                              bool positive) const {
  const std::vector<int64_t> v = get_ints(name);
  if (v.empty()) {
    return std::vector<uint32_t>(spatial, def);
  }
  if (v.size() != spatial) {
    fail_here(SMALL_ERR_PARSE, "attribute '" + std::string(name) + "' has " +
                                   std::to_string(v.size()) +
                                   " values, the input has " +
                                   std::to_string(spatial) + " spatial axes");
  }
  std::vector<uint32_t> r;
  for (int64_t x : v) {
    if (x < (positive ? 1 : 0) || x > std::numeric_limits<uint32_t>::max()) {
      fail_here(SMALL_ERR_UNSUPPORTED, "attribute '" + std::string(name) +
                                           "' value " + std::to_string(x) +
                                           " is not supported");
    }
    r.push_back(static_cast<uint32_t>(x));
  }
  return r;
}

void NodeAttributes::window_padding(const Dims &in_dims,
                                    const std::vector<uint32_t> &kernel,
                                    const std::vector<uint32_t> &stride,
                                    const std::vector<uint32_t> &dilation,
                                    std::vector<uint32_t> &begin,
                                    std::vector<uint32_t> &end) const {
  const size_t sp = kernel.size();
  const std::string mode = get_string("auto_pad", "NOTSET");
  begin.assign(sp, 0);
  end.assign(sp, 0);
  if (mode == "NOTSET" || mode.empty()) {
    const std::vector<int64_t> pads = get_ints("pads");
    if (pads.empty()) {
      return;
    }
    if (pads.size() != 2 * sp) {
      fail_here(SMALL_ERR_PARSE,
                "attribute 'pads' has " + std::to_string(pads.size()) +
                    " values, expected " + std::to_string(2 * sp));
    }
    for (size_t k = 0; k < 2 * sp; ++k) {
      if (pads[k] < 0 || pads[k] > 65535) {
        fail_here(SMALL_ERR_UNSUPPORTED, "attribute 'pads' value " +
                                             std::to_string(pads[k]) +
                                             " is not supported (0..65535)");
      }
    }
    for (size_t k = 0; k < sp; ++k) {
      begin[k] = static_cast<uint32_t>(pads[k]);
      end[k] = static_cast<uint32_t>(pads[k + sp]);
    }
    return;
  }
  if (mode == "VALID") {
    return;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") {
    fail_here(SMALL_ERR_UNSUPPORTED,
              "attribute 'auto_pad' value '" + mode + "' is not supported");
  }
  for (size_t k = 0; k < sp; ++k) {
    // The core's SAME puts the odd pixel after, as SAME_UPPER does.
    uint32_t before = 0, after = 0;
    const small_status s =
        small_padding_same(static_cast<uint32_t>(in_dims[2 + k]), kernel[k],
                           stride[k], dilation[k], &before, &after);
    const uint64_t total = uint64_t{before} + after;
    if (s != SMALL_OK || total > 65535) {
      fail_here(SMALL_ERR_UNSUPPORTED,
                "auto_pad needs padding " +
                    (s == SMALL_OK ? std::to_string(total) : "over 2^32") +
                    ", more than supported");
    }
    begin[k] = mode == "SAME_UPPER" ? before : after;
    end[k] = mode == "SAME_UPPER" ? after : before;
  }
}

} // namespace small_onnx
