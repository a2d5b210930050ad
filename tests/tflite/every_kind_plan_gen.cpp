// Writes the compiled plan of the every-kind network (every_kind_net.h) as
// the C small-codegen --plan writes
// (small_import::write_exported_plan_c_source, for this build's kernels), with
// an input and the network's own output for it, so that ctest compiles the C
// and runs it against the network: the writer of every step kind, not only
// those of the MLPerf models.
//
// Usage: small_every_kind_plan_gen out.c out.h input.bin expected.bin
#include <cstdio>
#include <string>
#include <vector>

#include "every_kind_net.h"
#include "small/small_plan.h"
#include "small_import/c_plan.h"

namespace {

bool write_bytes(const char *path, const std::vector<int8_t> &bytes) {
  FILE *f = std::fopen(path, "wb");
  if (f == nullptr) {
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s out.c out.h input.bin expected.bin\n",
                 argv[0]);
    return 2;
  }
  small_network *net = nullptr;
  small_plan_export *exported = nullptr;
  const std::vector<int8_t> in = every_kind_input();
  // Both outputs one after the other, as plan_main.c writes them.
  std::vector<int8_t> out(10 + 1200);
  const int8_t *ins[1] = {in.data()};
  int8_t *outs[2] = {out.data(), out.data() + 10};
  small_status s = small_network_create(&net);
  if (s == SMALL_OK) {
    s = build_every_kind_net(net);
  }
  if (s == SMALL_OK) {
    s = small_network_finalize(net);
  }
  if (s == SMALL_OK) {
    s = small_network_run_int8(net, ins, 1, outs, 2, SMALL_LAYOUT_NHWC);
  }
  if (s == SMALL_OK) {
    s = small_network_export_plan(net, &exported);
  }
  std::string error = s != SMALL_OK ? small_last_error() : "";
  if (s == SMALL_OK) {
    s = small_import::write_exported_plan_c_source(
        exported, "", "C API", "every_kind", argv[1], argv[2], &error);
  }
  small_plan_export_destroy(exported);
  small_network_destroy(net);
  if (s == SMALL_OK &&
      (!write_bytes(argv[3], in) || !write_bytes(argv[4], out))) {
    s = SMALL_ERR_IO;
    error = "cannot write the input or expected output";
  }
  if (s != SMALL_OK) {
    std::fprintf(stderr, "every_kind_plan_gen: %s: %s\n",
                 small_status_string(s), error.c_str());
    return 1;
  }
  return 0;
}
