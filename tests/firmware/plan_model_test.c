/* An int8 MLPerf Tiny network on the emulated board as a compiled plan
 * (small-codegen --plan --target, committed in tests/firmware/generated):
 * the device binds the plan's kernels and runs every sample of the model in
 * the plan's static arena, requiring each output byte to equal TFLite's
 * reference arithmetic exactly. Nothing is built, planned or packed here,
 * and nothing may come from the heap: malloc's arena must not grow from the
 * start of main to the end of the runs (measured before the first printf,
 * which allocates its stdout buffer). What newlib's semihosting startup
 * took before main (its console handles, no part of SMaLL) is printed as
 * startup_heap_bytes.
 *
 * One program for every model, compiled once per model with:
 *   SMALL_TEST_NET_NAME       the model's name ("dscnn")
 *   SMALL_TEST_PLAN_HEADER    the generated header ("dscnn_plan.h")
 *   SMALL_TEST_PLAN           its plan, init and run names' prefix (dscnn)
 *   SMALL_TEST_SAMPLES_HEADER the embedded samples (bytes_to_c.cmake)
 *
 * It prints one line: samples, differing bytes, the plan's arena and MACs,
 * heap and stack high-water, and the SysTick ticks of the first sample's
 * run with the clock they count (instructions = ticks * 1e9 / sysclk_hz
 * under QEMU -icount shift=0, instruction_count.h). Integers only: this
 * image links printf without floating point and no 64-bit division, so
 * that its flash is close to what firmware running a plan needs;
 * tools/firmware_report.sh reads the line. */
#include <malloc.h> /* newlib: mallinfo */
#include <stdint.h>
#include <stdio.h>

#include "instruction_count.h"
#include "small_firmware.h"
#include SMALL_TEST_PLAN_HEADER
#include SMALL_TEST_SAMPLES_HEADER

#define CAT(a, b) a##b
#define NAME(prefix, suffix) CAT(prefix, suffix)
#define PLAN NAME(SMALL_TEST_PLAN, _plan)
#define PLAN_INIT NAME(SMALL_TEST_PLAN, _init)
#define PLAN_RUN NAME(SMALL_TEST_PLAN, _run)

/* Every sample's output, side by side as in small_test_expected. */
static int8_t outputs[sizeof small_test_expected];

static uint32_t elements(const small_plan_tensor *t) {
  return t->n * t->c * t->h * t->w;
}

int main(void) {
  const uint32_t in_size = elements(&PLAN.inputs[0]);
  const uint32_t out_size = elements(&PLAN.outputs[0]);
  const size_t samples = sizeof small_test_expected / out_size;
  const int8_t *ins[1];
  int8_t *outs[1];
  size_t sample, i, diff = 0, stack;
  const unsigned long startup_heap = (unsigned long)mallinfo().arena;
  unsigned long heap;
  uint32_t start, ticks = 0;
  small_status s = PLAN_INIT();

  if (samples == 0 || samples * out_size != sizeof small_test_expected ||
      samples * in_size != sizeof small_test_inputs) {
    printf("the embedded samples do not match the plan's shapes\n");
    return 2;
  }
  for (sample = 0; s == SMALL_OK && sample < samples; ++sample) {
    ins[0] = (const int8_t *)small_test_inputs + sample * in_size;
    outs[0] = outputs + sample * out_size;
    start = systick_start();
    icount_region_begin();
    s = PLAN_RUN(ins, outs);
    icount_region_end();
    if (sample == 0) {
      ticks = systick_stop(start);
    }
  }
  /* Before any printf (it takes 4 KB of stack and a heap buffer). */
  stack = small_firmware_stack_high_water();
  heap = (unsigned long)mallinfo().arena - startup_heap;
  if (s != SMALL_OK) {
    printf("plan: %s\n", small_last_error());
    return 2;
  }
  for (i = 0; i < sizeof outputs; ++i) {
    diff += outputs[i] != (int8_t)small_test_expected[i];
  }
  printf("net=%s dtype=int8 plan=1 samples=%lu differing_bytes=%lu "
         "arena_bytes=%lu slots=%lu heap_bytes=%lu startup_heap_bytes=%lu "
         "stack_bytes=%lu macs=%lu systick_ticks=%lu sysclk_hz=%lu %s\n",
         SMALL_TEST_NET_NAME, (unsigned long)samples, (unsigned long)diff,
         (unsigned long)PLAN.arena_bytes, (unsigned long)PLAN.slot_count, heap,
         startup_heap, (unsigned long)stack, (unsigned long)PLAN.macs,
         (unsigned long)ticks, (unsigned long)SMALL_FIRMWARE_SYSCLK_HZ,
         diff == 0 && heap == 0 ? "PASS" : "FAIL");
  return diff == 0 && heap == 0 ? 0 : 1;
}
