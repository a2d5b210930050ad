#include "layer_table.h"

namespace small_onnx {
namespace {

using small_import::Layer;

bool is_conv_like(const std::string &op) {
  return op == "conv2d" || op == "depthwise" || op == "dense" ||
         op == "batchnorm";
}

// Marks the rows finalize fuses into their producer or prunes, and names
// what each kept row absorbed, following finalize's rules.
void predict_fusion(const small_import::NetworkDescription &desc,
                    std::vector<LayerRow> &rows,
                    const std::vector<int> &row_of_tensor,
                    std::vector<bool> &removed) {
  const size_t tensors = desc.layers.size();
  std::vector<int> consumers(tensors, 0);
  std::vector<bool> is_output(tensors, false);
  for (TensorId t : desc.outputs) {
    is_output[t] = true;
  }
  for (const Layer &layer : desc.layers) {
    for (TensorId t : layer.inputs) {
      ++consumers[t];
    }
  }
  std::vector<int> producer = row_of_tensor; // re-targeted by fusion
  std::vector<TensorId> row_out(rows.size());
  std::vector<bool> has_act(rows.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Layer &layer = desc.layers[rows[i].tensor];
    row_out[i] = rows[i].tensor;
    if (layer.inputs.size() != 1) {
      continue;
    }
    const TensorId mid = layer.inputs[0];
    if (producer[mid] < 0 || is_output[mid] || consumers[mid] != 1) {
      continue;
    }
    const int p = producer[mid];
    const std::string &pop = rows[p].op;
    bool fused = false;
    if (rows[i].op == "batchnorm") {
      fused = pop != "batchnorm" && is_conv_like(pop) && !has_act[p];
    } else if (rows[i].op == "activation") {
      fused = (is_conv_like(pop) || pop == "add") && !has_act[p];
      has_act[p] = has_act[p] || fused;
    }
    if (fused) {
      producer[rows[i].tensor] = p;
      producer[mid] = -1;
      row_out[p] = rows[i].tensor;
      removed[i] = true;
      rows[i].fused_into = rows[p].name;
      const std::string what = rows[i].op == "activation"
                                   ? rows[i].onnx_ops
                                   : rows[i].onnx_ops + "(batchnorm)";
      rows[p].fused_ops += (rows[p].fused_ops.empty() ? "" : "+") + what;
    }
  }
  // Prune what reaches no output.
  std::vector<bool> needed(is_output);
  for (size_t i = rows.size(); i-- > 0;) {
    if (removed[i]) {
      continue;
    }
    if (!needed[row_out[i]]) {
      removed[i] = true;
      rows[i].fused_into = "(pruned: reaches no output)";
      continue;
    }
    for (TensorId t : desc.layers[rows[i].tensor].inputs) {
      needed[t] = true;
    }
  }
}

} // namespace

void fill_layer_table(ImportResult &out) {
  const small_import::NetworkDescription &desc = out.description;
  std::vector<LayerRow> &rows = out.layers;
  std::vector<int> row_of_tensor(desc.layers.size(), -1);
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
    const auto *conv = std::get_if<small_import::Conv2dParams>(&layer.params);
    if (conv != nullptr && conv->params.groups == row.in_dims[1] &&
        conv->params.out_channels == row.in_dims[1]) {
      row.op = "depthwise";
    }
    row_of_tensor[id] = static_cast<int>(rows.size());
    rows.push_back(std::move(row));
  }
  std::vector<bool> removed(rows.size(), false);
  predict_fusion(desc, rows, row_of_tensor, removed);
  out.macs = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!removed[i] &&
        __builtin_add_overflow(out.macs, rows[i].macs, &out.macs)) {
      fail(SMALL_ERR_OVERFLOW,
           "the model's multiply-accumulate count overflows 64 bits");
    }
  }
}

} // namespace small_onnx
