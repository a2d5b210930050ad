/* An int8 MLPerf Tiny network on the emulated board, from the C
 * small-codegen generated (tests/firmware/generated, weights in flash as
 * const arrays): runs every sample of the model and requires each output
 * byte to equal TFLite's reference arithmetic exactly
 * (models/mlperf_tiny_tflite/<sample>.int8.expected.bin; bytes_to_c.cmake
 * embeds the samples one after the other in two arrays).
 *
 * The generated code passes weights packed on the host for this build's
 * kernels (small-codegen --target), which the network uses in place.
 *
 * One program for every model, compiled once per model with:
 *   SMALL_TEST_NET_NAME     the model's name ("dscnn")
 *   SMALL_TEST_MODEL_HEADER the generated header ("dscnn_int8.h")
 *   SMALL_TEST_BUILD        its build function (dscnn_int8_build)
 *   SMALL_TEST_SAMPLES_HEADER the embedded samples, defining
 *                           small_test_inputs and small_test_expected
 *
 * It prints the instruction count of the first sample's run
 * (instruction_count.h), the multiply-accumulates of a run (the sum over
 * the network's layers), the arena and its liveness lower bound, the
 * packed weights the network holds, the heap newlib took from the system
 * (and what the runs left allocated: must be 0)
 * and the stack's high-water mark after building and running (before the
 * first printf; tools/firmware_report.sh reads them).
 *
 * Then it runs the first sample once more with per-layer profiling on a
 * SysTick clock (small_set_profiling_clock) and prints one line per layer:
 *   layer=I kind=K in_channels= out_channels= taps= macs= instructions=
 *   arena_offset= output_bytes=
 * (taps: the filter's taps, macs / (output pixels * out_channels *
 * in_channels) for a convolution; instructions as above, to within a
 * SysTick period plus the clock's own few instructions per layer). */
#include <malloc.h> /* newlib: mallinfo */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "instruction_count.h"
#include "small/small.h"
#include "small_firmware.h"
#include SMALL_TEST_MODEL_HEADER
#include SMALL_TEST_SAMPLES_HEADER

/* Every sample's output, side by side as in small_test_expected. */
static int8_t outputs[sizeof small_test_expected];

static size_t elements(const uint32_t dims[4]) {
  return (size_t)dims[0] * dims[1] * dims[2] * dims[3];
}

/* Runs one sample; returns the SysTick ticks it took, or 0 on failure. */
static uint32_t run(small_network *net, const int8_t *input, int8_t *output) {
  const int8_t *ins[1];
  int8_t *outs[1];
  uint32_t start;
  ins[0] = input;
  outs[0] = output;
  start = systick_start();
  icount_region_begin();
  if (small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) !=
      SMALL_OK) {
    icount_region_end();
    printf("run: %s\n", small_last_error());
    return 0;
  }
  icount_region_end();
  return systick_stop(start);
}

/* The profiling clock: SysTick's ticks since systick_clock_start, kept in
 * 64 bits (a layer takes far fewer than 2^24 ticks between readings). */
static uint32_t systick_last;
static uint64_t systick_total;

static void systick_clock_start(void) {
  systick_last = systick_start();
  systick_total = 0;
}

static uint64_t systick_clock(void) {
  const uint32_t now = SYST_CVR;
  systick_total += (systick_last - now) & SYST_MAX; /* it counts down */
  systick_last = now;
  return systick_total;
}

/* Runs the first sample profiled and prints each layer's instructions. */
static int print_layers(small_network *net) {
  size_t count = 0, i;
  small_layer_info info;
  uint64_t ticks;
  const int8_t *ins[1];
  int8_t *outs[1];
  ins[0] = (const int8_t *)small_test_inputs;
  outs[0] = outputs;
  if (small_set_profiling_clock(systick_clock) != SMALL_OK ||
      small_network_enable_profiling(net, 1) != SMALL_OK) {
    return 0;
  }
  systick_clock_start();
  if (small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) !=
          SMALL_OK ||
      small_network_layer_count(net, &count) != SMALL_OK) {
    return 0;
  }
  SYST_CSR = 0;
  for (i = 0; i < count; ++i) {
    uint64_t per_tap = 0;
    if (small_network_layer_info(net, i, &info) != SMALL_OK ||
        small_network_layer_ticks(net, i, &ticks) != SMALL_OK) {
      return 0;
    }
    if (strcmp(info.kind_name, "conv2d") == 0) {
      per_tap = (uint64_t)info.output_dims[2] * info.output_dims[3] *
                info.output_dims[1] * info.input_dims[1];
    }
    printf("layer=%lu kind=%s in_channels=%lu out_channels=%lu taps=%lu "
           "macs=%lu instructions=%.0f arena_offset=%lu output_bytes=%lu\n",
           (unsigned long)i, info.kind_name, (unsigned long)info.input_dims[1],
           (unsigned long)info.output_dims[1],
           (unsigned long)(per_tap != 0 ? info.macs / per_tap : 0),
           (unsigned long)info.macs, ticks_to_instructions((uint32_t)ticks),
           (unsigned long)info.arena_offset, (unsigned long)info.output_bytes);
  }
  return small_network_enable_profiling(net, 0) == SMALL_OK &&
         small_set_profiling_clock(NULL) == SMALL_OK;
}

