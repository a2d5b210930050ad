/* The public API from C99 (only small.h): builds a small CNN
 *   input (2,3,9,10) -> conv 3x3 stride 2 SAME (4) + ReLU -> maxpool 2x2/2
 *   -> dense (5) -> softmax
 * runs it with NCHW and NHWC buffers and checks both outputs (softmax and
 * the pooled features) against the naive implementation below. Also checks
 * HWIO weights and the error paths (NULL arguments, invalid enum values).
 *
 * Tolerance: |got - want| <= 1e-5 * max(1, |want|), i.e. 1e-5 relative for
 * values above 1 in magnitude and 1e-5 absolute below (the reference
 * accumulates in double). Returns nonzero on any failure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "small/small.h"

enum {
  N = 2,
  C = 3,
  H = 9,
  W = 10,
  K = 4,                /* conv output channels */
  KS = 3,               /* conv kernel */
  S = 2,                /* conv stride */
  OH = (H + S - 1) / S, /* SAME: ceil(in / stride) = 5 */
  OW = (W + S - 1) / S, /* 5 */
  PH = OH / 2,          /* maxpool 2x2 stride 2, no padding: 2 */
  PW = OW / 2,          /* 2 */
  FEAT = K * PH * PW,   /* dense inputs: 16 */
  CLASSES = 5
};

static int failures = 0;
static int checks = 0;

#define TOLERANCE 1e-5

static void expect(int ok, const char *what) {
  ++checks;
  if (!ok) {
    ++failures;
    printf("  FAILED: %s\n", what);
  }
}

#define EXPECT_OK(call)                                                        \
  do {                                                                         \
    small_status s_ = (call);                                                  \
    ++checks;                                                                  \
    if (s_ != SMALL_OK) {                                                      \
      ++failures;                                                              \
      printf("  FAILED: %s -> %s: %s\n", #call, small_status_string(s_),       \
             small_last_error());                                              \
      return 0;                                                                \
    }                                                                          \
  } while (0)

/* A failing call: exact status and a non-empty last error containing
 * `fragment`. */
#define EXPECT_STATUS(call, want, fragment)                                    \
  do {                                                                         \
    small_status s_ = (call);                                                  \
    const char *e_ = small_last_error();                                       \
    ++checks;                                                                  \
    if (s_ != (want) || e_ == NULL || e_[0] == '\0' ||                         \
        strstr(e_, (fragment)) == NULL) {                                      \
      ++failures;                                                              \
      printf("  FAILED: %s -> %s (want %s), last error \"%s\" (want it to "    \
             "contain \"%s\")\n",                                              \
             #call, small_status_string(s_), small_status_string(want),        \
             e_ ? e_ : "(null)", (fragment));                                  \
    }                                                                          \
  } while (0)

/* Deterministic values in [-scale, scale). */
static void fill(float *v, int count, unsigned seed, float scale) {
  unsigned long s = seed * 2654435761ul + 7ul;
  int i;
  for (i = 0; i < count; ++i) {
    s = (s * 1103515245ul + 12345ul) & 0x7FFFFFFFul;
    v[i] = ((float)(s % 20001ul) / 10000.0f - 1.0f) * scale;
  }
}

/* Compares with the stated tolerance; returns the worst error ratio. */
static double compare(const float *got, const double *want, int count,
                      const char *what) {
  double worst = 0.0;
  int i, bad = -1;
  for (i = 0; i < count; ++i) {
    const double limit =
        TOLERANCE * (fabs(want[i]) > 1.0 ? fabs(want[i]) : 1.0);
    const double ratio = fabs((double)got[i] - want[i]) / limit;
    if (!(ratio <= 1.0) && bad < 0) {
      bad = i;
    }
    if (!(ratio <= worst)) {
      worst = ratio;
    }
  }
  ++checks;
  if (bad >= 0) {
    ++failures;
    printf("  FAILED: %s: element %d is %.9g, want %.9g\n", what, bad,
           (double)got[bad], want[bad]);
  } else {
    printf("  %-40s %4d values, max error %.3f x tolerance\n", what, count,
           worst);
  }
  return worst;
}

/* ------------------------------------------------------------------------ */
/* The naive reference (NCHW, double accumulation)                          */

static float conv_w[K * C * KS * KS], conv_b[K];
static float fc_w[CLASSES * FEAT], fc_b[CLASSES];

