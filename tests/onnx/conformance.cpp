// ONNX conformance driver: runs ONNX's own backend test cases (Debian's
// libonnx-testdata: <root>/<suite>/<test>/model.onnx plus
// test_data_set_*/input_*.pb and output_*.pb as TensorProto) through the
// importer and compares the outputs; the importer's network description,
// replayed through the C API, must then compute the very same bits.
//
//   small_onnx_conformance <data root> [suite...] [--only name]
//
// One line per test: "passed", "failed: why" or "skipped: why". A test is
// run when every op of its graph is one the importer supports; the few such
// tests that use an unsupported feature are listed in kSkips below with the
// reason, and they must still be refused by the importer (a listed test
// that imports and passes is reported as a failure, so the list stays
// honest). Graph inputs that feed weight slots (Conv W/B, Gemm B/C, MatMul
// B, BatchNormalization parameters, Clip bounds, Reshape shape, Dropout
// ratio/training_mode) are bound as constants.
//
// Tolerance: |got - want| <= 1e-5 + 1e-4 * |want| per element.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "kernel_contract.h"
#include "small/small.h"
#include "small/small_onnx.h"
#include "small_import/network_builder.h"
#include "small_import/onnx_description.h"

namespace {

constexpr double kAtol = 1e-5;
constexpr double kRtol = 1e-4;

const std::set<std::string> kSupportedOps = {
    "Conv",          "MaxPool",
    "AveragePool",   "GlobalAveragePool",
    "GlobalMaxPool", "Gemm",
    "MatMul",        "Add",
    "Relu",          "Clip",
    "LeakyRelu",     "Sigmoid",
    "HardSigmoid",   "HardSwish",
    "Softmax",       "Flatten",
    "Reshape",       "BatchNormalization",
    "Concat",        "Identity",
    "Dropout",       "Constant"};

// Tests whose ops are all supported but which use something SMaLL does not
// support. Each must be refused at import.
const std::map<std::string, std::string> kSkips = {
    // Element types other than float32.
    {"test_add_uint8", "uint8 tensors"},
    {"test_clip_default_int8_inbounds", "int8 tensors"},
    {"test_clip_default_int8_max", "int8 tensors"},
    {"test_clip_default_int8_min", "int8 tensors"},
    {"test_maxpool_2d_uint8", "uint8 tensors"},
    {"test_identity_opt", "optional type"},
    {"test_identity_sequence", "sequence type"},
    // Rank 5 (3-D convolution and pooling) and rank 1 tensors.
    {"test_averagepool_3d_default", "3-D pooling (rank 5)"},
    {"test_maxpool_3d_default", "3-D pooling (rank 5)"},
    {"test_AvgPool3d", "3-D pooling (rank 5)"},
    {"test_AvgPool3d_stride", "3-D pooling (rank 5)"},
    {"test_AvgPool3d_stride1_pad0_gpu_input", "3-D pooling (rank 5)"},
    {"test_MaxPool3d", "3-D pooling (rank 5)"},
    {"test_MaxPool3d_stride", "3-D pooling (rank 5)"},
    {"test_MaxPool3d_stride_padding", "3-D pooling (rank 5)"},
    {"test_BatchNorm3d_eval", "rank 5"},
    {"test_BatchNorm3d_momentum_eval", "rank 5"},
    {"test_Conv3d", "3-D convolution (rank 5)"},
    {"test_Conv3d_dilated", "3-D convolution (rank 5)"},
    {"test_Conv3d_dilated_strided", "3-D convolution (rank 5)"},
    {"test_Conv3d_groups", "3-D convolution (rank 5)"},
    {"test_Conv3d_no_bias", "3-D convolution (rank 5)"},
    {"test_Conv3d_stride", "3-D convolution (rank 5)"},
    {"test_Conv3d_stride_padding", "3-D convolution (rank 5)"},
    {"test_reshape_one_dim", "reshape merges the batch axis"},
    // Attributes the kernels do not implement.
    {"test_averagepool_2d_ceil", "ceil_mode=1"},
    {"test_maxpool_2d_ceil", "ceil_mode=1"},
    {"test_maxpool_2d_dilations", "pooling dilations"},
    {"test_MaxPool1d_stride_padding_dilation", "pooling dilations"},
    {"test_MaxPool2d_stride_padding_dilation", "pooling dilations"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool indices output"},
    {"test_maxpool_with_argmax_2d_precomputed_strides",
     "MaxPool indices output"},
    {"test_batchnorm_epsilon_training_mode", "training mode"},
    {"test_batchnorm_example_training_mode", "training mode"},
    {"test_dropout_default_mask", "Dropout mask output"},
    {"test_dropout_default_mask_ratio", "Dropout mask output"},
    {"test_training_dropout", "training mode"},
    {"test_training_dropout_default", "training mode"},
    {"test_training_dropout_default_mask", "training mode"},
    {"test_training_dropout_mask", "training mode"},
    {"test_training_dropout_zero_ratio", "training mode"},
    {"test_training_dropout_zero_ratio_mask", "training mode"},
    {"test_reshape_allowzero_reordered", "allowzero=1 (empty tensor)"},
    // The batch axis is fixed through the network (SMaLL tensors are
    // (n, c, h, w) with n the same everywhere).
    {"test_concat_2d_axis_0", "concat on the batch axis"},
    {"test_concat_2d_axis_negative_2", "concat on the batch axis"},
    {"test_concat_3d_axis_0", "concat on the batch axis"},
    {"test_concat_3d_axis_negative_3", "concat on the batch axis"},
    {"test_flatten_axis0", "flatten merges the batch axis"},
    {"test_flatten_axis2", "flatten merges the batch axis"},
    {"test_flatten_axis3", "flatten merges the batch axis"},
    {"test_flatten_negative_axis1", "flatten merges the batch axis"},
    {"test_flatten_negative_axis2", "flatten merges the batch axis"},
    {"test_flatten_negative_axis4", "flatten merges the batch axis"},
    {"test_reshape_reordered_all_dims", "reshape changes the batch axis"},
    {"test_reshape_negative_extended_dims", "reshape changes the batch axis"},
    {"test_softmax_axis_0", "softmax over the batch axis"},
    {"test_gemm_transposeA", "transA=1 (A is the runtime tensor)"},
    {"test_gemm_all_attributes", "transA=1 (A is the runtime tensor)"},
    {"test_gemm_default_matrix_bias", "bias differs per batch row"},
    {"test_matmul_3d", "batched MatMul (3-D constant B)"},
    {"test_matmul_4d", "batched MatMul (4-D constant B)"},
    {"test_constant", "graph has no runtime input"},
    // Concat on a non-channel axis; softmax over a non-channel axis.
    {"test_concat_3d_axis_2", "concat on a non-channel axis"},
    {"test_concat_3d_axis_negative_1", "concat on a non-channel axis"},
    {"test_softmax_axis_2", "softmax over a non-channel axis"},
    {"test_softmax_default_axis", "softmax over a non-channel axis"},
    {"test_softmax_negative_axis", "softmax over a non-channel axis"},
    {"test_softmax_functional_dim3", "softmax over a non-channel axis"},
    // Broadcasting between two runtime tensors (B is a graph input).
    {"test_add_bcast", "broadcast between runtime tensors"},
    // PyTorch operator tests exported with float64 inputs.
    {"test_operator_add_broadcast", "float64 tensors"},
    {"test_operator_add_size1_broadcast", "float64 tensors"},
    {"test_operator_add_size1_right_broadcast", "float64 tensors"},
    {"test_operator_add_size1_singleton_broadcast", "float64 tensors"},
    {"test_operator_addconstant", "float64 tensors"},
};

// Input slots that hold weights, per op.
bool is_weight_slot(const std::string &op, int slot) {
  if (op == "Conv" || op == "Gemm" || op == "Clip" || op == "Dropout") {
    return slot >= 1;
  }
  if (op == "MatMul" || op == "Reshape") {
    return slot == 1;
  }
  if (op == "BatchNormalization") {
    return slot >= 1 && slot <= 4;
  }
  return false;
}

bool read_file(const std::string &path, std::string &out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(f),
             std::istreambuf_iterator<char>());
  return true;
}

std::vector<std::string> list_dir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = opendir(dir.c_str());
  if (d == nullptr) {
    return names;
  }
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] != '.') {
      names.emplace_back(e->d_name);
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool is_float = true;
  bool ok = true;
  std::string why;
};

