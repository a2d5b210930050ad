/* The int8 DS-CNN (MLPerf Tiny keyword spotting) on the emulated board,
 * from the C small-codegen generated (tests/firmware/generated, weights in
 * flash as const arrays): runs two samples and requires their 12 output
 * bytes to equal TFLite's reference arithmetic exactly
 * (models/mlperf_tiny_tflite/dscnn*.int8.expected.bin; the samples are
 * embedded by bytes_to_c.cmake).
 *
 * It prints the instruction count of the first sample's run
 * (instruction_count.h), the arena, the packed weights the network holds,
 * and the heap newlib took from the system. */
#include <malloc.h> /* newlib: mallinfo */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dscnn_int8.h"
#include "dscnn_int8_samples.h"
#include "instruction_count.h"
#include "small/small.h"

/* DS-CNN's multiply-accumulates per run (small-run's layer table). */
#define DSCNN_MACS 2656768.0

/* Runs one sample; returns the SysTick ticks it took, or 0 on failure. */
static uint32_t run(small_network *net, const int8_t *input, int8_t *output) {
  const int8_t *ins[1];
  int8_t *outs[1];
  uint32_t start;
  ins[0] = input;
  outs[0] = output;
  start = systick_start();
  if (small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) !=
      SMALL_OK) {
    printf("run: %s\n", small_last_error());
    return 0;
  }
  return systick_stop(start);
}

static size_t differing(const int8_t *a, const int8_t *b, size_t n) {
  size_t i, count = 0;
  for (i = 0; i < n; ++i) {
    count += a[i] != b[i];
  }
  return count;
}

int main(void) {
  small_network *net = NULL;
  int8_t output[DSCNN_INT8_OUTPUT0_SIZE];
  size_t arena = 0, weights = 0, diff1, diff2;
  uint32_t ticks;
  double instructions;

  if (dscnn_int8_build(&net) != SMALL_OK ||
      small_network_arena_size(net, &arena) != SMALL_OK ||
      small_network_weight_bytes(net, &weights) != SMALL_OK) {
    printf("build: %s\n", small_last_error());
    return 2;
  }
  ticks = run(net, dscnn_input, output);
  diff1 = differing(output, dscnn_expected, DSCNN_INT8_OUTPUT0_SIZE);
  memset(output, 0, sizeof output);
  if (ticks == 0 || run(net, dscnn_2_input, output) == 0) {
    return 2;
  }
  diff2 = differing(output, dscnn_2_expected, DSCNN_INT8_OUTPUT0_SIZE);
  instructions = ticks_to_instructions(ticks);
  /* heap_bytes: what malloc took from the system (newlib never gives it
   * back): the network, its packed copy of the weights and its arena. */
  printf("net=dscnn_int8 dtype=int8 differing_bytes=%lu+%lu arena_bytes=%lu "
         "weight_bytes=%lu heap_bytes=%lu macs=%.0f systick_ticks=%lu "
         "instructions=%.0f instructions_per_mac=%.2f %s\n",
         (unsigned long)diff1, (unsigned long)diff2, (unsigned long)arena,
         (unsigned long)weights, (unsigned long)mallinfo().arena, DSCNN_MACS,
         (unsigned long)ticks, instructions, instructions / DSCNN_MACS,
         diff1 == 0 && diff2 == 0 ? "PASS" : "FAIL");
  small_network_destroy(net);
  return diff1 == 0 && diff2 == 0 ? 0 : 1;
}
