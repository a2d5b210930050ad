// Shared by the thread tests: pools of 1, 2 and 3 threads (3 > the cores of
// a 2-core machine) that split every layer that can be split, and a check
// that a network gives bit-identical outputs on each of them and on the
// calling thread alone.
#ifndef SMALL_TESTS_THREAD_TEST_UTIL_H
#define SMALL_TESTS_THREAD_TEST_UTIL_H

#include <cstdint>
#include <vector>

#include "small/small.h"

namespace threadtest {

// A pool of `threads` whose fork/join is taken as free, so that every layer
// that can be split is split (the real threshold is tested on its own).
// Created once per size, shared by the tests, destroyed at exit; nullptr
// for more than one thread in a build without threads.
small_threadpool *eager_pool(uint32_t threads);

// Runs `net` (finalized) on `inputs` (NCHW, one vector per input) with no
// pool, then on eager pools of 1, 2 and 3 threads (those the build has), and
// REQUIREs outputs bitwise equal to the no-pool run. With `expect_split`, also
// requires that on 2 and 3 threads at least one layer ran in parts. Leaves the
// network without a pool.
void check_same_on_all_thread_counts(
    small_network *net, const std::vector<std::vector<float>> &inputs,
    bool expect_split = true);

// Parts per executed layer of a finalized network (1: whole).
std::vector<uint32_t> layer_parts(small_network *net);

} // namespace threadtest

#endif
