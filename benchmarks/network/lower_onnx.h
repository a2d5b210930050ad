// Turns an ONNX model into the engine-neutral PeerNet the peer engines run.
#ifndef SMALL_BENCH_LOWER_ONNX_H
#define SMALL_BENCH_LOWER_ONNX_H

#include <string>

#include "peer_net.h"

namespace small_bench {

// Imports `path` with SMaLL's ONNX importer and lowers the layers it
// described (exactly the model's, before any fusion) into *net. false,
// with *why, when the model uses something the peers are not given here
// (e.g. max pooling, concat, sigmoid): the benchmark then skips the peers
// for that model and says so.
bool lower_onnx_model(const std::string &path, PeerNet *net, std::string *why);

} // namespace small_bench

#endif
