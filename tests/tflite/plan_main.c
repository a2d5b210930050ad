/* Runs a compiled plan small-codegen --plan wrote for this build's kernels:
 * reads input 0 and writes output 0, raw int8 NHWC. Built once per model
 * with SMALL_PLAN_HEADER, SMALL_PLAN_INIT, SMALL_PLAN_RUN and
 * SMALL_PLAN_PREFIX (the header's macro prefix) defined.
 * Usage: prog in.bin out.bin */
#include <stdio.h>

#include SMALL_PLAN_HEADER

#define CAT(a, b) a##b
#define MACRO(prefix, name) CAT(prefix, name)
#define IN_SIZE MACRO(SMALL_PLAN_PREFIX, _INPUT0_SIZE)
#define OUT_SIZE MACRO(SMALL_PLAN_PREFIX, _OUTPUT0_SIZE)

static int8_t input[IN_SIZE];
static int8_t output[OUT_SIZE];

int main(int argc, char **argv) {
  const int8_t *ins[1];
  int8_t *outs[1];
  small_status s;
  FILE *f;
  if (argc != 3) {
    fprintf(stderr, "usage: %s in.bin out.bin\n", argv[0]);
    return 2;
  }
  f = fopen(argv[1], "rb");
  if (f == NULL || fread(input, 1, sizeof input, f) != sizeof input) {
    fprintf(stderr, "cannot read %lu bytes from %s\n",
            (unsigned long)sizeof input, argv[1]);
    return 1;
  }
  fclose(f);
  s = SMALL_PLAN_INIT();
  if (s == SMALL_OK) {
    ins[0] = input;
    outs[0] = output;
    s = SMALL_PLAN_RUN(ins, outs);
  }
  if (s != SMALL_OK) {
    fprintf(stderr, "plan: %s\n", small_last_error());
    return 1;
  }
  f = fopen(argv[2], "wb");
  if (f == NULL || fwrite(output, 1, sizeof output, f) != sizeof output ||
      fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
