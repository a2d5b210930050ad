/*
 * SMaLL — Software for rapidly instantiating Machine Learning Libraries.
 *
 * The public C API. C99-clean: only <stddef.h> and <stdint.h>.
 *
 * A network is built layer by layer: declare inputs, add layers (each returns
 * a tensor id), mark outputs, finalize (shape checks, fusion, weight packing,
 * memory planning), then run as often as needed. Every function returns a
 * small_status; on failure small_last_error() holds a message that names the
 * offending layer and parameter. No function aborts or throws.
 *
 * Threads: different networks may be used from different threads at the
 * same time. One network is not shared: its run, finalize, set_arena,
 * enable_profiling and set_threadpool must not overlap. An overlapping call is
 * detected and fails with SMALL_ERR_INVALID_STATE without touching the network
 * (the call in progress completes normally); the network's other functions must
 * not overlap any of these either. small_last_error() is per thread.
 *
 * Accuracy: float layers compute in float32; docs/numerics.md states, per
 * layer kind, the order of accumulation and the error bound relative to the
 * same network computed in float64 (conv/dense: gamma_(K+1) times the sum of
 * |w x|; average pooling and softmax sum blocked and pairwise, so their bound
 * grows with the logarithm of the window). int8 layers are bit-exact with
 * TFLite's reference kernels (docs/int8.md).
 *
 * A network can also use several threads itself: attach a small_threadpool
 * (see "Threads" below). A pool may be shared by networks that run on
 * different threads at the same time; results are bit-identical for any
 * number of threads.
 *
 * Built with SMALL_NO_EXCEPTIONS (-fno-exceptions -fno-rtti, for firmware)
 * the API is the same, with one difference: an allocation failure inside a
 * standard container (while building or finalizing; never during run)
 * terminates the program, because libstdc++'s operator new throws. The
 * library's own buffers (the arena, packed weights) still report
 * SMALL_ERR_OUT_OF_MEMORY.
 */
#ifndef SMALL_SMALL_H
#define SMALL_SMALL_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(SMALL_BUILDING_LIBRARY)
#define SMALL_API __declspec(dllexport)
#elif defined(SMALL_BUILDING_LIBRARY)
#define SMALL_API __attribute__((visibility("default")))
#else
#define SMALL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define SMALL_VERSION_MAJOR 0
#define SMALL_VERSION_MINOR 1
#define SMALL_VERSION_PATCH 0
#define SMALL_VERSION_NUMBER                                                   \
  (SMALL_VERSION_MAJOR * 10000 + SMALL_VERSION_MINOR * 100 +                   \
   SMALL_VERSION_PATCH)

/*! Status codes. The values are part of the ABI and never change. */
typedef enum small_status {
  SMALL_OK = 0,
  SMALL_ERR_NULL_POINTER = 1,     /* a required pointer argument was NULL */
  SMALL_ERR_INVALID_ARGUMENT = 2, /* a value is out of range (zero dim...) */
  SMALL_ERR_SHAPE_MISMATCH = 3,   /* shapes of connected tensors disagree */
  SMALL_ERR_UNSUPPORTED = 4,      /* valid but not supported combination */
  SMALL_ERR_OUT_OF_MEMORY = 5,    /* an allocation failed */
  SMALL_ERR_OVERFLOW = 6,         /* a size computation would overflow */
  SMALL_ERR_INVALID_STATE = 7,    /* wrong call order (e.g. run before
                                     finalize, add after finalize) */
  SMALL_ERR_BUFFER_TOO_SMALL = 8, /* caller's arena is smaller than needed */
  SMALL_ERR_NOT_FOUND = 9,        /* unknown tensor id or output index */
  SMALL_ERR_PARSE = 10,           /* malformed model file */
  SMALL_ERR_IO = 11,              /* file could not be read or written */
  SMALL_ERR_INTERNAL = 12         /* a bug in SMaLL: please report */
} small_status;

/*! Layout of user-facing float buffers (network inputs and outputs). */
typedef enum small_layout {
  SMALL_LAYOUT_NCHW = 0,
  SMALL_LAYOUT_NHWC = 1
} small_layout;

/*! Order of convolution weights handed to small_network_add_conv2d.
 * OIHW: [out][in/groups][kh][kw] (PyTorch, ONNX).
 * HWIO: [kh][kw][in/groups][out] (TensorFlow); for depthwise convolutions
 * TensorFlow's [kh][kw][in][multiplier] is the same memory order. */
typedef enum small_weight_layout {
  SMALL_WEIGHTS_OIHW = 0,
  SMALL_WEIGHTS_HWIO = 1
} small_weight_layout;

