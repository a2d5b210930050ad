/* The MLPerf Tiny v1.0 reference networks through SMaLL's public C API.
 * C99, built as the small_mlperf_networks library that the demo and the
 * tests link. */
#include "networks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Weight sources                                                           */

static const float *nb_flat_next(void *ctx, size_t count) {
  mlperf_flat_weights *flat = (mlperf_flat_weights *)ctx;
  const float *p;
  if (flat == NULL || flat->data == NULL || flat->used > flat->size ||
      count > flat->size - flat->used) {
    return NULL;
  }
  p = flat->data + flat->used;
  flat->used += count;
  return p;
}

mlperf_weight_source mlperf_flat_source(mlperf_flat_weights *flat,
                                        const float *data, size_t size) {
  mlperf_weight_source src;
  if (flat != NULL) {
    flat->data = data;
    flat->size = size;
    flat->used = 0;
  }
  src.next = nb_flat_next;
  src.ctx = flat;
  return src;
}

/* ------------------------------------------------------------------------ */
/* The builder: tracks shapes itself (so that a dry run needs no network),
 * checks them against SMaLL's when building, and counts params and MACs.   */

typedef struct nb_tensor {
  small_tensor id; /* -1 in a dry run */
  uint32_t c, h, w;
} nb_tensor;

typedef struct nb_builder {
  small_network *net; /* NULL: dry run */
  mlperf_weight_source src;
  mlperf_net_info *info;
  small_status status;
  uint32_t layer; /* index of the layer being added, for messages */
} nb_builder;

static void nb_fail(nb_builder *b, small_status status, const char *fmt, ...) {
  va_list args;
  if (b->status != SMALL_OK) {
    return;
  }
  b->status = status;
  va_start(args, fmt);
  vsnprintf(b->info->error, sizeof b->info->error, fmt, args);
  va_end(args);
}

static void nb_check_call(nb_builder *b, small_status status,
                          const char *what) {
  if (status != SMALL_OK) {
    nb_fail(b, status, "%s layer %u (%s): %s: %s", b->info->name,
            (unsigned)b->layer, what, small_status_string(status),
            small_last_error());
  }
}

static uint32_t nb_ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Compares SMaLL's shape of t with the one computed here. */
static void nb_check_shape(nb_builder *b, nb_tensor t, const char *what) {
  uint32_t dims[4];
  small_status s;
  if (b->net == NULL || b->status != SMALL_OK) {
    return;
  }
  s = small_network_tensor_shape(b->net, t.id, dims);
  nb_check_call(b, s, what);
  if (s == SMALL_OK &&
      (dims[0] != 1 || dims[1] != t.c || dims[2] != t.h || dims[3] != t.w)) {
    nb_fail(b, SMALL_ERR_INTERNAL,
            "%s layer %u (%s): SMaLL says (%u, %u, %u, %u), expected (1, %u, "
            "%u, %u)",
            b->info->name, (unsigned)b->layer, what, (unsigned)dims[0],
            (unsigned)dims[1], (unsigned)dims[2], (unsigned)dims[3],
            (unsigned)t.c, (unsigned)t.h, (unsigned)t.w);
  }
}

/* Next `count` parameters, or NULL (and the builder fails) if there are
 * none. In a dry run only counts. */
static const float *nb_take(nb_builder *b, size_t count, const char *what) {
  const float *p = NULL;
  b->info->params += count;
  if (b->net == NULL || b->status != SMALL_OK) {
    return NULL;
  }
  if (b->src.next != NULL) {
    p = b->src.next(b->src.ctx, count);
  }
  if (p == NULL) {
    nb_fail(b, SMALL_ERR_INVALID_ARGUMENT,
            "%s layer %u (%s): the weight source has no %lu more floats",
            b->info->name, (unsigned)b->layer, what, (unsigned long)count);
  }
  return p;
}

static small_activation nb_act(int relu) {
  return small_activation_make(relu ? SMALL_ACT_RELU : SMALL_ACT_NONE);
}

static void nb_begin(nb_builder *b, small_network *net,
                     mlperf_weight_source src, mlperf_net_info *info,
                     const char *name, const char *title) {
  memset(info, 0, sizeof *info);
  info->name = name;
  info->title = title;
  b->net = net;
  b->src = src;
  b->info = info;
  b->status = SMALL_OK;
  b->layer = 0;
}