// The whole elements of a raw_data string. memcpy is never handed the null
// data() of an empty vector, even for zero bytes (undefined behaviour).
template <typename T> std::vector<T> raw_values(const std::string &raw) {
  std::vector<T> v(raw.size() / sizeof(T));
  if (!v.empty()) {
    std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
  }
  return v;
}

Tensor to_tensor(const onnx::TensorProto &t) {
  Tensor r;
  r.dims.assign(t.dims().begin(), t.dims().end());
  size_t n = 1;
  for (int64_t d : r.dims) {
    n *= static_cast<size_t>(d);
  }
  const std::string &raw = t.raw_data();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (t.has_raw_data()) {
      r.f = raw_values<float>(raw);
    } else {
      r.f.assign(t.float_data().begin(), t.float_data().end());
    }
    r.ok = r.f.size() == n;
    break;
  case onnx::TensorProto::INT64:
    r.is_float = false;
    if (t.has_raw_data()) {
      r.i = raw_values<int64_t>(raw);
    } else {
      r.i.assign(t.int64_data().begin(), t.int64_data().end());
    }
    r.ok = r.i.size() == n;
    break;
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT32:
    r.is_float = false;
    if (t.has_raw_data()) {
      const size_t w = t.data_type() == onnx::TensorProto::BOOL ? 1 : 4;
      for (size_t k = 0; k + w <= raw.size(); k += w) {
        int32_t v = 0;
        std::memcpy(&v, raw.data() + k, w);
        r.i.push_back(v);
      }
    } else {
      r.i.assign(t.int32_data().begin(), t.int32_data().end());
    }
    r.ok = r.i.size() == n;
    break;
  default:
    r.ok = false;
    r.why = "element type " + std::to_string(t.data_type());
  }
  return r;
}