/* TensorFlow SAME padding before the data, computed independently of
 * small_padding_same: total = max((out - 1) * stride + kernel - in, 0). */
static int same_pad_before(int in, int kernel, int stride) {
  const int out = (in + stride - 1) / stride;
  int total = (out - 1) * stride + kernel - in;
  if (total < 0) {
    total = 0;
  }
  return total / 2;
}

static void reference(const float *x, double *pooled, double *probs) {
  static double conv[N][K][OH][OW];
  const int pt = same_pad_before(H, KS, S), pl = same_pad_before(W, KS, S);
  int n, k, c, i, j, r, s;
  for (n = 0; n < N; ++n) {
    for (k = 0; k < K; ++k) {
      for (i = 0; i < OH; ++i) {
        for (j = 0; j < OW; ++j) {
          double acc = conv_b[k];
          for (c = 0; c < C; ++c) {
            for (r = 0; r < KS; ++r) {
              for (s = 0; s < KS; ++s) {
                const int y = i * S + r - pt, xx = j * S + s - pl;
                if (y >= 0 && y < H && xx >= 0 && xx < W) {
                  acc += (double)conv_w[((k * C + c) * KS + r) * KS + s] *
                         x[((n * C + c) * H + y) * W + xx];
                }
              }
            }
          }
          conv[n][k][i][j] = acc > 0.0 ? acc : 0.0; /* ReLU */
        }
      }
    }
  }
  for (n = 0; n < N; ++n) {
    for (k = 0; k < K; ++k) {
      for (i = 0; i < PH; ++i) {
        for (j = 0; j < PW; ++j) {
          double m = conv[n][k][2 * i][2 * j];
          for (r = 0; r < 2; ++r) {
            for (s = 0; s < 2; ++s) {
              const double v = conv[n][k][2 * i + r][2 * j + s];
              m = v > m ? v : m;
            }
          }
          pooled[((n * K + k) * PH + i) * PW + j] = m;
        }
      }
    }
  }
  for (n = 0; n < N; ++n) {
    double logits[CLASSES], mx, sum = 0.0;
    int f;
    for (k = 0; k < CLASSES; ++k) {
      double acc = fc_b[k];
      for (f = 0; f < FEAT; ++f) {
        acc += (double)fc_w[k * FEAT + f] * pooled[n * FEAT + f];
      }
      logits[k] = acc;
    }
    mx = logits[0];
    for (k = 1; k < CLASSES; ++k) {
      mx = logits[k] > mx ? logits[k] : mx;
    }
    for (k = 0; k < CLASSES; ++k) {
      sum += exp(logits[k] - mx);
    }
    for (k = 0; k < CLASSES; ++k) {
      probs[n * CLASSES + k] = exp(logits[k] - mx) / sum;
    }
  }
}

/* ------------------------------------------------------------------------ */
/* The network                                                              */

/* Builds the network; weight_layout selects OIHW or HWIO conv weights. */
static int build(small_network *net, small_weight_layout weight_layout) {
  static float hwio[KS * KS * C * K];
  small_tensor x, conv, pool, t;
  small_conv2d_params cp;
  small_pool2d_params pp;
  const float *weights = conv_w;
  int k, c, r, s;

  if (weight_layout == SMALL_WEIGHTS_HWIO) {
    for (k = 0; k < K; ++k)
      for (c = 0; c < C; ++c)
        for (r = 0; r < KS; ++r)
          for (s = 0; s < KS; ++s)
            hwio[((r * KS + s) * C + c) * K + k] =
                conv_w[((k * C + c) * KS + r) * KS + s];
    weights = hwio;
  }

  EXPECT_OK(small_network_add_input(net, N, C, H, W, &x));
  small_conv2d_params_init(&cp);
  cp.out_channels = K;
  cp.kernel_h = cp.kernel_w = KS;
  cp.stride_h = cp.stride_w = S;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.weight_layout = weight_layout;
  cp.activation = small_activation_make(SMALL_ACT_RELU);
  EXPECT_OK(small_network_add_conv2d(net, x, &cp, weights, conv_b, &conv));

  small_pool2d_params_init(&pp);
  pp.kind = SMALL_POOL_MAX;
  pp.kernel_h = pp.kernel_w = 2;
  pp.stride_h = pp.stride_w = 2;
  EXPECT_OK(small_network_add_pool2d(net, conv, &pp, &pool));
  EXPECT_OK(small_network_add_dense(net, pool, CLASSES, fc_w, fc_b,
                                    small_activation_make(SMALL_ACT_NONE), &t));
  EXPECT_OK(small_network_add_softmax(net, t, &t));
  EXPECT_OK(small_network_mark_output(net, t));
  EXPECT_OK(small_network_mark_output(net, pool));
  EXPECT_OK(small_network_finalize(net));
  return 1;
}

