/* Runs a compiled plan small-codegen --plan wrote for this build's kernels:
 * reads input 0 and writes every output one after the other, raw int8
 * NHWC, sized from the plan. Built once per plan with SMALL_PLAN_HEADER,
 * SMALL_PLAN_INIT, SMALL_PLAN_RUN and SMALL_PLAN_PLAN (the plan's name)
 * defined. Usage: prog in.bin out.bin */
#include <stdio.h>
#include <stdlib.h>

#include SMALL_PLAN_HEADER

#define MAX_OUTPUTS 8

static size_t elements(const small_plan_tensor *t) {
  return (size_t)t->n * t->c * t->h * t->w;
}

int main(int argc, char **argv) {
  const small_plan *plan = &SMALL_PLAN_PLAN;
  const size_t in_size = elements(&plan->inputs[0]);
  const int8_t *ins[1];
  int8_t *outs[MAX_OUTPUTS];
  int8_t *input, *output;
  size_t out_size = 0, i;
  small_status s;
  FILE *f;
  if (argc != 3 || plan->input_count != 1 || plan->output_count > MAX_OUTPUTS) {
    fprintf(stderr, "usage: %s in.bin out.bin (one input, <= %d outputs)\n",
            argv[0], MAX_OUTPUTS);
    return 2;
  }
  for (i = 0; i < plan->output_count; ++i) {
    out_size += elements(&plan->outputs[i]);
  }
  input = (int8_t *)malloc(in_size);
  output = (int8_t *)malloc(out_size);
  f = fopen(argv[1], "rb");
  if (input == NULL || output == NULL || f == NULL ||
      fread(input, 1, in_size, f) != in_size) {
    fprintf(stderr, "cannot read %lu bytes from %s\n", (unsigned long)in_size,
            argv[1]);
    return 1;
  }
  fclose(f);
  ins[0] = input;
  outs[0] = output;
  for (i = 1; i < plan->output_count; ++i) {
    outs[i] = outs[i - 1] + elements(&plan->outputs[i - 1]);
  }
  s = SMALL_PLAN_INIT();
  if (s == SMALL_OK) {
    s = SMALL_PLAN_RUN(ins, outs);
  }
  if (s != SMALL_OK) {
    fprintf(stderr, "plan: %s\n", small_last_error());
    return 1;
  }
  f = fopen(argv[2], "wb");
  if (f == NULL || fwrite(output, 1, out_size, f) != out_size ||
      fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  free(input);
  free(output);
  return 0;
}