/* The multiply-accumulates of one run, from the layer table. */
static double network_macs(const small_network *net) {
  size_t count = 0, i;
  double macs = 0;
  small_layer_info info;
  small_network_layer_count(net, &count);
  for (i = 0; i < count; ++i) {
    if (small_network_layer_info(net, i, &info) == SMALL_OK) {
      macs += (double)info.macs;
    }
  }
  return macs;
}

int main(void) {
  small_network *net = NULL;
  size_t arena = 0, lower_bound = 0, weights = 0, in_size, out_size;
  size_t samples, sample, diff = 0, i, stack;
  long heap_before_runs, run_heap;
  uint32_t dims[4], ticks = 0, sample_ticks;
  double instructions, macs;

  if (SMALL_TEST_BUILD(&net) != SMALL_OK ||
      small_network_arena_size(net, &arena) != SMALL_OK ||
      small_network_arena_lower_bound(net, &lower_bound) != SMALL_OK ||
      small_network_weight_bytes(net, &weights) != SMALL_OK ||
      small_network_input_shape(net, 0, dims) != SMALL_OK) {
    printf("build: %s\n", small_last_error());
    return 2;
  }
  in_size = elements(dims);
  if (small_network_output_shape(net, 0, dims) != SMALL_OK) {
    return 2;
  }
  out_size = elements(dims);
  samples = sizeof small_test_expected / out_size;
  if (samples == 0 || samples * out_size != sizeof small_test_expected ||
      samples * in_size != sizeof small_test_inputs) {
    printf("the embedded samples do not match the network's shapes\n");
    return 2;
  }
  /* The runs must not allocate (the network runs in its arena). */
  heap_before_runs = (long)mallinfo().uordblks;
  for (sample = 0; sample < samples; ++sample) {
    sample_ticks =
        run(net, (const int8_t *)small_test_inputs + sample * in_size,
            outputs + sample * out_size);
    if (sample_ticks == 0) {
      return 2;
    }
    if (sample == 0) {
      ticks = sample_ticks;
    }
  }
  /* Before any printf: newlib's printf takes 4 KB of stack. */
  stack = small_firmware_stack_high_water();
  run_heap = (long)mallinfo().uordblks - heap_before_runs;
  for (i = 0; i < sizeof outputs; ++i) {
    diff += outputs[i] != (int8_t)small_test_expected[i];
  }
  instructions = ticks_to_instructions(ticks);
  macs = network_macs(net);
  /* heap_bytes: what malloc took from the system (newlib never gives it
   * back): the network's tables, its per-channel requantization data
   * (weight_bytes: the packed weights are the generated const arrays,
   * borrowed), what building and finalizing used for a while, and its
   * arena when it did not get one; heap_live_bytes: what is allocated
   * while the network runs. */
  printf("net=%s dtype=int8 samples=%lu differing_bytes=%lu arena_bytes=%lu "
         "arena_lower_bound=%lu weight_bytes=%lu heap_bytes=%lu "
         "heap_live_bytes=%ld "
         "run_heap_bytes=%ld stack_bytes=%lu "
         "macs=%.0f "
         "systick_ticks=%lu instructions=%.0f instructions_per_mac=%.2f %s\n",
         SMALL_TEST_NET_NAME, (unsigned long)samples, (unsigned long)diff,
         (unsigned long)arena, (unsigned long)lower_bound,
         (unsigned long)weights, (unsigned long)mallinfo().arena,
         heap_before_runs, run_heap, (unsigned long)stack, macs,
         (unsigned long)ticks, instructions, instructions / macs,
         diff == 0 && run_heap == 0 ? "PASS" : "FAIL");
  if (!print_layers(net)) {
    printf("profiling: %s\n", small_last_error());
    return 2;
  }
  small_network_destroy(net);
  return diff == 0 && run_heap == 0 ? 0 : 1;
}
