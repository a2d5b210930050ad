/* A minimal SMaLL program in C99: a tiny CNN built layer by layer.
 * Build: cc hello.c -lsmall -lstdc++ -lm   (or link small::small_static) */
#include <stdio.h>
#include <stdlib.h>

#include "small/small.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    small_status s_ = (call);                                                  \
    if (s_ != SMALL_OK) {                                                      \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, small_status_string(s_),  \
              small_last_error());                                             \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(void) {
  enum { C = 3, H = 8, W = 8, K = 4, CLASSES = 3 };
  static float conv_w[K * C * 3 * 3], conv_b[K], fc_w[CLASSES * K];
  static float image[C * H * W];
  float probs[CLASSES];
  small_network *net = NULL;
  small_tensor x, t;
  small_conv2d_params conv;
  small_kernel_info info;
  size_t arena = 0;
  int i;

  for (i = 0; i < K * C * 9; ++i)
    conv_w[i] = (float)((i % 7) - 3) * 0.1f;
  for (i = 0; i < K; ++i)
    conv_b[i] = 0.05f * (float)i;
  for (i = 0; i < CLASSES * K; ++i)
    fc_w[i] = (float)((i % 5) - 2) * 0.2f;
  for (i = 0; i < C * H * W; ++i)
    image[i] = (float)(i % 11) / 10.0f;

  CHECK(small_network_create(&net));
  CHECK(small_network_add_input(net, 1, C, H, W, &x));
  small_conv2d_params_init(&conv);
  conv.out_channels = K;
  conv.kernel_h = conv.kernel_w = 3;
  conv.padding_mode = SMALL_PADDING_SAME;
  conv.activation = small_activation_make(SMALL_ACT_RELU);
  CHECK(small_network_add_conv2d(net, x, &conv, conv_w, conv_b, &t));
  CHECK(small_network_add_global_avgpool(net, t, &t));
  CHECK(small_network_add_dense(net, t, CLASSES, fc_w, NULL,
                                small_activation_make(SMALL_ACT_NONE), &t));
  CHECK(small_network_add_softmax(net, t, &t));
  CHECK(small_network_mark_output(net, t));
  CHECK(small_network_finalize(net));
  CHECK(small_network_arena_size(net, &arena));

  {
    const float *inputs[1];
    float *outputs[1];
    inputs[0] = image;
    outputs[0] = probs;
    CHECK(small_network_run(net, inputs, 1, outputs, 1, SMALL_LAYOUT_NCHW));
  }
  CHECK(small_kernel_config(&info));
  printf("SMaLL %s, ISA %s (Cb=%u), arena %zu bytes\n", small_version_string(),
         info.isa, info.channel_block, arena);
  for (i = 0; i < CLASSES; ++i)
    printf("class %d: %.6f\n", i, probs[i]);
  {
    /* The executed layers after fusion (the ReLU runs inside the conv). */
    size_t layers = 0, l;
    small_layer_info layer;
    CHECK(small_network_layer_count(net, &layers));
    for (l = 0; l < layers; ++l) {
      CHECK(small_network_layer_info(net, l, &layer));
      printf("layer %u: %-18s %-15s -> (%u, %u, %u, %u) %lu MACs\n",
             (unsigned)l, layer.name, layer.kind_name, layer.output_dims[0],
             layer.output_dims[1], layer.output_dims[2], layer.output_dims[3],
             (unsigned long)layer.macs);
    }
  }
  small_network_destroy(net);
  return 0;
}