/*! Activation applied element-wise (standalone or fused into a layer). */
typedef enum small_activation_kind {
  SMALL_ACT_NONE = 0,
  SMALL_ACT_RELU = 1,        /* max(x, 0) */
  SMALL_ACT_RELU6 = 2,       /* min(max(x, 0), 6) */
  SMALL_ACT_LEAKY_RELU = 3,  /* x >= 0 ? x : alpha * x */
  SMALL_ACT_CLIP = 4,        /* min(max(x, min), max) */
  SMALL_ACT_SIGMOID = 5,     /* 1 / (1 + exp(-x)) */
  SMALL_ACT_HARD_SWISH = 6,  /* x * relu6(x + 3) / 6 */
  SMALL_ACT_HARD_SIGMOID = 7 /* max(0, min(1, alpha * x + beta)) with
                                 alpha in .alpha and beta in .beta */
} small_activation_kind;

typedef struct small_activation {
  small_activation_kind kind;
  float alpha; /* LEAKY_RELU slope, HARD_SIGMOID alpha */
  float beta;  /* HARD_SIGMOID beta */
  float min;   /* CLIP lower bound */
  float max;   /* CLIP upper bound; min > max is allowed and makes every
                  value max (as PyTorch's clamp, numpy's clip and ONNX Clip);
                  NaN bounds are refused */
} small_activation;

/*! How the padding of a convolution or pooling layer is given. */
typedef enum small_padding_mode {
  SMALL_PADDING_EXPLICIT = 0, /* pad_top/bottom/left/right as given */
  SMALL_PADDING_SAME = 1,     /* TensorFlow SAME: out = ceil(in / stride),
                                 the odd extra pixel goes bottom/right */
  SMALL_PADDING_VALID = 2     /* no padding */
} small_padding_mode;

/*! Parameters of a 2-D convolution. Initialize with small_conv2d_params_init
 * so that new fields get their defaults. */
typedef struct small_conv2d_params {
  uint32_t out_channels;
  uint32_t kernel_h, kernel_w;
  uint32_t stride_h, stride_w;     /* default 1 */
  uint32_t dilation_h, dilation_w; /* default 1 */
  small_padding_mode padding_mode; /* default EXPLICIT */
  /* Explicit padding, default 0: each pad at most the input extent plus the
   * dilated window, in + (kernel - 1) * dilation + 1, along its axis
   * (SMALL_ERR_UNSUPPORTED otherwise). */
  uint32_t pad_top, pad_bottom, pad_left, pad_right;
  uint32_t groups;                   /* default 1; == in channels: depthwise */
  small_weight_layout weight_layout; /* default OIHW */
  small_activation activation;       /* fused epilogue, default NONE */
} small_conv2d_params;

typedef enum small_pool_kind {
  SMALL_POOL_MAX = 0,
  SMALL_POOL_AVG = 1
} small_pool_kind;

/*! Parameters of a 2-D pooling layer. */
typedef struct small_pool2d_params {
  small_pool_kind kind;
  uint32_t kernel_h, kernel_w;
  uint32_t stride_h, stride_w; /* default 1 */
  small_padding_mode padding_mode;
  /* Explicit padding: each pad smaller than the kernel along its axis (a
   * window wholly in the padding has nothing to pool), SMALL_ERR_UNSUPPORTED
   * otherwise. */
  uint32_t pad_top, pad_bottom, pad_left, pad_right;
  /* AVG only: 1 divides by kernel_h * kernel_w everywhere (padded taps count
   * as zeros), 0 divides by the number of taps inside the input. */
  int count_include_pad;
} small_pool2d_params;

/*! The build's kernel configuration (see small_kernel_config). */
typedef struct small_kernel_info {
  const char *isa;             /* "scalar", "avx2", "avx512", "neon", "armv7" */
  uint32_t channel_block;      /* Cb of the [N][C/Cb][H][W][Cb] layout */
  uint32_t conv_tile_width;    /* W_ob: output pixels per convolution tile */
  uint32_t conv_tile_channels; /* C_ob: output channels per convolution tile
                                  (a multiple of channel_block) */
} small_kernel_info;

typedef struct small_network small_network;

/*! A tensor inside a network: a small non-negative id, valid only for the
 * network that returned it. */
typedef int32_t small_tensor;

/* ------------------------------------------------------------------------ */
/* Library information                                                      */

/*! @return the runtime version as SMALL_VERSION_NUMBER would spell it. */
SMALL_API uint32_t small_version(void);
/*! @return the version as "major.minor.patch"; static storage. */
SMALL_API const char *small_version_string(void);
/*! @return a constant English description of a status; never NULL. */
SMALL_API const char *small_status_string(small_status status);
/*! @return the detail message of the last failed call on this thread, or ""
 * if the last call succeeded. Valid until the next SMaLL call on the thread.
 * Messages longer than the library's fixed buffer (511 bytes) are cut. */
SMALL_API const char *small_last_error(void);
/*! For libraries layered on SMaLL (model importers): records `message` as
 * this thread's last error (truncated to the library's message buffer; NULL
 * records "") and returns `status`, so that small_last_error() explains
 * their failures too. */
SMALL_API small_status small_report_error(small_status status,
                                          const char *message);
/*! Fills *info with the ISA and tile sizes the library was built with. */
SMALL_API small_status small_kernel_config(small_kernel_info *info);

/* ------------------------------------------------------------------------ */
/* Parameter helpers                                                        */