/* Index of NCHW element (a, b, y, x) in NHWC order. */
static int nhwc_index(int a, int b, int y, int x, int c, int h, int w) {
  return ((a * h + y) * w + x) * c + b;
}

static void nchw_to_nhwc(const float *src, float *dst, int n, int c, int h,
                         int w) {
  int a, b, y, x;
  for (a = 0; a < n; ++a)
    for (b = 0; b < c; ++b)
      for (y = 0; y < h; ++y)
        for (x = 0; x < w; ++x)
          dst[nhwc_index(a, b, y, x, c, h, w)] =
              src[((a * c + b) * h + y) * w + x];
}

static void nchw_to_nhwc_d(const double *src, double *dst, int n, int c, int h,
                           int w) {
  int a, b, y, x;
  for (a = 0; a < n; ++a)
    for (b = 0; b < c; ++b)
      for (y = 0; y < h; ++y)
        for (x = 0; x < w; ++x)
          dst[nhwc_index(a, b, y, x, c, h, w)] =
              src[((a * c + b) * h + y) * w + x];
}

static int test_network(void) {
  static float image[N * C * H * W], image_nhwc[N * C * H * W];
  static double want_pool[N * FEAT], want_pool_nhwc[N * FEAT],
      want_probs[N * CLASSES];
  float probs[N * CLASSES], pooled[N * FEAT];
  small_network *net = NULL, *net_hwio = NULL;
  const float *inputs[1];
  float *outputs[2];
  size_t count = 0, arena = 0, bound = 0;
  uint32_t dims[4];
  int ok = 1;

  fill(conv_w, K * C * KS * KS, 1, 0.5f);
  fill(conv_b, K, 2, 0.2f);
  fill(fc_w, CLASSES * FEAT, 3, 0.5f);
  fill(fc_b, CLASSES, 4, 0.1f);
  fill(image, N * C * H * W, 5, 1.0f);
  reference(image, want_pool, want_probs);
  nchw_to_nhwc(image, image_nhwc, N, C, H, W);
  nchw_to_nhwc_d(want_pool, want_pool_nhwc, N, K, PH, PW);

  EXPECT_OK(small_network_create(&net));
  if (!build(net, SMALL_WEIGHTS_OIHW)) {
    small_network_destroy(net);
    return 0;
  }

  /* Shapes and counts. */
  EXPECT_OK(small_network_input_count(net, &count));
  expect(count == 1, "one input");
  EXPECT_OK(small_network_output_count(net, &count));
  expect(count == 2, "two outputs");
  EXPECT_OK(small_network_output_shape(net, 0, dims));
  expect(dims[0] == N && dims[1] == CLASSES && dims[2] == 1 && dims[3] == 1,
         "softmax output shape (2, 5, 1, 1)");
  EXPECT_OK(small_network_output_shape(net, 1, dims));
  expect(dims[0] == N && dims[1] == K && dims[2] == PH && dims[3] == PW,
         "pool output shape (2, 4, 2, 2)");
  EXPECT_OK(small_network_layer_count(net, &count));
  expect(count == 4, "4 layers after fusing the ReLU into the conv");
  EXPECT_OK(small_network_arena_size(net, &arena));
  EXPECT_OK(small_network_arena_lower_bound(net, &bound));
  expect(arena >= bound && bound > 0, "arena >= liveness lower bound > 0");
  {
    small_layer_info info;
    memset(&info, 0, sizeof info);
    EXPECT_OK(small_network_layer_info(net, 0, &info));
    expect(info.kind == SMALL_LAYER_CONV2D &&
               strcmp(info.kind_name, "conv2d") == 0 &&
               info.activation == SMALL_ACT_RELU &&
               info.macs == (uint64_t)N * K * OH * OW * C * KS * KS,
           "layer 0 is the conv with its fused ReLU and its MACs");
    expect(info.arena_offset + info.output_bytes <= arena,
           "layer 0 output inside the arena");
    EXPECT_STATUS(small_network_layer_info(net, 4, &info), SMALL_ERR_NOT_FOUND,
                  "layer index 4");
  }
  {
    /* The network's weights are its layers' (packed: padded to channel
     * blocks, so at least the conv's and dense's raw floats). */
    size_t weights = 0, sum = 0, i;
    small_layer_info info;
    EXPECT_OK(small_network_weight_bytes(net, &weights));
    for (i = 0; i < 4; ++i) {
      EXPECT_OK(small_network_layer_info(net, i, &info));
      sum += (size_t)info.weight_bytes;
    }
    expect(weights == sum, "weight_bytes is the sum over the layers");
    expect(weights >= sizeof(float) * (size_t)K * C * KS * KS,
           "weight_bytes holds at least the conv's weights");
    EXPECT_STATUS(small_network_weight_bytes(net, NULL), SMALL_ERR_NULL_POINTER,
                  "bytes is NULL");
  }

  /* NCHW. */
  memset(probs, 0, sizeof probs);
  memset(pooled, 0, sizeof pooled);
  inputs[0] = image;
  outputs[0] = probs;
  outputs[1] = pooled;
  EXPECT_OK(small_network_run(net, inputs, 1, outputs, 2, SMALL_LAYOUT_NCHW));
  compare(probs, want_probs, N * CLASSES, "NCHW softmax");
  compare(pooled, want_pool, N * FEAT, "NCHW pooled features");

  /* NHWC: same network, input and outputs in NHWC order. */
  memset(probs, 0, sizeof probs);
  memset(pooled, 0, sizeof pooled);
  inputs[0] = image_nhwc;
  EXPECT_OK(small_network_run(net, inputs, 1, outputs, 2, SMALL_LAYOUT_NHWC));
  compare(probs, want_probs, N * CLASSES, "NHWC softmax");
  compare(pooled, want_pool_nhwc, N * FEAT, "NHWC pooled features");

  /* HWIO weights give the same network. */
  EXPECT_OK(small_network_create(&net_hwio));
  if (build(net_hwio, SMALL_WEIGHTS_HWIO)) {
    memset(probs, 0, sizeof probs);
    memset(pooled, 0, sizeof pooled);
    inputs[0] = image;
    EXPECT_OK(
        small_network_run(net_hwio, inputs, 1, outputs, 2, SMALL_LAYOUT_NCHW));
    compare(probs, want_probs, N * CLASSES, "HWIO weights: softmax");
    compare(pooled, want_pool, N * FEAT, "HWIO weights: pooled features");
  } else {
    ok = 0;
  }
  small_network_destroy(net_hwio);
  small_network_destroy(net);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Error paths                                                              */

static int test_errors(void) {
  small_network *net = NULL;
  small_tensor x, t = -1;
  small_conv2d_params cp;
  small_pool2d_params pp;
  small_activation act;
  float w[2 * 2 * 3 * 3], in[2 * 4 * 4], out[2 * 4 * 4];
  const float *inputs[1];
  float *outputs[1];
  uint32_t before, after;
  small_kernel_info info;
  int i;

  fill(w, 2 * 2 * 3 * 3, 9, 1.0f);
  fill(in, 2 * 4 * 4, 10, 1.0f);

  /* Library information. */
  expect(small_version() == SMALL_VERSION_NUMBER, "small_version");
  {
    char v[32];
    sprintf(v, "%d.%d.%d", SMALL_VERSION_MAJOR, SMALL_VERSION_MINOR,
            SMALL_VERSION_PATCH);
    expect(strcmp(small_version_string(), v) == 0, "small_version_string");
  }
  for (i = SMALL_OK; i <= SMALL_ERR_INTERNAL; ++i) {
    const char *s = small_status_string((small_status)i);
    expect(s != NULL && s[0] != '\0', "small_status_string of a known status");
  }
  expect(strstr(small_status_string((small_status)-1), "unknown") != NULL,
         "small_status_string(-1) is \"unknown ...\"");
  expect(strstr(small_status_string((small_status)99), "unknown") != NULL,
         "small_status_string(99) is \"unknown ...\"");
  EXPECT_OK(small_kernel_config(&info));
  expect(info.isa != NULL && info.channel_block >= 1, "small_kernel_config");
  expect(small_last_error()[0] == '\0', "no last error after success");
  printf("  kernel config: isa %s, Cb %u\n", info.isa,
         (unsigned)info.channel_block);

  /* NULL arguments. */
  EXPECT_STATUS(small_network_create(NULL), SMALL_ERR_NULL_POINTER, "network");
  EXPECT_STATUS(small_network_add_input(NULL, 1, 1, 1, 1, &t),
                SMALL_ERR_NULL_POINTER, "network is NULL");
  EXPECT_STATUS(small_network_finalize(NULL), SMALL_ERR_NULL_POINTER,
                "network is NULL");
  EXPECT_STATUS(small_kernel_config(NULL), SMALL_ERR_NULL_POINTER, "info");
  EXPECT_STATUS(small_padding_same(4, 3, 1, 1, NULL, &after),
                SMALL_ERR_NULL_POINTER, "pad_before");
  small_network_destroy(NULL); /* accepted and ignored */

  EXPECT_OK(small_network_create(&net));
  EXPECT_OK(small_network_add_input(net, 1, 2, 4, 4, &x));
  EXPECT_STATUS(small_network_add_input(net, 1, 2, 4, 4, NULL),
                SMALL_ERR_NULL_POINTER, "out is NULL");
  small_conv2d_params_init(&cp);
  cp.out_channels = 2;
  cp.kernel_h = cp.kernel_w = 3;
  EXPECT_STATUS(small_network_add_conv2d(net, x, NULL, w, NULL, &t),
                SMALL_ERR_NULL_POINTER, "params is NULL");
  EXPECT_STATUS(small_network_add_conv2d(net, x, &cp, NULL, NULL, &t),
                SMALL_ERR_NULL_POINTER, "weights is NULL");
  EXPECT_STATUS(small_network_add_pool2d(net, x, NULL, &t),
                SMALL_ERR_NULL_POINTER, "params is NULL");
  EXPECT_STATUS(small_network_add_concat(net, NULL, 1, &t),
                SMALL_ERR_NULL_POINTER, "inputs is NULL");

  /* Invalid enum values (C lets any int into an enum). */
  act = small_activation_make(SMALL_ACT_RELU);
  act.kind = (small_activation_kind)99;
  EXPECT_STATUS(small_network_add_activation(net, x, act, &t),
                SMALL_ERR_INVALID_ARGUMENT, "unknown activation kind 99");
  cp.padding_mode = (small_padding_mode)99;
  EXPECT_STATUS(small_network_add_conv2d(net, x, &cp, w, NULL, &t),
                SMALL_ERR_INVALID_ARGUMENT, "unknown padding_mode 99");
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.weight_layout = (small_weight_layout)99;
  EXPECT_STATUS(small_network_add_conv2d(net, x, &cp, w, NULL, &t),
                SMALL_ERR_INVALID_ARGUMENT, "unknown weight_layout 99");
  small_pool2d_params_init(&pp);
  pp.kernel_h = pp.kernel_w = 2;
  pp.kind = (small_pool_kind)99;
  EXPECT_STATUS(small_network_add_pool2d(net, x, &pp, &t),
                SMALL_ERR_INVALID_ARGUMENT, "unknown pool kind 99");
  pp.kind = SMALL_POOL_MAX;
  pp.pad_top = 2; /* not smaller than the kernel */
  EXPECT_STATUS(small_network_add_pool2d(net, x, &pp, &t),
                SMALL_ERR_UNSUPPORTED, "maxpool #0");
  EXPECT_STATUS(small_network_add_reshape(net, x, 3, 3, 3, &t),
                SMALL_ERR_SHAPE_MISMATCH, "reshape #0");
  EXPECT_STATUS(small_network_add_softmax(net, 42, &t), SMALL_ERR_NOT_FOUND,
                "softmax #0");
  inputs[0] = in;
  outputs[0] = out;
  EXPECT_STATUS(
      small_network_run(net, inputs, 1, outputs, 1, SMALL_LAYOUT_NCHW),
      SMALL_ERR_INVALID_STATE, "finalize");
  expect(t == -1, "failed calls wrote no tensor id");

  /* The network is still usable: x -> ReLU. */
  EXPECT_OK(small_network_add_activation(
      net, x, small_activation_make(SMALL_ACT_RELU), &t));
  EXPECT_OK(small_network_mark_output(net, t));
  EXPECT_OK(small_network_finalize(net));
  EXPECT_STATUS(small_network_run(net, inputs, 1, outputs, 1, (small_layout)99),
                SMALL_ERR_INVALID_ARGUMENT, "unknown layout 99");
  EXPECT_STATUS(small_network_run(net, NULL, 1, outputs, 1, SMALL_LAYOUT_NCHW),
                SMALL_ERR_NULL_POINTER, "inputs is NULL");
  EXPECT_STATUS(
      small_network_run(net, inputs, 2, outputs, 1, SMALL_LAYOUT_NCHW),
      SMALL_ERR_INVALID_ARGUMENT, "1 input(s), 2 given");
  EXPECT_STATUS(small_network_add_input(net, 1, 1, 1, 1, &t),
                SMALL_ERR_INVALID_STATE, "finalized");
  EXPECT_OK(small_network_run(net, inputs, 1, outputs, 1, SMALL_LAYOUT_NCHW));
  for (i = 0; i < 2 * 4 * 4; ++i) {
    if (out[i] != (in[i] > 0.0f ? in[i] : 0.0f)) {
      break;
    }
  }
  expect(i == 2 * 4 * 4, "ReLU after the failed calls");
  EXPECT_OK(small_padding_same(6, 3, 2, 1, &before, &after));
  expect(before == 0 && after == 1, "SAME padding of 6/3/2 is (0, 1)");
  small_network_destroy(net);
  return 1;
}

/* int8 from C: a 1x1 int8 convolution whose requantization is a rounding
 * tie that the two rounding modes resolve differently (x = -3, w = 2:
 * acc = -6, effective scale 0.5 * 0.25 / 0.5 = 0.25 = 2^30 * 2^-32;
 * double rounding: round(-6 * 0.5) = -3, then -3 / 2 = -1.5 -> -2;
 * single rounding: (-6 * 2^30 + 2^31) >> 32 = -1). */
static int test_int8(small_rounding rounding, int8_t want) {
  small_network *net = NULL;
  small_tensor x = -1, y = -1;
  small_conv2d_params p;
  const small_quant in_q = {0.5f, 0}, out_q = {0.5f, 0};
  const int8_t w[1] = {2};
  const float scales[1] = {0.25f};
  small_int8_weights weights;
  const int8_t in[1] = {-3};
  int8_t out[1] = {0};
  const int8_t *ins[1];
  int8_t *outs[1];
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant q = {0.0f, 0};
  ins[0] = in;
  outs[0] = out;
  weights.values = w;
  weights.scales = scales;
  weights.scale_count = 1;
  weights.bias = NULL;
  small_conv2d_params_init(&p);
  p.out_channels = 1;
  p.kernel_h = p.kernel_w = 1;
  expect(small_network_create(&net) == SMALL_OK, "int8: create");
  expect(small_network_set_rounding(net, rounding) == SMALL_OK,
         "int8: set_rounding");
  expect(small_network_add_input_int8(net, 1, 1, 1, 1, in_q, &x) == SMALL_OK,
         "int8: input");
  expect(small_network_add_conv2d_int8(net, x, &p, &weights, out_q, &y) ==
             SMALL_OK,
         "int8: conv2d");
  expect(small_network_mark_output(net, y) == SMALL_OK, "int8: output");
  expect(small_network_finalize(net) == SMALL_OK, "int8: finalize");
  expect(small_network_output_type(net, 0, &dtype, &q) == SMALL_OK &&
             dtype == SMALL_DTYPE_INT8 && q.scale == 0.5f,
         "int8: output type");
  expect(small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) ==
             SMALL_OK,
         "int8: run");
  expect(out[0] == want, "int8: the rounding mode's result");
  small_network_destroy(net);
  return 0;
}

int main(void) {
  printf("small_c_api_test: SMaLL %s (tolerance %g relative, absolute below "
         "1)\n",
         small_version_string(), TOLERANCE);
  test_network();
  test_errors();
  test_int8(SMALL_ROUNDING_DOUBLE, -2);
  test_int8(SMALL_ROUNDING_SINGLE, -1);
  if (failures != 0) {
    printf("FAIL: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("PASS: %d checks\n", checks);
  return 0;
}
