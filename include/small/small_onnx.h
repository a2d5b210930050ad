/*
 * SMaLL ONNX importer — the public C API of the optional small_onnx library.
 *
 * Reads an ONNX model (protobuf, parsed with the onnx/protobuf libraries) and
 * builds a small_network through the core C API (small.h): it declares the
 * inputs, adds one SMaLL layer per supported ONNX node (or none, for nodes
 * that are views or pass-throughs), marks the graph outputs and, unless told
 * otherwise, finalizes the network (fusion, packing, memory planning).
 *
 * Tensors: SMaLL tensors are (n, c, h, w). An ONNX tensor of rank 4 maps to
 * itself, rank 3 [N, C, L] to (N, C, 1, L) and rank 2 [N, C] to (N, C, 1, 1),
 * which all keep the ONNX (row-major) element order: run the network with
 * SMALL_LAYOUT_NCHW and ONNX-ordered buffers. Inputs are numbered in graph
 * input order (initializers excluded), outputs in graph output order.
 *
 * Supported (default domain, opsets 1..17; attributes are checked per
 * operator and anything unknown or unsupported is refused): Conv (group,
 * depthwise, auto_pad, dilations, strides, pads), MaxPool, AveragePool,
 * GlobalAveragePool, GlobalMaxPool, Gemm (transA = 0), MatMul with a
 * constant 2-D right operand, Add (same shapes, or a constant that is
 * constant along every axis but channels), Relu, Clip, LeakyRelu, Sigmoid,
 * HardSigmoid, HardSwish, Softmax (over one axis after the batch axis whose
 * preceding non-batch axes are all 1), Flatten and Reshape (batch axis kept),
 * BatchNormalization (inference), Concat on channels, Identity, Dropout
 * (inference), Constant. Weights come from initializers or Constant nodes.
 *
 * Errors: every function returns a small_status; on failure
 * small_onnx_last_error() (and small_last_error()) hold a message naming the
 * node, its op type and the offending attribute or input. Nothing aborts.
 * Malformed files give SMALL_ERR_PARSE, unsupported content
 * SMALL_ERR_UNSUPPORTED, unreadable files SMALL_ERR_IO; errors raised by the
 * core while adding a layer keep the core's status.
 */
#ifndef SMALL_SMALL_ONNX_H
#define SMALL_SMALL_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Simple entry points                                                       */

/*! Loads an ONNX file and returns a FINALIZED network (ready to run; the
 * caller destroys it with small_network_destroy). *out is NULL on failure. */
small_status small_onnx_load_file(const char *path, small_network **out);

/*! Same, from a serialized ModelProto in memory (not retained). */
small_status small_onnx_load_buffer(const void *data, size_t size,
                                    small_network **out);

/*! Message of the last failed small_onnx_* call on this thread, "" after a
 * success. Valid until the next small_onnx_* call on the thread. */
const char *small_onnx_last_error(void);

/* ------------------------------------------------------------------------ */
/* Full importer                                                             */

/*! A graph input that is bound to a constant (used by conformance tests,
 * where weights are sometimes graph inputs). Exactly one of data (float32)
 * and int_data (int64, e.g. a Reshape shape) holds the product of dims
 * values in ONNX (row-major) order; they are copied. */
typedef struct small_onnx_constant {
  const char *name;
  const float *data;
  const int64_t *int_data;
  const int64_t *dims;
  size_t rank;
} small_onnx_constant;

typedef struct small_onnx_options {
  /* 1 (default): small_onnx_import finalizes the network. 0: the network is
   * returned open (inputs declared, layers added, outputs marked) so the
   * caller may e.g. add layers or pick kernels, then finalizes it. */
  int finalize;
  /* Value used for a symbolic or unknown batch dimension (axis 0) of a graph
   * input; default 1. A symbolic dimension on any other axis is refused. */
  uint32_t batch;
  /* Largest tensor (activation or weight) accepted, in bytes; default
   * 1 GiB. Bigger declared shapes are refused before any allocation. */
  uint64_t max_tensor_bytes;
  /* Graph inputs to treat as constants (see small_onnx_constant). */
  const small_onnx_constant *constants;
  size_t constant_count;
} small_onnx_options;