/*! Sets every field to its default (strides/dilations/groups 1, explicit
 * zero padding, OIHW weights, no activation). */
SMALL_API void small_conv2d_params_init(small_conv2d_params *params);
SMALL_API void small_pool2d_params_init(small_pool2d_params *params);
/*! An activation of the given kind with its usual constants (LeakyReLU alpha
 * 0.01, HardSigmoid 0.2/0.5, Clip -inf..+inf). */
SMALL_API small_activation small_activation_make(small_activation_kind kind);

/*! TensorFlow SAME padding for one spatial dimension: fills the padding
 * before and after so that out = ceil(in / stride). */
SMALL_API small_status small_padding_same(uint32_t in, uint32_t kernel,
                                          uint32_t stride, uint32_t dilation,
                                          uint32_t *pad_before,
                                          uint32_t *pad_after);

/* ------------------------------------------------------------------------ */
/* Building a network                                                       */

SMALL_API small_status small_network_create(small_network **network);
/*! Frees the network and everything it owns (not a caller's arena). NULL is
 * accepted and ignored. */
SMALL_API void small_network_destroy(small_network *network);

/*! Declares a network input of shape (n, c, h, w). Inputs are numbered in
 * the order they are declared. */
SMALL_API small_status small_network_add_input(small_network *network,
                                               uint32_t n, uint32_t c,
                                               uint32_t h, uint32_t w,
                                               small_tensor *out);

/*! Conv2D, grouped and depthwise (groups == in channels) included. Weights
 * hold out_channels * (in/groups) * kernel_h * kernel_w floats in
 * params->weight_layout order; bias holds out_channels floats or is NULL.
 * Both are copied: the caller may free them after the call. */
SMALL_API small_status small_network_add_conv2d(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const float *weights, const float *bias,
    small_tensor *out);

/*! Fully connected layer. The input (c, h, w) is read in NCHW flatten order
 * (as torch.flatten / ONNX Flatten would), so no Flatten layer is needed
 * before it. weights: [out_features][c*h*w] row-major; bias: out_features
 * floats or NULL. Output shape (out_features, 1, 1). */
SMALL_API small_status small_network_add_dense(
    small_network *network, small_tensor input, uint32_t out_features,
    const float *weights, const float *bias, small_activation activation,
    small_tensor *out);

SMALL_API small_status
small_network_add_pool2d(small_network *network, small_tensor input,
                         const small_pool2d_params *params, small_tensor *out);

/*! Average over all of H x W: output (c, 1, 1). */
SMALL_API small_status small_network_add_global_avgpool(small_network *network,
                                                        small_tensor input,
                                                        small_tensor *out);

/*! Element-wise a + b (same shapes), then the activation. */
SMALL_API small_status small_network_add_add(small_network *network,
                                             small_tensor a, small_tensor b,
                                             small_activation activation,
                                             small_tensor *out);

/*! Concatenation along channels; all inputs share n, h and w. */
SMALL_API small_status small_network_add_concat(small_network *network,
                                                const small_tensor *inputs,
                                                size_t count,
                                                small_tensor *out);

SMALL_API small_status small_network_add_activation(small_network *network,
                                                    small_tensor input,
                                                    small_activation activation,
                                                    small_tensor *out);

/*! Softmax over channels at every (n, h, w), numerically stable. */
SMALL_API small_status small_network_add_softmax(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out);

/*! Inference BatchNorm: y = gamma * (x - mean) / sqrt(var + eps) + beta,
 * per channel; each array holds c floats. Folded into a preceding Conv2D or
 * Dense at finalize when that is exact, a standalone scale-shift otherwise. */
SMALL_API small_status small_network_add_batchnorm(
    small_network *network, small_tensor input, const float *gamma,
    const float *beta, const float *mean, const float *var, float epsilon,
    small_tensor *out);

/*! Reinterprets the tensor (NCHW element order) as (c, h, w) with the same
 * element count per batch item. */
SMALL_API small_status small_network_add_reshape(small_network *network,
                                                 small_tensor input, uint32_t c,
                                                 uint32_t h, uint32_t w,
                                                 small_tensor *out);
/*! Reshape to (c*h*w, 1, 1). */
SMALL_API small_status small_network_add_flatten(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out);

/*! Marks a tensor as a network output. Outputs are numbered in the order
 * they are marked. */
SMALL_API small_status small_network_mark_output(small_network *network,
                                                 small_tensor tensor);

/*! Checks and prepares the network: fuses BatchNorm and activations, packs
 * weights, plans the activation arena. After it, no layer can be added.
 * Failures found before the graph is transformed (no input, no output
 * marked) leave the network as it was; a failure after that (out of memory
 * while packing weights or allocating the arena) leaves a network on which
 * every later call fails with SMALL_ERR_INVALID_STATE: destroy it. */
SMALL_API small_status small_network_finalize(small_network *network);