bool load_tensor(const std::string &path, Tensor &t) {
  std::string bytes;
  onnx::TensorProto p;
  if (!read_file(path, bytes) ||
      !p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return false;
  }
  t = to_tensor(p);
  return true;
}

struct Result {
  enum Kind { kPassed, kFailed, kSkipped } kind;
  std::string why;
};

// Runs one data set; returns "" on success or the failure reason.
// Replays the importer's network description through the C API (as the
// code small-codegen writes does) into a second network: it must compute
// bit-for-bit what the imported network computed.
std::string replay_description(const small_onnx_model *m,
                               const std::vector<const float *> &runtime,
                               const std::vector<std::vector<float>> &got) {
  const small_import::NetworkDescription &desc =
      *small_import::onnx_model_description(m);
  small_network *net = nullptr;
  if (small_network_create(&net) != SMALL_OK) {
    return "replay: small_network_create failed";
  }
  small_import::NetworkBuilder builder(net);
  std::string err;
  if (small_import::visit_network(desc, builder) != SMALL_OK ||
      small_network_finalize(net) != SMALL_OK) {
    err =
        std::string("replaying the description failed: ") + small_last_error();
  }
  std::vector<std::vector<float>> again(got.size());
  std::vector<float *> outs;
  for (size_t k = 0; k < got.size(); ++k) {
    again[k].assign(got[k].size(), 0.0f);
    outs.push_back(again[k].data());
  }
  if (err.empty() &&
      small_network_run(net, runtime.data(), runtime.size(), outs.data(),
                        outs.size(), SMALL_LAYOUT_NCHW) != SMALL_OK) {
    err = std::string("replayed network: run failed: ") + small_last_error();
  }
  for (size_t k = 0; err.empty() && k < got.size(); ++k) {
    if (!got[k].empty() && std::memcmp(got[k].data(), again[k].data(),
                                       got[k].size() * sizeof(float)) != 0) {
      err = "replayed network: output " + std::to_string(k) +
            " differs from the imported network's";
    }
  }
  small_network_destroy(net);
  return err;
}