static nb_tensor nb_input(nb_builder *b, uint32_t c, uint32_t h, uint32_t w) {
  nb_tensor t;
  t.id = -1;
  t.c = c;
  t.h = h;
  t.w = w;
  b->info->input_shape[0] = 1;
  b->info->input_shape[1] = c;
  b->info->input_shape[2] = h;
  b->info->input_shape[3] = w;
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(b, small_network_add_input(b->net, 1, c, h, w, &t.id),
                  "input");
  }
  return t;
}

/* Convolution with TensorFlow SAME padding, stride in both axes, a bias, and
 * an optional fused ReLU. depthwise: groups == channels == out_channels. */
static nb_tensor nb_conv(nb_builder *b, nb_tensor x, uint32_t out_channels,
                         uint32_t kernel_h, uint32_t kernel_w, uint32_t stride,
                         int depthwise, int relu) {
  const char *what = depthwise ? "depthwise conv" : "conv";
  const uint32_t groups = depthwise ? x.c : 1;
  const uint32_t cin = x.c / groups;
  const size_t count = (size_t)out_channels * cin * kernel_h * kernel_w;
  nb_tensor y;
  const float *w, *bias;

  ++b->layer;
  y.id = -1;
  y.c = out_channels;
  y.h = nb_ceil_div(x.h, stride);
  y.w = nb_ceil_div(x.w, stride);
  b->info->macs += (uint64_t)y.h * y.w * y.c * cin * kernel_h * kernel_w;
  ++b->info->weighted_layers;
  w = nb_take(b, count, what);
  bias = nb_take(b, out_channels, what);
  if (b->net != NULL && b->status == SMALL_OK) {
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = out_channels;
    p.kernel_h = kernel_h;
    p.kernel_w = kernel_w;
    p.stride_h = p.stride_w = stride;
    p.padding_mode = SMALL_PADDING_SAME;
    p.groups = groups;
    p.weight_layout = SMALL_WEIGHTS_OIHW;
    p.activation = nb_act(relu);
    nb_check_call(b, small_network_add_conv2d(b->net, x.id, &p, w, bias, &y.id),
                  what);
    nb_check_shape(b, y, what);
  }
  return y;
}

static nb_tensor nb_dense(nb_builder *b, nb_tensor x, uint32_t out_features,
                          int relu) {
  const size_t in = (size_t)x.c * x.h * x.w;
  nb_tensor y;
  const float *w, *bias;

  ++b->layer;
  y.id = -1;
  y.c = out_features;
  y.h = y.w = 1;
  b->info->macs += (uint64_t)in * out_features;
  ++b->info->weighted_layers;
  w = nb_take(b, in * out_features, "dense");
  bias = nb_take(b, out_features, "dense");
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(b,
                  small_network_add_dense(b->net, x.id, out_features, w, bias,
                                          nb_act(relu), &y.id),
                  "dense");
    nb_check_shape(b, y, "dense");
  }
  return y;
}

/* Keras AveragePooling2D(pool_size=(kh, kw)): stride = pool size, VALID. */
static nb_tensor nb_avgpool(nb_builder *b, nb_tensor x, uint32_t kernel_h,
                            uint32_t kernel_w) {
  nb_tensor y;
  ++b->layer;
  y.id = -1;
  y.c = x.c;
  y.h = x.h / kernel_h;
  y.w = x.w / kernel_w;
  if (b->net != NULL && b->status == SMALL_OK) {
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    p.kind = SMALL_POOL_AVG;
    p.kernel_h = p.stride_h = kernel_h;
    p.kernel_w = p.stride_w = kernel_w;
    p.padding_mode = SMALL_PADDING_VALID;
    nb_check_call(b, small_network_add_pool2d(b->net, x.id, &p, &y.id),
                  "avgpool");
    nb_check_shape(b, y, "avgpool");
  }
  return y;
}

