/* One MLPerf Tiny network in fp32 on the emulated board (SMALL_TEST_NET, an
 * mlperf_net value, picks which; SMALL_TEST_NET_NAME is its fixture prefix):
 * builds it through the C API from the fixture weights (tests/goldens, read
 * from the host through semihosting), runs it on the fixture input and
 * compares with the PyTorch output under the tolerances of
 * tests/unit/test_mlperf_goldens.cpp (softmax outputs: |diff| <= 1e-5 and
 * the same top class; the autoencoder: |diff| <= 1e-4 + 1e-4 |golden|).
 *
 * It also prints how many instructions the run took (instruction_count.h;
 * the MLPerf Tiny networks take at most about a fifth of what SysTick can
 * count). */
#include <malloc.h> /* newlib: mallinfo */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "instruction_count.h"
#include "networks.h"
#include "small/small.h"
#include "small_firmware.h"

/* A float32 little-endian fixture (the target is little-endian too). */
static float *read_fixture(const char *kind, size_t expected) {
  char path[512];
  FILE *f;
  float *data;
  snprintf(path, sizeof path, "%s/%s.%s.bin", SMALL_GOLDENS_DIR,
           SMALL_TEST_NET_NAME, kind);
  f = fopen(path, "rb");
  if (f == NULL) {
    printf("cannot open %s\n", path);
    return NULL;
  }
  data = (float *)malloc(expected * sizeof *data);
  if (data == NULL || fread(data, sizeof *data, expected, f) != expected ||
      fgetc(f) != EOF) {
    printf("%s: not %lu floats (or out of memory)\n", path,
           (unsigned long)expected);
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

static size_t argmax(const float *v, size_t n) {
  size_t i, best = 0;
  for (i = 1; i < n; ++i) {
    if (v[i] > v[best]) {
      best = i;
    }
  }
  return best;
}

int main(void) {
  mlperf_net_info info;
  mlperf_flat_weights flat;
  small_network *net = NULL;
  float *weights, *input, *golden, *output;
  size_t n_input, n_output, i, arena = 0, stack;
  const float *ins[1];
  float *outs[1];
  uint32_t start, ticks;
  double max_diff = 0.0, instructions;
  int ok = 1;
  const int softmax = SMALL_TEST_NET != MLPERF_AUTOENCODER;

  if (mlperf_describe(SMALL_TEST_NET, &info) != SMALL_OK) {
    return 2;
  }
  n_input =
      (size_t)info.input_shape[1] * info.input_shape[2] * info.input_shape[3];
  n_output = (size_t)info.output_shape[1] * info.output_shape[2] *
             info.output_shape[3];
  weights = read_fixture("weights", (size_t)info.params);
  input = read_fixture("input", n_input);
  golden = read_fixture("output", n_output);
  output = (float *)malloc(n_output * sizeof *output);
  if (weights == NULL || input == NULL || golden == NULL || output == NULL) {
    return 2;
  }

  if (small_network_create(&net) != SMALL_OK ||
      mlperf_build(SMALL_TEST_NET, net,
                   mlperf_flat_source(&flat, weights, (size_t)info.params),
                   &info) != SMALL_OK) {
    printf("build: %s %s\n", info.error, small_last_error());
    return 2;
  }
  free(weights); /* the network holds its own (packed) copy */
  if (small_network_finalize(net) != SMALL_OK ||
      small_network_arena_size(net, &arena) != SMALL_OK) {
    printf("finalize: %s\n", small_last_error());
    return 2;
  }

  ins[0] = input;
  outs[0] = output;
  start = systick_start();
  if (small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) != SMALL_OK) {
    printf("run: %s\n", small_last_error());
    return 2;
  }
  ticks = systick_stop(start);
  instructions = ticks_to_instructions(ticks);

  for (i = 0; i < n_output; ++i) {
    const double d = fabs((double)output[i] - (double)golden[i]);
    const double tolerance =
        softmax ? 1e-5 : 1e-4 + 1e-4 * fabs((double)golden[i]);
    if (!(d <= tolerance)) {
      ok = 0;
    }
    if (d > max_diff || d != d) {
      max_diff = d;
    }
  }
  if (softmax && argmax(output, n_output) != argmax(golden, n_output)) {
    ok = 0;
  }
  /* heap_bytes: what malloc took from the system (newlib never gives it
   * back), so the high-water mark of the fixtures, the network and its
   * copies of the weights together. */
  /* stack_bytes: the deepest the stack has reached (small_firmware.h),
   * read before this printf. */
  stack = small_firmware_stack_high_water();
  printf("net=%s dtype=fp32 max_abs_diff=%.3g arena_bytes=%lu heap_bytes=%lu "
         "stack_bytes=%lu macs=%lu systick_ticks=%lu sysclk_hz=%.0f "
         "instructions=%.0f instructions_per_mac=%.2f %s\n",
         SMALL_TEST_NET_NAME, max_diff, (unsigned long)arena,
         (unsigned long)mallinfo().arena, (unsigned long)stack,
         (unsigned long)info.macs, (unsigned long)ticks,
         SMALL_FIRMWARE_SYSCLK_HZ, instructions,
         instructions / (double)info.macs, ok ? "PASS" : "FAIL");
  small_network_destroy(net);
  free(input);
  free(golden);
  free(output);
  return ok ? 0 : 1;
}