/*! small_network_finalize, with the caller's buffer as the arena from the
 * start (as small_network_set_arena would bind it afterwards) instead of an
 * allocated one: the arena never touches the heap. The buffer's size is
 * checked once the arena is planned: too small, SMALL_ERR_BUFFER_TOO_SMALL
 * with the size needed, leaving a network to destroy (a firmware build
 * learns the size on the host: small_network_arena_size of a network
 * finalized with small_network_set_packing for it). arena NULL:
 * SMALL_ERR_NULL_POINTER. */
SMALL_API small_status small_network_finalize_with_arena(small_network *network,
                                                         void *arena,
                                                         size_t bytes);

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */

/*! Bytes the activation arena needs (after finalize). */
SMALL_API small_status small_network_arena_size(const small_network *network,
                                                size_t *bytes);
/*! The liveness lower bound: the largest sum of activations alive at once. */
SMALL_API small_status
small_network_arena_lower_bound(const small_network *network, size_t *bytes);
/*! Bytes of packed weights, biases and int8 requantization data the
 * network holds (after finalize): with the arena, the memory it needs.
 * Packed weights it borrows (small_network_add_conv2d_int8_packed) are the
 * caller's and not counted. */
SMALL_API small_status small_network_weight_bytes(const small_network *network,
                                                  size_t *bytes);
/*! Firmware mode: run() uses the caller's buffer (at least arena_size bytes,
 * 64-byte alignment recommended; it is aligned internally otherwise, which
 * needs up to 63 more bytes) and the library allocates nothing at run time.
 * The buffer must outlive the network or the next set_arena call. Releases
 * the arena finalize allocated. */
SMALL_API small_status small_network_set_arena(small_network *network,
                                               void *buffer, size_t bytes);
/*! Depthwise-pointwise fusion of float networks. At finalize, a stride-1
 * depthwise convolution whose output is as large as its input, larger than
 * `cache_bytes`, and read only by a 1x1 convolution (stride 1, no padding)
 * runs with that convolution as one layer, band of rows by band of rows:
 * the depthwise output goes through a ring of a quarter of `cache_bytes`
 * that the layer holds (allocated at finalize, one per thread part, beside
 * the arena and the weights) and never through the arena, which is no
 * larger for it. The results are the unfused ones up to float rounding (a
 * band's narrow tiles may add a sum's products in another order); every
 * thread split gives the same floats. small_layer_info reports the pair as
 * one layer, kind SMALL_LAYER_DEPTHWISE, kind_name "depthwise+conv2d", with
 * both layers' multiply-accumulates and weights. Without this call,
 * `cache_bytes` is the L1 data cache the library detected (see
 * small_cpu_info_get; none when unknown, e.g. on bare metal, and none for a
 * network planned for another build with small_network_set_packing or
 * small_network_set_target); 0 turns the fusion off. Before finalize, else
 * SMALL_ERR_INVALID_STATE. */
SMALL_API small_status small_network_set_fusion_cache(small_network *network,
                                                      size_t cache_bytes);

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */

/*! A pool of threads that runs the layers of the networks attached to it.
 * Each layer worth splitting is cut into one part per thread: decided when
 * the pool is attached or at finalize by running the network, a layer is
 * split if the time it would save exceeds twice the pool's measured
 * fork/join cost and it ran faster split than whole (small_layer_info's
 * `threads` reports the decision). The thread calling small_network_run
 * takes part 0 and the pool's workers the others; a part whose worker has
 * not started it when the caller is done with its own, the caller runs
 * too, so a worker without a free core never stalls a run. Results are
 * bit-identical for any number of threads. Workers spin briefly after a layer,
 * then sleep: a pool no network is running on uses no CPU. When two
 * networks share a pool and run at the same time, a layer that finds the
 * pool busy runs on its caller's thread alone (same results). */
typedef struct small_threadpool small_threadpool;

/*! The most threads a pool may have. */
#define SMALL_MAX_THREADS 1024

/*! Creates a pool of `threads` threads in total, counting the thread that
 * calls small_network_run (threads - 1 workers are started); 0 means one per
 * physical core (hwloc, or the online CPUs when the build has no hwloc).
 * More than SMALL_MAX_THREADS: SMALL_ERR_INVALID_ARGUMENT. A worker that
 * cannot be started: SMALL_ERR_OUT_OF_MEMORY. Built without threads
 * (SMALL_THREADS=OFF, bare metal) 0 and 1 create a pool of one thread (the
 * caller) and more is SMALL_ERR_UNSUPPORTED. Measures one fork/join (under a
 * millisecond on an idle machine, up to 20 ms on a busy one). */
SMALL_API small_status small_threadpool_create(uint32_t threads,
                                               small_threadpool **pool);
/*! Stops and joins the workers and frees the pool. While a network is still
 * attached (small_network_set_threadpool), the pool is left intact and
 * SMALL_ERR_INVALID_STATE is returned: detach the network (set NULL) or
 * destroy it first. NULL is a no-op (SMALL_OK). Must not overlap another
 * call on the same pool. */
SMALL_API small_status small_threadpool_destroy(small_threadpool *pool);
/*! Threads of the pool, the caller's included. */
SMALL_API small_status small_threadpool_size(const small_threadpool *pool,
                                             uint32_t *threads);
