/* The four MLPerf Tiny v1.0 reference networks, built through SMaLL's public
 * C API (C99; also compiles as C++).
 *
 *   ResNet-8        image classification  (1, 3, 32, 32)  -> softmax 10
 *   DS-CNN          keyword spotting      (1, 1, 49, 10)  -> softmax 12
 *   MobileNetV1-.25 visual wake words     (1, 3, 96, 96)  -> softmax 2
 *   Deep AutoEncoder anomaly detection    (1, 640, 1, 1)  -> 640
 *
 * BatchNorm is taken as already folded into the convolution / dense before it,
 * so every convolution and dense layer has a bias. All float32.
 *
 * Weights come from a mlperf_weight_source, asked for one array at a time in
 * the order the layers are built (see README.md for the full order):
 *   convolution: weights in OIHW order [out][in/groups][kh][kw], then bias
 *                [out] (depthwise: [channels][1][kh][kw]);
 *   dense:       weights [out][in] row-major, then bias [out].
 * A flat float array holding all of them back to back works through
 * mlperf_flat_source.
 */
#ifndef SMALL_MLPERF_NETWORKS_H
#define SMALL_MLPERF_NETWORKS_H

#include <stddef.h>
#include <stdint.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlperf_net {
  MLPERF_RESNET8 = 0,
  MLPERF_DSCNN = 1,
  MLPERF_MOBILENET_V1 = 2,
  MLPERF_AUTOENCODER = 3
} mlperf_net;

#define MLPERF_NET_COUNT 4

/*! Hands out the network's parameters in build order: next(ctx, count)
 * returns a pointer to the next `count` floats, or NULL when it has no more.
 * The builder copies them (through the SMaLL API) before asking again, so the
 * pointer only needs to stay valid until the next call. */
typedef struct mlperf_weight_source {
  const float *(*next)(void *ctx, size_t count);
  void *ctx;
} mlperf_weight_source;

/*! A flat array of all parameters in build order. After a build, `used`
 * tells how many floats were consumed (== size when the array matched). */
typedef struct mlperf_flat_weights {
  const float *data;
  size_t size;
  size_t used;
} mlperf_flat_weights;

/*! Initializes *flat over data[0..size) and returns a source reading it. */
mlperf_weight_source mlperf_flat_source(mlperf_flat_weights *flat,
                                        const float *data, size_t size);

/*! What a builder reports about its network. */
typedef struct mlperf_net_info {
  const char *name;         /* short name: also the fixture file prefix */
  const char *title;        /* human-readable name and task */
  uint32_t input_shape[4];  /* (n, c, h, w) */
  uint32_t output_shape[4]; /* (n, c, h, w) */
  uint64_t params;          /* floats consumed: weights and biases */
  uint64_t macs; /* multiply-accumulates of the convolution and dense layers
                    (pooling, additions, biases and softmax not counted) */
  uint32_t weighted_layers; /* convolution and dense layers */
  char error[256];          /* why a build failed; "" on success */
} mlperf_net_info;

/*! Builders. Each declares the input (batch 1) in `network` (freshly created,
 * nothing added yet), adds the layers, marks the single output, and fills
 * *info. They do not finalize: call small_network_finalize afterwards.
 *
 * network == NULL is a dry run: nothing is built, no weight is read (the
 * source may be empty), and *info still gets shapes, parameter and MAC
 * counts. `info` may be NULL for a real build when nothing is wanted back.
 * On failure, returns the status of the failed call (or
 * SMALL_ERR_INVALID_ARGUMENT when the weight source ran dry) and
 * info->error says which layer failed and why. */
small_status mlperf_build_resnet8(small_network *network,
                                  mlperf_weight_source weights,
                                  mlperf_net_info *info);
small_status mlperf_build_dscnn(small_network *network,
                                mlperf_weight_source weights,
                                mlperf_net_info *info);
small_status mlperf_build_mobilenet_v1(small_network *network,
                                       mlperf_weight_source weights,
                                       mlperf_net_info *info);
small_status mlperf_build_autoencoder(small_network *network,
                                      mlperf_weight_source weights,
                                      mlperf_net_info *info);

/*! Calls the builder for `which`. SMALL_ERR_NOT_FOUND for an unknown net. */
small_status mlperf_build(mlperf_net which, small_network *network,
                          mlperf_weight_source weights, mlperf_net_info *info);

/*! Dry run: fills *info without building anything. */
small_status mlperf_describe(mlperf_net which, mlperf_net_info *info);

/*! Number of floats (weights and biases) the builder of `which` reads; 0 for
 * an unknown net. */
uint64_t mlperf_param_count(mlperf_net which);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_MLPERF_NETWORKS_H */