static nb_tensor nb_global_avgpool(nb_builder *b, nb_tensor x) {
  nb_tensor y;
  ++b->layer;
  y.id = -1;
  y.c = x.c;
  y.h = y.w = 1;
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(b, small_network_add_global_avgpool(b->net, x.id, &y.id),
                  "global avgpool");
    nb_check_shape(b, y, "global avgpool");
  }
  return y;
}

static nb_tensor nb_add(nb_builder *b, nb_tensor x, nb_tensor z, int relu) {
  nb_tensor y = x;
  ++b->layer;
  y.id = -1;
  if (x.c != z.c || x.h != z.h || x.w != z.w) {
    nb_fail(b, SMALL_ERR_INTERNAL, "%s layer %u (add): operand shapes differ",
            b->info->name, (unsigned)b->layer);
  }
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(
        b, small_network_add_add(b->net, x.id, z.id, nb_act(relu), &y.id),
        "add");
    nb_check_shape(b, y, "add");
  }
  return y;
}

static nb_tensor nb_softmax(nb_builder *b, nb_tensor x) {
  nb_tensor y = x;
  ++b->layer;
  y.id = -1;
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(b, small_network_add_softmax(b->net, x.id, &y.id), "softmax");
    nb_check_shape(b, y, "softmax");
  }
  return y;
}

static small_status nb_finish(nb_builder *b, nb_tensor out) {
  b->info->output_shape[0] = 1;
  b->info->output_shape[1] = out.c;
  b->info->output_shape[2] = out.h;
  b->info->output_shape[3] = out.w;
  if (b->net != NULL && b->status == SMALL_OK) {
    nb_check_call(b, small_network_mark_output(b->net, out.id), "output");
  }
  return b->status;
}

/* ------------------------------------------------------------------------ */
/* The networks                                                             */

/* Local storage for info when the caller passes NULL. */
#define INFO_OR_LOCAL(info, local) ((info) != NULL ? (info) : &(local))

/* ResNet-8 (MLPerf Tiny image classification, Keras resnet_v1_eembc).
 * Weight order: conv1; stack1 conv a, conv b; stack2 conv a (s2), conv b,
 * shortcut 1x1 (s2); stack3 likewise; dense. */
small_status mlperf_build_resnet8(small_network *network,
                                  mlperf_weight_source weights,
                                  mlperf_net_info *info) {
  static const uint32_t widths[2] = {32, 64};
  mlperf_net_info local;
  nb_builder b;
  nb_tensor x, y, s;
  int i;

  nb_begin(&b, network, weights, INFO_OR_LOCAL(info, local), "resnet8",
           "ResNet-8, image classification (CIFAR-10)");
  x = nb_input(&b, 3, 32, 32);
  x = nb_conv(&b, x, 16, 3, 3, 1, 0, 1);
  /* stack 1: identity shortcut */
  y = nb_conv(&b, x, 16, 3, 3, 1, 0, 1);
  y = nb_conv(&b, y, 16, 3, 3, 1, 0, 0);
  x = nb_add(&b, x, y, 1);
  /* stacks 2 and 3: downsampling, 1x1 convolution on the shortcut */
  for (i = 0; i < 2; ++i) {
    y = nb_conv(&b, x, widths[i], 3, 3, 2, 0, 1);
    y = nb_conv(&b, y, widths[i], 3, 3, 1, 0, 0);
    s = nb_conv(&b, x, widths[i], 1, 1, 2, 0, 0);
    x = nb_add(&b, s, y, 1);
  }
  x = nb_avgpool(&b, x, 8, 8);
  x = nb_dense(&b, x, 10, 0);
  x = nb_softmax(&b, x);
  return nb_finish(&b, x);
}

/* DS-CNN (MLPerf Tiny keyword spotting). Weight order: conv1; then per block
 * the depthwise 3x3, the pointwise 1x1; dense. */
small_status mlperf_build_dscnn(small_network *network,
                                mlperf_weight_source weights,
                                mlperf_net_info *info) {
  mlperf_net_info local;
  nb_builder b;
  nb_tensor x;
  int i;

  nb_begin(&b, network, weights, INFO_OR_LOCAL(info, local), "dscnn",
           "DS-CNN, keyword spotting (Speech Commands)");
  x = nb_input(&b, 1, 49, 10);
  x = nb_conv(&b, x, 64, 10, 4, 2, 0, 1);
  for (i = 0; i < 4; ++i) {
    x = nb_conv(&b, x, 64, 3, 3, 1, 1, 1);
    x = nb_conv(&b, x, 64, 1, 1, 1, 0, 1);
  }
  x = nb_avgpool(&b, x, 25, 5);
  x = nb_dense(&b, x, 12, 0);
  x = nb_softmax(&b, x);
  return nb_finish(&b, x);
}

