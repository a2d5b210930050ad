/*
 * SMaLL TensorFlow Lite importer — the public C API of the optional
 * small_tflite library.
 *
 * Reads a .tflite model (a TFLite flatbuffer, checked by the flatbuffers
 * Verifier and bounds-checked before any field is used) and builds a
 * small_network through the core C API (small.h): it declares the inputs,
 * adds one SMaLL layer per supported operator (none for reshapes that keep
 * the element order), marks the subgraph outputs and, unless told otherwise,
 * finalizes the network.
 *
 * Tensors: TFLite tensors are NHWC. A rank-4 [N, H, W, C] tensor is the
 * SMaLL tensor (n, c, h, w) = (N, C, H, W), rank 2 [N, C] is (N, C, 1, 1)
 * and rank 1 [C] is (1, C, 1, 1): run the network with SMALL_LAYOUT_NHWC and
 * buffers in TFLite's own memory order. A batch of -1 in shape_signature is
 * taken as 1. Weights are converted at import (OHWI convolution filters to
 * HWIO; FULLY_CONNECTED columns from NHWC to SMaLL's NCHW flatten order).
 *
 * Supported (one subgraph): CONV_2D (groups, dilation), DEPTHWISE_CONV_2D
 * (any depth multiplier), FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D,
 * MEAN over H and W, ADD (same shapes), CONCATENATION on channels, RESHAPE
 * (when the NHWC and NCHW element orders agree, or into a FULLY_CONNECTED),
 * SOFTMAX (beta 1), PAD with zeros into a convolution, DEQUANTIZE of a
 * constant; fused activations NONE, RELU, RELU_N1_TO_1, RELU6; SAME and
 * VALID padding. Float32 models; "hybrid" models whose weights are int8
 * (per tensor or per channel) while activations are float: the weights are
 * dequantized at import; and int8 models (activations int8 per tensor,
 * weights int8 per channel, int32 biases), built from the core's int8 layers
 * with TFLite's integer arithmetic (options.rounding), plus QUANTIZE and
 * DEQUANTIZE of runtime tensors. Run an all-int8 network with
 * small_network_run_int8 on TFLite's int8 NHWC buffers. Anything else is
 * refused naming the operator and why.
 *
 * Errors: every function returns a small_status; on failure
 * small_tflite_last_error() (and small_last_error()) hold a message naming
 * the operator (index and TFLite op name) or tensor at fault. Malformed
 * files give SMALL_ERR_PARSE, unsupported content SMALL_ERR_UNSUPPORTED,
 * unreadable files SMALL_ERR_IO; errors raised by the core while adding a
 * layer keep the core's status. Nothing aborts.
 */
#ifndef SMALL_SMALL_TFLITE_H
#define SMALL_SMALL_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! Loads a .tflite file and returns a FINALIZED network (ready to run with
 * SMALL_LAYOUT_NHWC; destroy it with small_network_destroy). *out is NULL on
 * failure. */
small_status small_tflite_load_file(const char *path, small_network **out);

/*! Same, from a .tflite flatbuffer in memory (not retained). */
small_status small_tflite_load_buffer(const void *data, size_t size,
                                      small_network **out);

/*! Message of the last failed small_tflite_* call on this thread, "" after
 * a success. Valid until the next small_tflite_* call on the thread. */
const char *small_tflite_last_error(void);

/*! 1 when `data` looks like a TFLite flatbuffer (file identifier "TFL3" at
 * byte 4), else 0. Cheap: tools use it to pick an importer. */
int small_tflite_is_model(const void *data, size_t size);

typedef struct small_tflite_options {
  /* 1 (default): the import finalizes the network. 0: it is returned open
   * (inputs declared, layers added, outputs marked). */
  int finalize;
  /* Largest tensor (activation or weight) accepted, in bytes; default
   * 1 GiB. Bigger declared shapes are refused before any allocation. */
  uint64_t max_tensor_bytes;
  /* Requantization rounding of int8 layers (small_network_set_rounding):
   * SMALL_ROUNDING_DOUBLE (default, TFLite's reference kernels) or
   * SMALL_ROUNDING_SINGLE (LiteRT's CPU path). */
  small_rounding rounding;
} small_tflite_options;

/*! Fills the defaults described above. */
void small_tflite_options_init(small_tflite_options *options);

