#include "layer_table.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

namespace small_onnx {
namespace {

using small_import::Layer;

// Whether description layer `layer` is what the core executed as `kind`
// (the core tells a depthwise convolution apart from other conv2d).
bool same_kind(const Layer &layer, const char *kind) {
  const char *mine = small_import::layer_kind_name(layer);
  return std::strcmp(mine, kind) == 0 || (std::strcmp(mine, "conv2d") == 0 &&
                                          std::strcmp(kind, "depthwise") == 0);
}

void add_macs(uint64_t &total, uint64_t macs) {
  if (__builtin_add_overflow(total, macs, &total)) {
    fail(SMALL_ERR_OVERFLOW,
         "the model's multiply-accumulate count overflows 64 bits");
  }
}

// The rows of every non-input layer, as described (no fusion known).
std::vector<int> describe_rows(ImportResult &out) {
  const small_import::NetworkDescription &desc = out.description;
  std::vector<int> row_of(desc.layers.size(), -1);
  for (TensorId id = 0; id < desc.layers.size(); ++id) {
    const Layer &layer = desc.layers[id];
    if (std::holds_alternative<small_import::InputParams>(layer.params)) {
      continue;
    }
    LayerRow row;
    row.tensor = id;
    row.name = layer.name;
    row.onnx_ops = layer.source_ops;
    row.op = small_import::layer_kind_name(layer);
    const uint32_t *in = desc.layers[layer.inputs[0]].output_dims;
    std::copy(in, in + 4, row.in_dims);
    std::copy(layer.output_dims, layer.output_dims + 4, row.out_dims);
    if (!small_import::layer_macs(layer, row.in_dims, row.out_dims,
                                  &row.macs)) {
      fail(SMALL_ERR_OVERFLOW, "node '" + layer.name + "' (" +
                                   layer.source_ops +
                                   "): its multiply-accumulate count "
                                   "overflows 64 bits");
    }
    row_of[id] = static_cast<int>(out.layers.size());
    out.layers.push_back(std::move(row));
  }
  return row_of;
}

// Rows of the chain the executed layer ran, last first: from the tensor it
// wrote back through single-input layers to the one of its kind (the
// others were fused into it). A two-input layer (an Add the core folded
// into a convolution) continues through the input whose chain reaches that
// kind, the later one first, as the core picks it. Empty when no layer
// matches.
std::vector<int> chain_to_kind(const ImportResult &out,
                               const std::vector<int> &row_of, TensorId last,
                               const char *kind) {
  const small_import::NetworkDescription &desc = out.description;
  std::vector<int> chain;
  TensorId t = last;
  while (row_of[t] >= 0) {
    chain.push_back(row_of[t]);
    const Layer &layer = desc.layers[t];
    if (same_kind(layer, kind)) {
      return chain;
    }
    if (layer.inputs.size() == 2) {
      std::vector<TensorId> inputs = layer.inputs;
      std::sort(inputs.rbegin(), inputs.rend());
      for (TensorId in : inputs) {
        const std::vector<int> rest = chain_to_kind(out, row_of, in, kind);
        if (!rest.empty()) {
          chain.insert(chain.end(), rest.begin(), rest.end());
          return chain;
        }
      }
      break;
    }
    if (layer.inputs.size() != 1) {
      break;
    }
    t = layer.inputs[0];
  }
  return {};
}

// chain_to_kind, or just the last row when no layer matches. A fused pair
// ("depthwise+conv2d": the core ran a depthwise convolution and the 1x1
// convolution after it as one layer) is the chain back to its second kind,
// then on from that layer's input back to its first.
std::vector<int> fused_chain(const ImportResult &out,
                             const std::vector<int> &row_of, TensorId last,
                             const char *kind) {
  const char *plus = std::strchr(kind, '+');
  std::vector<int> chain =
      chain_to_kind(out, row_of, last, plus != nullptr ? plus + 1 : kind);
  if (plus != nullptr && !chain.empty()) {
    const Layer &second =
        out.description.layers[out.layers[chain.back()].tensor];
    const std::string first(kind, plus);
    std::vector<int> rest;
    if (second.inputs.size() == 1) {
      rest = chain_to_kind(out, row_of, second.inputs[0], first.c_str());
    }
    chain.insert(chain.end(), rest.begin(), rest.end());
    if (rest.empty()) {
      chain.clear();
    }
  }
  return chain.empty() ? std::vector<int>{row_of[last]} : chain;
}

} // namespace

void fill_layer_table(ImportResult &out,
                      const std::vector<small_tensor> &core_of) {
  const std::vector<int> row_of = describe_rows(out);
  std::vector<LayerRow> &rows = out.layers;
  out.macs = 0;
  if (!out.finalized) {
    for (const LayerRow &row : rows) {
      add_macs(out.macs, row.macs);
    }
    return;
  }
  std::map<small_tensor, TensorId> desc_of;
  for (TensorId t = 0; t < core_of.size(); ++t) {
    desc_of[core_of[t]] = t;
  }
  size_t executed = 0;
  small_network_layer_count(out.network, &executed);
  std::vector<bool> ran(rows.size(), false);
  for (size_t i = 0; i < executed; ++i) {
    small_layer_info info{};
    const small_status s = small_network_layer_info(out.network, i, &info);
    if (s != SMALL_OK) {
      fail(s, std::string("small_network_layer_info failed: ") +
                  small_last_error());
    }
    const auto last = desc_of.find(info.output);
    if (last == desc_of.end() || row_of[last->second] < 0) {
      fail(SMALL_ERR_INTERNAL, "executed layer " + std::to_string(i) +
                                   " writes a tensor the importer did not add");
    }
    const std::vector<int> chain =
        fused_chain(out, row_of, last->second, info.kind_name);
    LayerRow &head = rows[chain.back()];
    head.op = info.kind_name;
    std::copy(info.input_dims, info.input_dims + 4, head.in_dims);
    std::copy(info.output_dims, info.output_dims + 4, head.out_dims);
    head.macs = info.macs;
    head.fused_ops.clear();
    for (size_t k = chain.size() - 1; k-- > 0;) {
      LayerRow &fused = rows[chain[k]];
      fused.fused_into = head.name;
      const std::string what = fused.op == "activation"
                                   ? fused.onnx_ops
                                   : fused.onnx_ops + "(" + fused.op + ")";
      head.fused_ops += (head.fused_ops.empty() ? "" : "+") + what;
      ran[chain[k]] = true;
    }
    ran[chain.back()] = true;
    out.executed_names.push_back(head.name);
    add_macs(out.macs, info.macs);
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!ran[r]) {
      rows[r].fused_into = "(pruned: reaches no output)";
    }
  }
}

} // namespace small_onnx
