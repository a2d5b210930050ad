// The randomized differential test: random float and int8 networks built
// only through the C API (float_networks.cpp, int8_networks.cpp), each
// compared with a reference written apart from the library: float64 within
// docs/numerics.md's bounds, int8 bit for bit with TFLite's integer
// arithmetic (reference_int8.cpp).
//
//   small_random_networks [--count N] [--seed S] [--first I] [--verbose]
//                         [--layers L] [--batch B] [--side S]
//                         [--channels C] [--kernel K]
//
// Network i of a run depends only on (seed, i) and the limits (--layers,
// --batch, --side, --channels, --kernel: generator.h). A failure prints its
// description and the command that replays it alone, then is shrunk while it
// still fails the same way: cut after its first L layers, then the batch,
// the input's side, the channel counts and the kernel sizes capped as low as
// they go;
// the smallest version is printed with its replay command.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "random/generator.h"

namespace {

using rand_net::Limits;

uint64_t network_seed(uint64_t seed, uint64_t index) {
  // splitmix64 of (seed, index): independent streams per network.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// One network in three is int8 (chosen from the network's seed, so a replay
// of network i alone is the same kind).
bool is_int8(uint64_t net_seed) { return (net_seed >> 40) % 3 == 0; }

// What kind of failure a log ends with: the refused call, a wrong value, or
// the line itself. Shrinking keeps only versions that fail the same way.
std::string failure_kind(const std::string &log) {
  const size_t end = log.find_last_not_of('\n');
  const size_t start =
      log.rfind('\n', end) == std::string::npos ? 0 : log.rfind('\n', end) + 1;
  const std::string line = log.substr(start, end + 1 - start);
  if (line.find("output tensor") != std::string::npos) {
    return "wrong value";
  }
  const size_t refused = line.find("refused: ");
  if (refused != std::string::npos) {
    return line.substr(refused, line.find(':', refused + 9) - refused);
  }
  return line.substr(0, std::min<size_t>(line.size(), 30));
}

bool run_one(uint64_t net_seed, const Limits &limits, std::string &log) {
  std::ostringstream out;
  const bool passed = is_int8(net_seed)
                          ? rand_net::int8_network(net_seed, limits, out)
                          : rand_net::float_network(net_seed, limits, out);
  log = out.str();
  return passed;
}

std::string replay(const char *program, uint64_t seed, uint64_t index,
                   const Limits &l) {
  char text[512];
  std::snprintf(text, sizeof text,
                "%s --seed %llu --first %llu --count 1 --layers %u --batch %u "
                "--side %u --channels %u --kernel %u --verbose",
                program, (unsigned long long)seed, (unsigned long long)index,
                l.layers, l.batch, l.side, l.channels, l.kernel);
  return text;
}

// Lowers each limit in turn to the smallest value at which the network still
// fails the same way.
Limits shrink(uint64_t net_seed, Limits limits, const std::string &kind) {
  const auto still_fails = [&](const Limits &l) {
    std::string log;
    return !run_one(net_seed, l, log) && failure_kind(log) == kind;
  };
  uint32_t Limits::*knobs[] = {&Limits::layers, &Limits::batch, &Limits::side,
                               &Limits::channels, &Limits::kernel};
  for (uint32_t Limits::*knob : knobs) {
    for (uint32_t v = 1; v < limits.*knob; ++v) {
      Limits smaller = limits;
      smaller.*knob = v;
      if (still_fails(smaller)) {
        limits = smaller;
        break;
      }
    }
  }
  return limits;
}

bool parse_u32(const char *text, uint32_t &value) {
  char *end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v == 0 || v > 100000) {
    return false;
  }
  value = static_cast<uint32_t>(v);
  return true;
}

} // namespace

int main(int argc, char **argv) {
  uint64_t count = 1000, seed = 1, first = 0; // the CI set
  Limits limits;
  bool verbose = false;
  bool usage = false;
  for (int i = 1; i < argc && !usage; ++i) {
    const bool has_value = i + 1 < argc;
    const char *arg = argv[i];
    if (std::strcmp(arg, "--verbose") == 0) {
      verbose = true;
    } else if (!has_value) {
      usage = true;
    } else if (std::strcmp(arg, "--count") == 0) {
      count = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(arg, "--seed") == 0) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(arg, "--first") == 0) {
      first = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(arg, "--layers") == 0) {
      usage = !parse_u32(argv[++i], limits.layers);
    } else if (std::strcmp(arg, "--batch") == 0) {
      usage = !parse_u32(argv[++i], limits.batch);
    } else if (std::strcmp(arg, "--side") == 0) {
      usage = !parse_u32(argv[++i], limits.side);
    } else if (std::strcmp(arg, "--channels") == 0) {
      usage = !parse_u32(argv[++i], limits.channels);
    } else if (std::strcmp(arg, "--kernel") == 0) {
      usage = !parse_u32(argv[++i], limits.kernel);
    } else {
      usage = true;
    }
  }
  if (usage) {
    std::fprintf(
        stderr,
        "usage: %s [--count N] [--seed S] [--first I] [--verbose] "
        "[--layers L] [--batch B] [--side S] [--channels C] [--kernel K] "
        "(limits >= 1)\n",
        argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  uint64_t failures = 0, int8_count = 0;
  for (uint64_t i = first; i < first + count; ++i) {
    const uint64_t net_seed = network_seed(seed, i);
    int8_count += is_int8(net_seed) ? 1 : 0;
    std::string log;
    const bool passed = run_one(net_seed, limits, log);
    if (!passed || verbose) {
      std::printf("network %llu (seed %llu): %s\n%s", (unsigned long long)i,
                  (unsigned long long)seed, passed ? "ok" : "FAILED",
                  log.c_str());
    }
    if (passed) {
      continue;
    }
    ++failures;
    std::printf("  replay: %s\n", replay(argv[0], seed, i, limits).c_str());
    const std::string kind = failure_kind(log);
    const Limits small = shrink(net_seed, limits, kind);
    std::string shrunk_log;
    run_one(net_seed, small, shrunk_log);
    std::printf("  shrunk (still '%s'):\n%s  replay: %s\n", kind.c_str(),
                shrunk_log.c_str(), replay(argv[0], seed, i, small).c_str());
  }
  std::printf("%llu random networks (%llu int8; seed %llu, first %llu): %llu "
              "failed\n",
              (unsigned long long)count, (unsigned long long)int8_count,
              (unsigned long long)seed, (unsigned long long)first,
              (unsigned long long)failures);
  return failures == 0 ? 0 : 1;
}
