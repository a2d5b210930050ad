// The C API's network lifecycle: create, inputs and outputs, finalize, the
// arena, run, and the queries (shapes, counts, layer table, profiling).
#include <new>

#include "api/api_guard.h"
#include "api/network_handle.h"
#include "small/small.h"

using small::guarded;
using small::require;

namespace {

void write_dims(const small::Shape &s, uint32_t dims[4]) {
  dims[0] = s.n;
  dims[1] = s.c;
  dims[2] = s.h;
  dims[3] = s.w;
}

// Shape of input/output `index` of `ids` ("input"/"output" in messages).
small_status indexed_shape(const small::Network &net,
                           const std::vector<int> &ids, size_t index,
                           const char *what, uint32_t dims[4]) {
  if (index >= ids.size()) {
    return small::fail(SMALL_ERR_NOT_FOUND)
           << what << " index " << index << " >= " << what << " count "
           << ids.size();
  }
  small::Shape s;
  SMALL_TRY(net.tensor_shape(ids[index], what, s));
  write_dims(s, dims);
  return SMALL_OK;
}

} // namespace

extern "C" {

SMALL_API small_status small_network_create(small_network **network) {
  return guarded("small_network_create", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    *network = nullptr;
    SMALL_TRY(small::Network::check_cpu());
    small_network *created = new (std::nothrow) small_network();
    if (created == nullptr) {
      return small::fail(SMALL_ERR_OUT_OF_MEMORY)
             << "cannot allocate the network";
    }
    *network = created;
    return SMALL_OK;
  });
}

SMALL_API void small_network_destroy(small_network *network) { delete network; }

SMALL_API small_status small_network_add_input(small_network *network,
                                               uint32_t n, uint32_t c,
                                               uint32_t h, uint32_t w,
                                               small_tensor *out) {
  return guarded("small_network_add_input", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(out, "out"));
    int id = -1;
    SMALL_TRY(net->add_input({n, c, h, w}, id));
    small::set_out(out, id);
    return SMALL_OK;
  });
}

SMALL_API small_status small_network_mark_output(small_network *network,
                                                 small_tensor tensor) {
  return guarded("small_network_mark_output", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->mark_output(tensor);
  });
}

SMALL_API small_status small_network_finalize(small_network *network) {
  return guarded("small_network_finalize", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->finalize();
  });
}

SMALL_API small_status small_network_finalize_with_arena(small_network *network,
                                                         void *arena,
                                                         size_t bytes) {
  return guarded("small_network_finalize_with_arena", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(arena, "arena"));
    return net->finalize(arena, bytes);
  });
}

SMALL_API small_status small_network_arena_size(const small_network *network,
                                                size_t *bytes) {
  return guarded("small_network_arena_size", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(bytes, "bytes"));
    return net->arena_size(*bytes);
  });
}

SMALL_API small_status
small_network_arena_lower_bound(const small_network *network, size_t *bytes) {
  return guarded("small_network_arena_lower_bound", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(bytes, "bytes"));
    return net->arena_lower_bound(*bytes);
  });
}

SMALL_API small_status small_network_weight_bytes(const small_network *network,
                                                  size_t *bytes) {
  return guarded("small_network_weight_bytes", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(bytes, "bytes"));
    return net->weight_bytes(*bytes);
  });
}

SMALL_API small_status small_network_set_arena(small_network *network,
                                               void *buffer, size_t bytes) {
  return guarded("small_network_set_arena", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(buffer, "buffer"));
    return net->set_arena(buffer, bytes);
  });
}

SMALL_API small_status small_network_set_fusion_cache(small_network *network,
                                                      size_t cache_bytes) {
  return guarded("small_network_set_fusion_cache", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->set_fusion_cache(cache_bytes);
  });
}

SMALL_API small_status small_network_run(
    small_network *network, const float *const *inputs, size_t input_count,
    float *const *outputs, size_t output_count, small_layout layout) {
  return guarded("small_network_run", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(inputs, "inputs"));
    SMALL_TRY(require(outputs, "outputs"));
    return net->run(inputs, input_count, outputs, output_count, layout);
  });
}

SMALL_API small_status small_network_input_count(const small_network *network,
                                                 size_t *count) {
  return guarded("small_network_input_count", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(count, "count"));
    *count = net->inputs().size();
    return SMALL_OK;
  });
}

SMALL_API small_status small_network_output_count(const small_network *network,
                                                  size_t *count) {
  return guarded("small_network_output_count", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(count, "count"));
    *count = net->outputs().size();
    return SMALL_OK;
  });
}

SMALL_API small_status small_network_input_shape(const small_network *network,
                                                 size_t index,
                                                 uint32_t dims[4]) {
  return guarded("small_network_input_shape", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dims, "dims"));
    return indexed_shape(*net, net->inputs(), index, "input", dims);
  });
}

SMALL_API small_status small_network_output_shape(const small_network *network,
                                                  size_t index,
                                                  uint32_t dims[4]) {
  return guarded("small_network_output_shape", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dims, "dims"));
    return indexed_shape(*net, net->outputs(), index, "output", dims);
  });
}

SMALL_API small_status small_network_tensor_shape(const small_network *network,
                                                  small_tensor tensor,
                                                  uint32_t dims[4]) {
  return guarded("small_network_tensor_shape", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dims, "dims"));
    small::Shape s;
    SMALL_TRY(net->tensor_shape(tensor, "tensor", s));
    write_dims(s, dims);
    return SMALL_OK;
  });
}

} // extern "C"