/*! The cost of one fork/join over all the pool's threads, in nanoseconds,
 * as measured at creation (0 for a pool of one thread). */
SMALL_API small_status
small_threadpool_fork_join_ns(const small_threadpool *pool, uint64_t *ns);
/*! Runs the network on `pool` from now on (NULL: on the calling thread
 * alone, the default). Before finalize the split is planned at finalize;
 * after it, here (the network runs a few times, at most about 20 ms, on
 * zeros: the arena's contents are overwritten). Must not overlap run, finalize,
 * set_arena or enable_profiling on the network (SMALL_ERR_INVALID_STATE if it
 * does). */
SMALL_API small_status small_network_set_threadpool(small_network *network,
                                                    small_threadpool *pool);

/*! What the library found about the CPU (hwloc, else sysconf). */
typedef struct small_cpu_info {
  uint32_t physical_cores; /* SMT siblings counted once (with hwloc) */
  uint32_t logical_cpus;
  uint64_t l1d_bytes, l2_bytes, l3_bytes; /* 0 when unknown */
  const char *source; /* "hwloc", "sysconf", or "none" (no threads) */
} small_cpu_info;
SMALL_API small_status small_cpu_info_get(small_cpu_info *info);

/* ------------------------------------------------------------------------ */
/* Running                                                                  */

/*! Runs the network. inputs[i] holds input i (in declaration order) as
 * n*c*h*w floats in the given layout; outputs[i] receives output i.
 * SMALL_ERR_INVALID_STATE if another thread is running the same network
 * (see the thread rules at the top). Inputs are copied into the arena,
 * except an input that the first layers read planar (fewer channels than
 * a block, read only by convolutions: an RGB or audio feature image) given
 * NCHW (or NHWC with one channel) in a 64-byte aligned buffer: the layers
 * read that one where it is, during the call (the same results, no copy).
 * small_network_run_int8 does the same for int8 buffers. */
SMALL_API small_status small_network_run(
    small_network *network, const float *const *inputs, size_t input_count,
    float *const *outputs, size_t output_count, small_layout layout);

SMALL_API small_status small_network_input_count(const small_network *network,
                                                 size_t *count);
SMALL_API small_status small_network_output_count(const small_network *network,
                                                  size_t *count);
/*! dims receives (n, c, h, w) of input/output `index`. */
SMALL_API small_status small_network_input_shape(const small_network *network,
                                                 size_t index,
                                                 uint32_t dims[4]);
SMALL_API small_status small_network_output_shape(const small_network *network,
                                                  size_t index,
                                                  uint32_t dims[4]);
/*! dims receives (n, c, h, w) of any tensor (shapes are known as soon as the
 * layer producing it is added). */
SMALL_API small_status small_network_tensor_shape(const small_network *network,
                                                  small_tensor tensor,
                                                  uint32_t dims[4]);

/*! Number of layers the network executes (after finalize: after fusion). */
SMALL_API small_status small_network_layer_count(const small_network *network,
                                                 size_t *count);

/* ------------------------------------------------------------------------ */
/* Introspection and profiling                                              */

/*! What a layer computes. The values are part of the ABI. */
typedef enum small_layer_kind {
  SMALL_LAYER_CONV2D = 0,
  SMALL_LAYER_DEPTHWISE = 1,
  SMALL_LAYER_DENSE = 2,
  SMALL_LAYER_MAXPOOL = 3,
  SMALL_LAYER_AVGPOOL = 4,
  SMALL_LAYER_GLOBAL_AVGPOOL = 5,
  SMALL_LAYER_ADD = 6,
  SMALL_LAYER_CONCAT = 7,
  SMALL_LAYER_ACTIVATION = 8,
  SMALL_LAYER_SOFTMAX = 9,
  SMALL_LAYER_BATCHNORM = 10,
  SMALL_LAYER_RESHAPE = 11,
  SMALL_LAYER_FLATTEN = 12,
  SMALL_LAYER_QUANTIZE = 13,
  SMALL_LAYER_DEQUANTIZE = 14
} small_layer_kind;

/*! One executed layer of a finalized network (see small_network_layer_info).
 */
typedef struct small_layer_info {
  small_layer_kind kind;
  const char *kind_name;   /* "conv2d", "depthwise", ...; static storage */
  const char *name;        /* e.g. "conv2d #3"; valid while the network lives */
  uint32_t input_count;    /* tensors the layer reads (2 for a convolution
                              that took over a residual Add) */
  uint32_t input_dims[4];  /* n, c, h, w of its first input */
  uint32_t output_dims[4]; /* n, c, h, w of its output */
  small_tensor output;     /* the tensor it writes (after fusion: the fused
                              chain's last tensor) */
  uint32_t fused_batchnorm;         /* 1 if a BatchNorm was folded into it */
  small_activation_kind activation; /* fused or own activation; RELU and
                                       RELU6 are reported as such, a Clip
                                       with those bounds too; SMALL_ACT_NONE
                                       if none */
  uint64_t macs;                    /* multiply-accumulates per run */
  uint64_t weight_bytes;            /* packed weights + bias it holds */
  uint64_t arena_offset;            /* its output's byte offset in the arena */
  uint64_t output_bytes; /* its output's bytes in the arena (blocked layout) */
  uint32_t threads;      /* threads that share each run of it: 1 without a
                            pool, or when splitting it would cost more than
                            it saves (see small_network_set_threadpool) */
} small_layer_info;