std::string run_data_set(const std::string &model_bytes,
                         const onnx::ModelProto &model,
                         const std::string &set_dir, std::string &refusal,
                         small_status &refusal_status) {
  const onnx::GraphProto &g = model.graph();
  std::set<std::string> inits;
  for (const auto &t : g.initializer()) {
    inits.insert(t.name());
  }
  std::set<std::string> weights;
  for (const auto &n : g.node()) {
    for (int k = 0; k < n.input_size(); ++k) {
      if (is_weight_slot(n.op_type(), k)) {
        weights.insert(n.input(k));
      }
    }
  }
  std::vector<std::string> inputs;
  for (const auto &in : g.input()) {
    if (!inits.count(in.name())) {
      inputs.push_back(in.name());
    }
  }
  std::vector<Tensor> in_data(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string p = set_dir + "/input_" + std::to_string(k) + ".pb";
    if (!load_tensor(p, in_data[k])) {
      return "cannot read " + p;
    }
  }
  std::vector<small_onnx_constant> consts;
  std::vector<const float *> runtime;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor &t = in_data[k];
    if (weights.count(inputs[k])) {
      small_onnx_constant c{};
      c.name = inputs[k].c_str();
      c.data = t.is_float ? t.f.data() : nullptr;
      c.int_data = t.is_float ? nullptr : t.i.data();
      c.dims = t.dims.data();
      c.rank = t.dims.size();
      if (t.ok) {
        consts.push_back(c);
        continue;
      }
    }
    runtime.push_back(t.f.data());
  }
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.constants = consts.data();
  opt.constant_count = consts.size();
  small_onnx_model *m = nullptr;
  const small_status s = small_onnx_import_buffer(model_bytes.data(),
                                                  model_bytes.size(), &opt, &m);
  if (s != SMALL_OK) {
    refusal = small_onnx_last_error();
    refusal_status = s;
    return std::string("import refused (") + small_status_string(s) +
           "): " + refusal;
  }
  small_network *net = small_onnx_model_network(m);
  size_t n_in = 0, n_out = 0;
  small_network_input_count(net, &n_in);
  small_network_output_count(net, &n_out);
  std::string err;
  if (n_in != runtime.size()) {
    err = "runtime input count mismatch";
  }
  std::vector<Tensor> want(n_out);
  for (size_t k = 0; err.empty() && k < n_out; ++k) {
    const std::string p = set_dir + "/output_" + std::to_string(k) + ".pb";
    if (!load_tensor(p, want[k]) || !want[k].ok || !want[k].is_float) {
      err = "cannot read float output " + p;
    }
  }
  for (size_t k = 0; err.empty() && k < n_in; ++k) {
    uint32_t d[4];
    small_network_input_shape(net, k, d);
    if (size_t{d[0]} * d[1] * d[2] * d[3] != in_data[k].f.size()) {
      err = "input " + std::to_string(k) + " size mismatch";
    }
  }
  std::vector<std::vector<float>> got(n_out);
  std::vector<float *> outs;
  for (size_t k = 0; err.empty() && k < n_out; ++k) {
    uint32_t d[4];
    small_network_output_shape(net, k, d);
    got[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], NAN);
    if (got[k].size() != want[k].f.size()) {
      err = "output " + std::to_string(k) + " has " +
            std::to_string(got[k].size()) + " values, expected " +
            std::to_string(want[k].f.size());
    }
    outs.push_back(got[k].data());
  }
  if (err.empty()) {
    const small_status rs =
        small_network_run(net, runtime.data(), runtime.size(), outs.data(),
                          outs.size(), SMALL_LAYOUT_NCHW);
    if (rs != SMALL_OK) {
      err = std::string("run failed: ") + small_last_error();
    }
  }
  for (size_t k = 0; err.empty() && k < n_out; ++k) {
    double worst = 0;
    size_t at = 0;
    bool bad = false;
    for (size_t e = 0; e < got[k].size(); ++e) {
      const double a = got[k][e], b = want[k].f[e];
      const double diff = std::fabs(a - b);
      const bool same_inf = std::isinf(a) && a == b;
      if (!same_inf && !(diff <= kAtol + kRtol * std::fabs(b))) {
        if (!bad || diff > worst || std::isnan(diff)) {
          worst = diff;
          at = e;
        }
        bad = true;
      }
    }
    if (bad) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "output %zu element %zu: got %.9g, expected %.9g "
                    "(|diff| %.3g)",
                    k, at, static_cast<double>(got[k][at]),
                    static_cast<double>(want[k].f[at]), worst);
      err = buf;
    }
  }
  if (err.empty()) {
    err = replay_description(m, runtime, got);
  }
  small_onnx_model_destroy(m);
  return err;
}

