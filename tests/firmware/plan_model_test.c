/* An int8 MLPerf Tiny network on the emulated board as a compiled plan
 * (small-codegen --plan --target, committed in tests/firmware/generated):
 * the device binds the plan's kernels and runs every sample of the model in
 * the plan's static arena, requiring each output byte to equal TFLite's
 * reference arithmetic exactly. Nothing is built, planned or packed here.
 *
 * The image is what firmware running a plan needs and little more: no
 * stdio (it reports through small_firmware_print, semihosting alone, with
 * no_stdio_console.c) and no allocator at all; the test
 * small_<net>_plan_links_no_allocator checks the linked image for malloc
 * and its kin (check_no_allocator.cmake), so no heap can be used.
 *
 * One program for every model, compiled once per model with:
 *   SMALL_TEST_NET_NAME       the model's name ("dscnn")
 *   SMALL_TEST_PLAN_HEADER    the generated header ("dscnn_plan.h")
 *   SMALL_TEST_PLAN           its plan, init and run names' prefix (dscnn)
 *   SMALL_TEST_SAMPLES_HEADER the embedded samples (bytes_to_c.cmake)
 *
 * It prints one line: samples, differing bytes, the plan's arena and MACs,
 * the stack high-water, and the SysTick ticks of the first sample's run
 * with the clock they count (instructions = ticks * 1e9 / sysclk_hz under
 * QEMU -icount shift=0, instruction_count.h); tools/firmware_report.sh
 * reads it. */
#include <stdint.h>

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

/* " name=value" on the report line. */
static void print_field(const char *name, uint32_t value) {
  small_firmware_print(" ");
  small_firmware_print(name);
  small_firmware_print("=");
  small_firmware_print_unsigned(value);
}

int main(void) {
  const uint32_t in_size = elements(&PLAN.inputs[0]);
  const uint32_t out_size = elements(&PLAN.outputs[0]);
  const uint32_t samples = (uint32_t)sizeof small_test_expected / out_size;
  const int8_t *ins[1];
  int8_t *outs[1];
  uint32_t sample, i, diff = 0, start, ticks = 0;
  small_status s = PLAN_INIT();

  if (samples == 0 || samples * out_size != sizeof small_test_expected ||
      samples * in_size != sizeof small_test_inputs) {
    small_firmware_print("the embedded samples do not match the plan's "
                         "shapes\n");
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
  if (s != SMALL_OK) {
    small_firmware_print("plan: ");
    small_firmware_print(small_last_error());
    small_firmware_print("\n");
    return 2;
  }
  for (i = 0; i < sizeof outputs; ++i) {
    diff += outputs[i] != (int8_t)small_test_expected[i];
  }
  small_firmware_print("net=" SMALL_TEST_NET_NAME " dtype=int8 plan=1");
  print_field("samples", samples);
  print_field("differing_bytes", diff);
  print_field("arena_bytes", PLAN.arena_bytes);
  print_field("slots", PLAN.slot_count);
  print_field("stack_bytes", (uint32_t)small_firmware_stack_high_water());
  /* The largest model has 12.5 M; a 32-bit field keeps 64-bit division
   * out of the image. */
  print_field("macs", PLAN.macs <= 0xFFFFFFFFu ? (uint32_t)PLAN.macs : 0);
  print_field("systick_ticks", ticks);
  print_field("sysclk_hz", SMALL_FIRMWARE_SYSCLK_HZ);
  small_firmware_print(diff == 0 ? " PASS\n" : " FAIL\n");
  return diff == 0 ? 0 : 1;
}