/* MobileNetV1 with width multiplier 0.25 (MLPerf Tiny visual wake words).
 * Weight order: conv1; then per block the depthwise 3x3, the pointwise 1x1;
 * dense. */
small_status mlperf_build_mobilenet_v1(small_network *network,
                                       mlperf_weight_source weights,
                                       mlperf_net_info *info) {
  /* (stride, output channels) of the 13 depthwise-separable blocks */
  static const uint32_t blocks[13][2] = {
      {1, 16},  {2, 32},  {1, 32},  {2, 64},  {1, 64},  {2, 128}, {1, 128},
      {1, 128}, {1, 128}, {1, 128}, {1, 128}, {2, 256}, {1, 256}};
  mlperf_net_info local;
  nb_builder b;
  nb_tensor x;
  int i;

  nb_begin(&b, network, weights, INFO_OR_LOCAL(info, local), "mobilenet_v1",
           "MobileNetV1 0.25, visual wake words");
  x = nb_input(&b, 3, 96, 96);
  x = nb_conv(&b, x, 8, 3, 3, 2, 0, 1);
  for (i = 0; i < 13; ++i) {
    x = nb_conv(&b, x, x.c, 3, 3, blocks[i][0], 1, 1);
    x = nb_conv(&b, x, blocks[i][1], 1, 1, 1, 0, 1);
  }
  x = nb_global_avgpool(&b, x);
  x = nb_dense(&b, x, 2, 0);
  x = nb_softmax(&b, x);
  return nb_finish(&b, x);
}

/* Deep AutoEncoder (MLPerf Tiny anomaly detection, ToyADMOS). Weight order:
 * the ten dense layers from input to output. */
small_status mlperf_build_autoencoder(small_network *network,
                                      mlperf_weight_source weights,
                                      mlperf_net_info *info) {
  mlperf_net_info local;
  nb_builder b;
  nb_tensor x;
  int i;

  nb_begin(&b, network, weights, INFO_OR_LOCAL(info, local), "autoencoder",
           "Deep AutoEncoder, anomaly detection (ToyADMOS)");
  x = nb_input(&b, 640, 1, 1);
  for (i = 0; i < 4; ++i) {
    x = nb_dense(&b, x, 128, 1);
  }
  x = nb_dense(&b, x, 8, 1);
  for (i = 0; i < 4; ++i) {
    x = nb_dense(&b, x, 128, 1);
  }
  x = nb_dense(&b, x, 640, 0);
  return nb_finish(&b, x);
}

small_status mlperf_build(mlperf_net which, small_network *network,
                          mlperf_weight_source weights, mlperf_net_info *info) {
  switch (which) {
  case MLPERF_RESNET8:
    return mlperf_build_resnet8(network, weights, info);
  case MLPERF_DSCNN:
    return mlperf_build_dscnn(network, weights, info);
  case MLPERF_MOBILENET_V1:
    return mlperf_build_mobilenet_v1(network, weights, info);
  case MLPERF_AUTOENCODER:
    return mlperf_build_autoencoder(network, weights, info);
  }
  if (info != NULL) {
    memset(info, 0, sizeof *info);
    snprintf(info->error, sizeof info->error, "unknown network %d", (int)which);
  }
  return SMALL_ERR_NOT_FOUND;
}

small_status mlperf_describe(mlperf_net which, mlperf_net_info *info) {
  mlperf_weight_source none;
  none.next = NULL;
  none.ctx = NULL;
  if (info == NULL) {
    return SMALL_ERR_NULL_POINTER;
  }
  return mlperf_build(which, NULL, none, info);
}

uint64_t mlperf_param_count(mlperf_net which) {
  mlperf_net_info info;
  return mlperf_describe(which, &info) == SMALL_OK ? info.params : 0;
}
