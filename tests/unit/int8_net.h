// A thin RAII wrapper that builds and runs int8 networks through the public
// C API for the int8 layer tests, with an optional scalar kernel table at
// another channel block (through the internal network, as
// test_engine_channel_blocks.cpp does).
#ifndef SMALL_TESTS_UNIT_INT8_NET_H
#define SMALL_TESTS_UNIT_INT8_NET_H

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "api/network_handle.h"
#include "kernel_contract.h"
#include "reference/naive_int8.h"
#include "small/small.h"

class Int8Net {
public:
  // cb == 0: the build's active kernel table.
  explicit Int8Net(size_t cb = 0, bool single_rounding = false) {
    REQUIRE(small_network_create(&net_) == SMALL_OK);
    if (cb != 0) {
      REQUIRE(net_->net.use_kernels(small_kernels_scalar(cb)) == SMALL_OK);
    }
    if (single_rounding) {
      REQUIRE(small_network_set_rounding(net_, SMALL_ROUNDING_SINGLE) ==
              SMALL_OK);
    }
  }
  ~Int8Net() { small_network_destroy(net_); }
  Int8Net(const Int8Net &) = delete;
  Int8Net &operator=(const Int8Net &) = delete;

  small_network *get() { return net_; }
  small_tensor input(const ref8::QTensor &t) {
    small_tensor id = -1;
    REQUIRE(small_network_add_input_int8(
                net_, static_cast<uint32_t>(t.n), static_cast<uint32_t>(t.c),
                static_cast<uint32_t>(t.h), static_cast<uint32_t>(t.w), t.q,
                &id) == SMALL_OK);
    inputs_.push_back(t.data);
    return id;
  }
  // Checks a builder's status, with the library's message on failure.
  small_tensor check(small_status status, small_tensor t) {
    INFO(small_last_error());
    REQUIRE(status == SMALL_OK);
    return t;
  }
  // Marks `t`, finalizes, runs with int8 NCHW buffers and returns output 0.
  std::vector<int8_t> run(small_tensor t, size_t elements) {
    REQUIRE(small_network_mark_output(net_, t) == SMALL_OK);
    {
      INFO(small_last_error());
      REQUIRE(small_network_finalize(net_) == SMALL_OK);
    }
    std::vector<const int8_t *> in;
    for (const std::vector<int8_t> &v : inputs_) {
      in.push_back(v.data());
    }
    std::vector<int8_t> out(elements, 0);
    int8_t *outs[1] = {out.data()};
    INFO(small_last_error());
    REQUIRE(small_network_run_int8(net_, in.data(), in.size(), outs, 1,
                                   SMALL_LAYOUT_NCHW) == SMALL_OK);
    return out;
  }

private:
  small_network *net_ = nullptr;
  std::vector<std::vector<int8_t>> inputs_;
};

// Exact equality, reporting the first mismatch.
inline void require_equal(const std::vector<int8_t> &got,
                          const ref8::QTensor &want) {
  REQUIRE(got.size() == want.data.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want.data[i]) {
      INFO("first mismatch at element " << i << ": got " << int{got[i]}
                                        << ", want " << int{want.data[i]});
      REQUIRE(got[i] == want.data[i]);
    }
  }
}

#endif