/*! After finalize: fills *info for layer `index` (0 ..
 * small_network_layer_count() - 1) in execution order. SMALL_ERR_NOT_FOUND
 * for an index past the end, SMALL_ERR_INVALID_STATE before finalize. */
SMALL_API small_status small_network_layer_info(const small_network *network,
                                                size_t index,
                                                small_layer_info *info);

/*! Profiling: while enabled (the switch may be set before or after
 * finalize), every later run records the wall time of each executed layer;
 * disabling stops the recording. The time slots are allocated here or at
 * finalize, never during run. */
SMALL_API small_status small_network_enable_profiling(small_network *network,
                                                      int enable);

/*! The time layer `index` (as in small_network_layer_info) took in the most
 * recent profiled run, in microseconds; 0 if no run was profiled since
 * profiling was enabled. SMALL_ERR_INVALID_STATE when profiling is not
 * enabled or the network is not finalized. */
SMALL_API small_status small_network_layer_time(const small_network *network,
                                                size_t index,
                                                double *microseconds);

/*! The count of the profiling clock (see small_set_profiling_clock;
 * nanoseconds by default) that layer `index` took in the most recent
 * profiled run; 0 if no run was profiled since profiling was enabled. The
 * same errors as small_network_layer_time. */
SMALL_API small_status small_network_layer_ticks(const small_network *network,
                                                 size_t index, uint64_t *ticks);

/*! Replaces the profiling clock, process-wide: `now` returns a monotonic
 * count in any unit (nanoseconds, cycles, instructions). Bare-metal firmware
 * has no clock the library could read, so it passes its cycle counter
 * (e.g. the Cortex-M DWT's CYCCNT, widened to 64 bits); on an OS it can
 * count cycles instead of time. small_network_layer_ticks then reports its
 * differences, small_network_layer_time those divided by 1000. NULL
 * restores the default (a monotonic clock in nanoseconds). Install it
 * before profiled runs, not during one. Always SMALL_OK. */
SMALL_API small_status small_set_profiling_clock(uint64_t (*now)(void));

/* ------------------------------------------------------------------------ */
/* int8 quantized inference                                                 */
/*
 * int8 networks run through the same engine and blocked layout as float
 * ones, with the integer arithmetic of TensorFlow Lite's reference kernels
 * (TFLite Micro, which CMSIS-NN matches), bit for bit. docs/int8.md spells
 * out the arithmetic of every layer as implemented.
 *
 * Activations are int8 with an affine quantization per tensor: real value =
 * scale * (q - zero_point). Weights are int8, symmetric (zero point 0), with
 * one scale per output channel or one for the whole tensor; biases are
 * int32 with scale input_scale * weight_scale[k] and zero point 0.
 *
 * A tensor's data type follows from the layer that produces it: the *_int8
 * builders and small_network_add_quantize produce int8 tensors,
 * small_network_add_dequantize a float one; reshape and flatten keep their
 * input's type and quantization. Feeding an int8 tensor to a float layer, or
 * a float tensor to an int8 layer, fails with SMALL_ERR_INVALID_ARGUMENT.
 *
 * Fused activations of int8 layers are the quantized clamp of TFLite: NONE,
 * RELU, RELU6 and CLIP (bounds in real units; RELU_N1_TO_1 is CLIP -1..1)
 * become [max(-128, zp + round(lo / scale)), min(127, zp + round(hi /
 * scale))] with the layer's output quantization, applied as min(max(q, lo),
 * hi) as TFLite does: with min > max every value becomes the quantized max.
 * Other kinds are refused.
 */

/*! Element type of a tensor. The values are part of the ABI. */
typedef enum small_dtype {
  SMALL_DTYPE_FLOAT32 = 0,
  SMALL_DTYPE_INT8 = 1
} small_dtype;

/*! Affine quantization of an int8 tensor: real = scale * (q - zero_point).
 * scale must be finite and > 0, zero_point in [-128, 127]. */
typedef struct small_quant {
  float scale;
  int32_t zero_point;
} small_quant;

/*! How a requantization rounds (per network). The values are part of the
 * ABI. DOUBLE is TFLite's reference arithmetic (a rounding doubling high
 * multiply, then a rounding right shift: TFLite Micro, CMSIS-NN); SINGLE is
 * TFLite built with TFLITE_SINGLE_ROUNDING (one 64-bit multiply and one
 * rounding shift), which LiteRT's CPU kernels reproduce. */
typedef enum small_rounding {
  SMALL_ROUNDING_DOUBLE = 0,
  SMALL_ROUNDING_SINGLE = 1
} small_rounding;

