// Lowers a model importer's format-neutral network description (ONNX or
// TFLite) into the engine-neutral PeerNet the peer engines run.
#ifndef SMALL_BENCH_LOWER_DESCRIPTION_H
#define SMALL_BENCH_LOWER_DESCRIPTION_H

#include <cstdint>
#include <string>

#include "peer_net.h"
#include "small_import/network_description.h"

namespace small_bench {

// The layers `desc` describes (exactly the model's, before any fusion), with
// `macs` as the network's MAC count. false, with *why, when the model uses
// something the peers are not given here (e.g. max pooling, concat,
// sigmoid): callers then skip the peers for that model and say so.
bool lower_description(const small_import::NetworkDescription &desc,
                       uint64_t macs, PeerNet *net, std::string *why);

} // namespace small_bench

#endif