Result run_test(const std::string &dir, const std::string &name) {
  std::string bytes;
  onnx::ModelProto model;
  if (!read_file(dir + "/model.onnx", bytes) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return {Result::kFailed, "cannot parse model.onnx"};
  }
  std::set<std::string> missing;
  for (const auto &n : model.graph().node()) {
    if (!kSupportedOps.count(n.op_type())) {
      missing.insert(n.op_type());
    }
  }
  if (!missing.empty()) {
    std::string ops;
    for (const auto &o : missing) {
      ops += (ops.empty() ? "" : ",") + o;
    }
    return {Result::kSkipped, "op(s) not supported: " + ops};
  }
  const auto skip = kSkips.find(name);
  std::vector<std::string> sets;
  for (const auto &e : list_dir(dir)) {
    if (e.rfind("test_data_set_", 0) == 0) {
      sets.push_back(dir + "/" + e);
    }
  }
  if (sets.empty()) {
    return {Result::kFailed, "no test_data_set_*"};
  }
  for (const auto &set : sets) {
    std::string refusal;
    small_status status = SMALL_OK;
    const std::string err = run_data_set(bytes, model, set, refusal, status);
    if (skip != kSkips.end()) {
      if (refusal.empty()) {
        return {Result::kFailed,
                "listed as skipped (" + skip->second +
                    ") but the importer accepted it" +
                    (err.empty() ? " and it passes: remove it from kSkips"
                                 : ": " + err)};
      }
      if (status != SMALL_ERR_UNSUPPORTED) {
        return {Result::kFailed, "listed as skipped (" + skip->second +
                                     ") but refused with status " +
                                     small_status_string(status) + ": " +
                                     refusal};
      }
      return {Result::kSkipped, skip->second + " [refused: " + refusal + "]"};
    }
    if (!err.empty()) {
      return {Result::kFailed, set.substr(set.rfind('/') + 1) + ": " + err};
    }
  }
  return {Result::kPassed, std::to_string(sets.size()) + " data set(s)"};
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s <data root> [suite...] [--only name] "
                 "\n",
                 argv[0]);
    return 2;
  }
  if (!small_kernels_cpu_supported()) {
    std::printf("SKIPPED: this CPU cannot run the %s kernels of this build\n",
                small_kernels_active()->isa);
    return 77;
  }
  const std::string root = argv[1];
  std::vector<std::string> suites;
  std::string only;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      suites.push_back(a);
    }
  }
  if (suites.empty()) {
    suites = {"node", "pytorch-converted", "pytorch-operator"};
  }
  int passed = 0, failed = 0, skipped_op = 0, skipped_listed = 0;
  std::set<std::string> listed_seen;
  for (const auto &suite : suites) {
    const std::string sdir = root + "/" + suite;
    if (!exists(sdir)) {
      std::printf("suite %s: missing (%s)\n", suite.c_str(), sdir.c_str());
      ++failed;
      continue;
    }
    for (const auto &name : list_dir(sdir)) {
      if (!only.empty() && name != only) {
        continue;
      }
      const Result r = run_test(sdir + "/" + name, name);
      const char *tag = r.kind == Result::kPassed   ? "passed"
                        : r.kind == Result::kFailed ? "FAILED"
                                                    : "skipped";
      const bool op_skip = r.kind == Result::kSkipped && !kSkips.count(name);
      if (r.kind == Result::kPassed) {
        ++passed;
      } else if (r.kind == Result::kFailed) {
        ++failed;
      } else if (op_skip) {
        ++skipped_op;
      } else {
        ++skipped_listed;
      }
      if (kSkips.count(name)) {
        listed_seen.insert(name);
      }
      {
        std::printf("%-8s %s/%s: %s\n", tag, suite.c_str(), name.c_str(),
                    r.why.c_str());
      }
    }
  }
  std::printf("\nsummary: %d passed, %d failed, %d skipped (%d with a "
              "feature the importer refuses, listed in kSkips; %d using ops "
              "outside the importer's list)\n",
              passed, failed, skipped_listed + skipped_op, skipped_listed,
              skipped_op);
  if (only.empty()) {
    for (const auto &s : kSkips) {
      if (!listed_seen.count(s.first)) {
        std::printf("note: kSkips entry %s matched no test\n", s.first.c_str());
      }
    }
  }
  return failed == 0 ? 0 : 1;
}