/*! int8 weights of a Conv2D or Dense layer and what goes with them. */
typedef struct small_int8_weights {
  /* Conv2D: out_channels * (in/groups) * kernel_h * kernel_w values in the
   * params' weight_layout order (OIHW or HWIO, as for float weights).
   * Dense: [out_features][c*h*w] with the input in NCHW flatten order. */
  const int8_t *values;
  /* One scale per output channel (scale_count == out channels) or one for
   * the whole tensor (scale_count == 1); each finite and > 0. */
  const float *scales;
  uint32_t scale_count;
  /* out channels int32 values (scale input_scale * scales[k], zero point
   * 0), or NULL for none. */
  const int32_t *bias;
} small_int8_weights;

/*! Sets the rounding of every requantization in the network (default
 * SMALL_ROUNDING_DOUBLE). Before finalize. */
SMALL_API small_status small_network_set_rounding(small_network *network,
                                                  small_rounding rounding);

/*! Declares an int8 network input of shape (n, c, h, w) quantized by
 * `quant`. Inputs are numbered with the float ones, in declaration order. */
SMALL_API small_status small_network_add_input_int8(small_network *network,
                                                    uint32_t n, uint32_t c,
                                                    uint32_t h, uint32_t w,
                                                    small_quant quant,
                                                    small_tensor *out);

/*! int8 Conv2D (grouped and depthwise included) of an int8 input, as
 * TFLite's CONV_2D / DEPTHWISE_CONV_2D (depthwise multiplier 1 is
 * groups == in channels == out_channels). params as for the float layer;
 * params->activation is the fused quantized clamp. The weights, scales and
 * bias are copied. */
SMALL_API small_status small_network_add_conv2d_int8(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const small_int8_weights *weights,
    small_quant output, small_tensor *out);

/*! int8 fully connected layer (TFLite FULLY_CONNECTED) of an int8 input
 * read in NCHW flatten order; output (out_features, 1, 1). */
SMALL_API small_status small_network_add_dense_int8(
    small_network *network, small_tensor input, uint32_t out_features,
    const small_int8_weights *weights, small_activation activation,
    small_quant output, small_tensor *out);

/*! int8 weights already packed for the kernels of the build that runs them
 * (firmware: packed on the host, kept in flash). */
typedef struct small_int8_packed_weights {
  /* Borrowed, not copied: must stay valid and unchanged while the network
   * lives. Any alignment. */
  const int8_t *packed;
  size_t bytes;
  /* What the order depends on (depthwise or not, the kernels' channel
   * block and int8 k-group, the input lanes per block), as
   * small_network_packed_weights reported it. */
  uint32_t layout;
  /* As in small_int8_weights (copied). Optional when requant is given:
   * then NULL scales (scale_count ignored) and NULL bias skip the check
   * below. */
  const float *scales;
  uint32_t scale_count;
  const int32_t *bias;
  /* Optional, borrowed like packed: the bias, requantization multiplier
   * and shift of every output channel, three int32 arrays one after the
   * other, each padded to whole channel blocks (requant_count = 3 * the
   * output channels rounded up to the channel block), as
   * small_network_packed_weights reported them. The network then holds no
   * per-channel data of its own (firmware: 12 bytes of RAM per output
   * channel saved). finalize checks the count and, when scales (and bias)
   * are given, every value against them (SMALL_ERR_INVALID_ARGUMENT naming
   * the first channel that differs). NULL: computed from scales and
   * bias. */
  const int32_t *requant;
  size_t requant_count;
} small_int8_packed_weights;

/*! Every field NULL / 0: start from it, so that fields added in later
 * versions keep their defaults. NULL is ignored. */
SMALL_API void
small_int8_packed_weights_init(small_int8_packed_weights *weights);

/*! small_network_add_conv2d_int8 with weights packed by a network of the
 * same shapes finalized for the same kernel configuration (read with
 * small_network_packed_weights): the network uses them in place, holding
 * no copy. weights->packed NULL: SMALL_ERR_NULL_POINTER; bytes 0:
 * SMALL_ERR_INVALID_ARGUMENT. finalize checks the layout tag and the size
 * against what this build's kernels read and fails with
 * SMALL_ERR_INVALID_ARGUMENT (naming both layouts) when they differ. */
SMALL_API small_status small_network_add_conv2d_int8_packed(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const small_int8_packed_weights *weights,
    small_quant output, small_tensor *out);

/*! small_network_add_dense_int8 with packed weights, as above. */
SMALL_API small_status small_network_add_dense_int8_packed(
    small_network *network, small_tensor input, uint32_t out_features,
    const small_int8_packed_weights *weights, small_activation activation,
    small_quant output, small_tensor *out);

/*! Before finalize: pack the weights for another kernel configuration than
 * this build's, a firmware target's (its channel block and int8 k-group:
 * Cortex-M4 8 and 4, Cortex-M55 16 and 16), so that
 * small_network_packed_weights gives what that target's
 * small_network_add_*_int8_packed take. Unless the configuration is this
 * build's own, the network then refuses to run (SMALL_ERR_UNSUPPORTED).
 * channel_block: a power of two from 4 to 64; int8_k_group: a divisor of
 * it (SMALL_ERR_INVALID_ARGUMENT otherwise). */