/*! The result of an import: the network plus the importer's tables. */
typedef struct small_tflite_model small_tflite_model;

/*! Imports a model. options may be NULL (defaults). On success *out owns the
 * network; on failure *out is NULL. */
small_status small_tflite_import_buffer(const void *data, size_t size,
                                        const small_tflite_options *options,
                                        small_tflite_model **out);
small_status small_tflite_import_file(const char *path,
                                      const small_tflite_options *options,
                                      small_tflite_model **out);
/*! Frees the model and, unless it was taken, its network. NULL is ignored. */
void small_tflite_model_destroy(small_tflite_model *model);

/*! The network (owned by the model). */
small_network *small_tflite_model_network(small_tflite_model *model);
/*! Transfers the network to the caller; the model keeps its tables. */
small_network *small_tflite_model_take_network(small_tflite_model *model);

/*! TFLite names of network input/output `index` (NULL if out of range). */
const char *small_tflite_model_input_name(const small_tflite_model *model,
                                          size_t index);
const char *small_tflite_model_output_name(const small_tflite_model *model,
                                           size_t index);
/*! TFLite dims of network output `index` (batch resolved): writes up to 4,
 * returns the rank (0 if out of range). */
size_t small_tflite_model_output_dims(const small_tflite_model *model,
                                      size_t index, int64_t dims[4]);
/*! TFLite dims of network input `index` (batch resolved), as above. */
size_t small_tflite_model_input_dims(const small_tflite_model *model,
                                     size_t index, int64_t dims[4]);
/*! TFLite shape_signature of network input/output `index`: its dims with -1
 * for a dynamic batch (the dims themselves when the file has no signature).
 * Writes up to 4, returns the rank (0 if out of range). */
size_t small_tflite_model_input_signature(const small_tflite_model *model,
                                          size_t index, int64_t dims[4]);
size_t small_tflite_model_output_signature(const small_tflite_model *model,
                                           size_t index, int64_t dims[4]);

/*! The model's signatures (TFLite SignatureDefs, e.g. "serving_default"):
 * their count, and the key of signature `signature` (NULL if out of range;
 * the string lives as long as the model). */
size_t small_tflite_model_signature_count(const small_tflite_model *model);
const char *small_tflite_model_signature_key(const small_tflite_model *model,
                                             size_t signature);

/*! A signature's name for one network input or output. */
typedef struct small_tflite_signature_tensor {
  const char *name; /* the signature's name (lives as long as the model) */
  size_t index;     /* the network input (or output) index */
} small_tflite_signature_tensor;

/*! The inputs (outputs != 0: the outputs) of signature `signature`: fills
 * up to `capacity` entries of `tensors` (may be NULL when capacity is 0)
 * and returns how many the signature has (0 if out of range). */
size_t small_tflite_model_signature_tensors(
    const small_tflite_model *model, size_t signature, int outputs,
    small_tflite_signature_tensor *tensors, size_t capacity);

/*! One SMaLL layer the importer added, in the order it added them. */
typedef struct small_tflite_layer_info {
  const char *name;       /* the TFLite output tensor's name */
  const char *tflite_ops; /* the TFLite operator ("CONV_2D", "PAD+CONV_2D") */
  const char *op;         /* SMaLL layer kind (conv2d, dense, ...) */
  uint32_t in_dims[4];    /* (n, c, h, w) of the first input */
  uint32_t out_dims[4];   /* (n, c, h, w) of the output */
  uint64_t macs;          /* multiply-accumulates per run */
} small_tflite_layer_info;

size_t small_tflite_model_layer_count(const small_tflite_model *model);
/*! Fills *info for layer `index`; the strings live as long as the model. */
small_status small_tflite_model_layer(const small_tflite_model *model,
                                      size_t index,
                                      small_tflite_layer_info *info);
/*! Total multiply-accumulates per run of the layers added. */
uint64_t small_tflite_model_macs(const small_tflite_model *model);

/*! Writes C99 source that rebuilds the same network through the core C API
 * without flatbuffers (see small_onnx_model_write_c), int8 models included
 * with the rounding they were imported with; the header also gives each
 * int8 input's and output's scale and zero point as macros. */
small_status small_tflite_model_write_c(const small_tflite_model *model,
                                        const char *prefix, const char *c_path,
                                        const char *h_path);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_SMALL_TFLITE_H */