/*! Fills the defaults described above. */
void small_onnx_options_init(small_onnx_options *options);

/*! The result of an import: the network plus the importer's tables. */
typedef struct small_onnx_model small_onnx_model;

/*! Imports a model. options may be NULL (defaults). On success *out owns the
 * network; on failure *out is NULL. */
small_status small_onnx_import_buffer(const void *data, size_t size,
                                      const small_onnx_options *options,
                                      small_onnx_model **out);
small_status small_onnx_import_file(const char *path,
                                    const small_onnx_options *options,
                                    small_onnx_model **out);
/*! Frees the model and, unless it was taken, its network. NULL is ignored. */
void small_onnx_model_destroy(small_onnx_model *model);

/*! The network (owned by the model). */
small_network *small_onnx_model_network(small_onnx_model *model);
/*! Transfers the network to the caller (destroy it with
 * small_network_destroy); the model keeps its tables. */
small_network *small_onnx_model_take_network(small_onnx_model *model);

/*! ONNX graph name (may be ""). */
const char *small_onnx_model_graph_name(const small_onnx_model *model);
/*! ONNX names of network input/output `index` (NULL if out of range). */
const char *small_onnx_model_input_name(const small_onnx_model *model,
                                        size_t index);
const char *small_onnx_model_output_name(const small_onnx_model *model,
                                         size_t index);
/*! ONNX dims of network output `index`: writes up to 4 dims, returns the
 * rank (0 if out of range). */
size_t small_onnx_model_output_dims(const small_onnx_model *model, size_t index,
                                    int64_t dims[4]);
/*! ONNX dims of network input `index` (a symbolic batch resolved to
 * options.batch), as above. */
size_t small_onnx_model_input_dims(const small_onnx_model *model, size_t index,
                                   int64_t dims[4]);

/*! One SMaLL layer the importer added, in the order it added them. When
 * the importer finalized the network, what ran, what was fused into what and
 * the executed layers' kinds, shapes and MACs are the core's
 * (small_network_layer_info); with options.finalize = 0 the rows describe
 * the layers as added (no fusion, convolutions reported as conv2d). */
typedef struct small_onnx_layer_info {
  const char *name;       /* ONNX node name (or "<op>_<index>" if unnamed) */
  const char *onnx_ops;   /* ONNX op(s) mapped onto the layer, "+"-joined */
  const char *op;         /* SMaLL layer kind: conv2d, depthwise, dense,
                             maxpool, avgpool, global_avgpool, add, concat,
                             activation, softmax, batchnorm, reshape */
  const char *fused_into; /* name of the layer finalize fused this one into,
                            "(pruned: reaches no output)", or "" when it
                            runs on its own */
  const char *fused_ops;  /* ONNX ops fused into this one ("Relu",
                             "BatchNormalization(batchnorm)+Relu"), or "" */
  uint32_t in_dims[4];    /* (n, c, h, w) of the first input */
  uint32_t out_dims[4];   /* (n, c, h, w) of the output */
  uint64_t macs;          /* multiply-accumulates per run */
} small_onnx_layer_info;

size_t small_onnx_model_layer_count(const small_onnx_model *model);
/*! Fills *info for layer `index`; the strings live as long as the model. */
small_status small_onnx_model_layer(const small_onnx_model *model, size_t index,
                                    small_onnx_layer_info *info);
/*! Total multiply-accumulates per run (of the executed layers once
 * finalized by the importer). */
uint64_t small_onnx_model_macs(const small_onnx_model *model);

/*! The ONNX node name of executed layer `index` of the network the importer
 * finalized (index as in small_network_layer_info; for a fused chain, its
 * first node). NULL if out of range or the importer did not finalize. */
const char *small_onnx_model_executed_layer_name(const small_onnx_model *model,
                                                 size_t index);

/*! Writes C99 source that rebuilds the same network through the core C API
 * without protobuf: `c_path` gets the weights as const arrays and
 * `small_status <prefix>_build(small_network **out)` (finalized network);
 * `h_path` its declaration plus input/output shape macros. */
small_status small_onnx_model_write_c(const small_onnx_model *model,
                                      const char *prefix, const char *c_path,
                                      const char *h_path);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_SMALL_ONNX_H */