SMALL_API small_status small_network_set_packing(small_network *network,
                                                 uint32_t channel_block,
                                                 uint32_t int8_k_group);

/*! Before finalize: plan and pack for a firmware target's kernels, "cortex-m4"
 * or "cortex-m55": their channel block and k-group (as set_packing) and also
 * their tile widths, so that small_network_export_plan (small_plan.h) gives
 * the plan that target's build binds. Unless the target is this build's own,
 * the network then refuses to run (SMALL_ERR_UNSUPPORTED). An unknown name:
 * SMALL_ERR_INVALID_ARGUMENT, listing the known ones. */
SMALL_API small_status small_network_set_target(small_network *network,
                                                const char *target);

/*! After finalize: the packed weights of layer `layer` (as in
 * small_network_layer_info) of an int8 Conv2D, depthwise or Dense layer:
 * fills packed, bytes, layout, requant and requant_count (both arrays
 * valid while the network lives); scales and bias are set to NULL / 0.
 * SMALL_ERR_NOT_FOUND for an index past the end or a layer without packed int8
 * weights, SMALL_ERR_INVALID_STATE before finalize. */
SMALL_API small_status
small_network_packed_weights(const small_network *network, size_t layer,
                             small_int8_packed_weights *weights);

/*! int8 max or average pooling (TFLite MAX_POOL_2D / AVERAGE_POOL_2D): the
 * output keeps the input's quantization. Average pooling sums the taps
 * inside the input and divides rounding half away from zero by their count
 * (count_include_pad == 1 divides by kernel_h * kernel_w instead).
 * activation: the fused quantized clamp. */
SMALL_API small_status
small_network_add_pool2d_int8(small_network *network, small_tensor input,
                              const small_pool2d_params *params,
                              small_activation activation, small_tensor *out);

/*! int8 mean over H x W (TFLite MEAN over axes 1, 2): output (c, 1, 1)
 * quantized by `output`. */
SMALL_API small_status small_network_add_global_avgpool_int8(
    small_network *network, small_tensor input, small_quant output,
    small_tensor *out);

/*! int8 a + b (same shapes, each with its own quantization), as TFLite's ADD:
 * both inputs rescaled to a common scale with 20 bits of headroom, summed,
 * requantized to `output`, then the fused quantized clamp. */
SMALL_API small_status small_network_add_add_int8(
    small_network *network, small_tensor a, small_tensor b,
    small_activation activation, small_quant output, small_tensor *out);

/*! int8 concatenation along channels. Inputs whose quantization differs
 * from `output` are requantized as small_network_add_quantize does (TFLite's
 * QUANTIZE int8 -> int8 before a CONCATENATION); the others are copied. */
SMALL_API small_status small_network_add_concat_int8(small_network *network,
                                                     const small_tensor *inputs,
                                                     size_t count,
                                                     small_quant output,
                                                     small_tensor *out);

/*! int8 softmax over channels (TFLite SOFTMAX, TFLite Micro's fixed-point
 * exp) of exp(beta * x). `output` must be scale 1/256, zero point -128, as
 * TFLite requires. */
SMALL_API small_status small_network_add_softmax_int8(small_network *network,
                                                      small_tensor input,
                                                      float beta,
                                                      small_quant output,
                                                      small_tensor *out);

/*! Quantize (TFLite QUANTIZE) to an int8 tensor quantized by `output`: a
 * float input is rounded (half away from zero) and clamped; an int8 input is
 * requantized with a 31-bit multiplier. */
SMALL_API small_status small_network_add_quantize(small_network *network,
                                                  small_tensor input,
                                                  small_quant output,
                                                  small_tensor *out);

/*! Dequantize (TFLite DEQUANTIZE) an int8 tensor to float:
 * scale * (q - zero_point). */
SMALL_API small_status small_network_add_dequantize(small_network *network,
                                                    small_tensor input,
                                                    small_tensor *out);

/*! Runs a network whose inputs and outputs are all int8: inputs[i] holds
 * n*c*h*w int8 values of input i in the given layout, outputs[i] receives
 * output i. (small_network_run takes float buffers for any network: it
 * quantizes each int8 input and dequantizes each int8 output with the
 * tensor's quantization, as QUANTIZE and DEQUANTIZE would.) */
SMALL_API small_status small_network_run_int8(
    small_network *network, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, small_layout layout);

/*! Element type and quantization of input/output `index` or of any tensor.
 * quant may be NULL; for a float tensor it receives {0, 0}. */
SMALL_API small_status small_network_input_type(const small_network *network,
                                                size_t index,
                                                small_dtype *dtype,
                                                small_quant *quant);
SMALL_API small_status small_network_output_type(const small_network *network,
                                                 size_t index,
                                                 small_dtype *dtype,
                                                 small_quant *quant);
SMALL_API small_status small_network_tensor_type(const small_network *network,
                                                 small_tensor tensor,
                                                 small_dtype *dtype,
                                                 small_quant *quant);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_SMALL_H */
