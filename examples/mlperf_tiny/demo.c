/* small_mlperf_demo: the four MLPerf Tiny networks end to end.
 *
 * For each network: loads the fixture weights, input and PyTorch output from
 * the goldens folder (tests/goldens, made by tools/make_goldens.py), builds
 * the network through the C API, runs it, checks it against the golden, and
 * times it (median of RUNS runs after 5 warm-ups).
 *
 * Usage: small_mlperf_demo [goldens_dir] [runs]
 * Exits 1 if a network does not match its golden, 2 on any other error. */
#define _POSIX_C_SOURCE 199309L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "networks.h"
#include "small/small.h"

#ifndef SMALL_MLPERF_GOLDENS_DIR
#define SMALL_MLPERF_GOLDENS_DIR "tests/goldens"
#endif

enum { WARMUPS = 5, DEFAULT_RUNS = 50 };

/* Reads a float32 little-endian file without header. Returns a malloc'd
 * array (count in *count) or NULL. */
static float *read_f32(const char *dir, const char *name, const char *kind,
                       size_t *count) {
  char path[4096];
  FILE *f;
  long bytes;
  unsigned char *raw;
  float *out = NULL;
  size_t i;

  *count = 0;
  if (snprintf(path, sizeof path, "%s/%s.%s.bin", dir, name, kind) >=
      (int)sizeof path) {
    fprintf(stderr, "path too long: %s/%s.%s.bin\n", dir, name, kind);
    return NULL;
  }
  f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (bytes = ftell(f)) <= 0 || bytes % 4 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "%s: not a float32 file\n", path);
    fclose(f);
    return NULL;
  }
  raw = (unsigned char *)malloc((size_t)bytes);
  out = (float *)malloc((size_t)bytes);
  if (raw == NULL || out == NULL ||
      fread(raw, 1, (size_t)bytes, f) != (size_t)bytes) {
    fprintf(stderr, "%s: cannot read\n", path);
    free(raw);
    free(out);
    fclose(f);
    return NULL;
  }
  fclose(f);
  for (i = 0; i < (size_t)bytes / 4; ++i) {
    const unsigned char *b = raw + 4 * i;
    const unsigned long u = (unsigned long)b[0] | (unsigned long)b[1] << 8 |
                            (unsigned long)b[2] << 16 |
                            (unsigned long)b[3] << 24;
    const uint32_t u32 = (uint32_t)u;
    memcpy(&out[i], &u32, 4);
  }
  free(raw);
  *count = (size_t)bytes / 4;
  return out;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static size_t argmax(const float *v, size_t n) {
  size_t i, best = 0;
  for (i = 1; i < n; ++i) {
    if (v[i] > v[best]) {
      best = i;
    }
  }
  return best;
}

/* The tolerances of tests/unit/test_mlperf_goldens.cpp: |diff| <= 1e-5 for
 * softmax outputs (and the same top class), <= 1e-4 + 1e-4 |golden| for the
 * autoencoder. Sets *max_diff. */
static int matches(int softmax, const float *got, const float *want, size_t n,
                   double *max_diff) {
  size_t i;
  int ok = 1;
  *max_diff = 0.0;
  for (i = 0; i < n; ++i) {
    const double d = fabs((double)got[i] - (double)want[i]);
    const double tol = softmax ? 1e-5 : 1e-4 + 1e-4 * fabs((double)want[i]);
    if (!(d <= tol)) {
      ok = 0;
    }
    if (d != d) {
      *max_diff = HUGE_VAL;
    } else if (d > *max_diff) {
      *max_diff = d;
    }
  }
  if (softmax && argmax(got, n) != argmax(want, n)) {
    ok = 0;
  }
  return ok;
}

typedef enum { NET_OK = 0, NET_MISMATCH = 1, NET_ERROR = 2 } net_result;

static net_result run_net(mlperf_net which, const char *dir, int runs) {
  mlperf_net_info info;
  mlperf_flat_weights flat;
  small_network *net = NULL;
  float *weights = NULL, *input = NULL, *golden = NULL, *output = NULL;
  double *times = NULL;
  size_t n_weights, n_input, n_golden, arena = 0, lower = 0;
  net_result result = NET_ERROR;
  small_status s;
  int i, ok, softmax;
  double max_diff, median;
  char top[32], shape[32];

  if (mlperf_describe(which, &info) != SMALL_OK) {
    fprintf(stderr, "unknown network %d\n", (int)which);
    return NET_ERROR;
  }
  weights = read_f32(dir, info.name, "weights", &n_weights);
  input = read_f32(dir, info.name, "input", &n_input);
  golden = read_f32(dir, info.name, "output", &n_golden);
  if (weights == NULL || input == NULL || golden == NULL) {
    goto done;
  }
  if (n_weights != info.params ||
      n_input != (size_t)info.input_shape[1] * info.input_shape[2] *
                     info.input_shape[3] ||
      n_golden != (size_t)info.output_shape[1] * info.output_shape[2] *
                      info.output_shape[3]) {
    fprintf(stderr,
            "%s: fixture sizes (%lu weights, %lu inputs, %lu outputs) do not "
            "fit the network\n",
            info.name, (unsigned long)n_weights, (unsigned long)n_input,
            (unsigned long)n_golden);
    goto done;
  }
  output = (float *)malloc(n_golden * sizeof *output);
  times = (double *)malloc((size_t)runs * sizeof *times);
  if (output == NULL || times == NULL) {
    fprintf(stderr, "out of memory\n");
    goto done;
  }

  if ((s = small_network_create(&net)) != SMALL_OK) {
    fprintf(stderr, "small_network_create: %s\n", small_last_error());
    goto done;
  }
  s = mlperf_build(which, net, mlperf_flat_source(&flat, weights, n_weights),
                   &info);
  if (s != SMALL_OK) {
    fprintf(stderr, "%s\n", info.error);
    goto done;
  }
  if ((s = small_network_finalize(net)) != SMALL_OK ||
      (s = small_network_arena_size(net, &arena)) != SMALL_OK ||
      (s = small_network_arena_lower_bound(net, &lower)) != SMALL_OK) {
    fprintf(stderr, "%s: %s (%s)\n", info.name, small_status_string(s),
            small_last_error());
    goto done;
  }

  {
    const float *ins[1];
    float *outs[1];
    ins[0] = input;
    outs[0] = output;
    for (i = 0; i < WARMUPS + runs; ++i) {
      const double t0 = now_seconds();
      s = small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW);
      if (s != SMALL_OK) {
        fprintf(stderr, "%s: run: %s (%s)\n", info.name, small_status_string(s),
                small_last_error());
        goto done;
      }
      if (i >= WARMUPS) {
        times[i - WARMUPS] = now_seconds() - t0;
      }
    }
  }
  qsort(times, (size_t)runs, sizeof *times, compare_doubles);
  median = runs % 2 ? times[runs / 2]
                    : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);

  softmax = which != MLPERF_AUTOENCODER;
  ok = matches(softmax, output, golden, n_golden, &max_diff);
  if (softmax) {
    const size_t c = argmax(output, n_golden);
    snprintf(top, sizeof top, "%lu (%.4f)", (unsigned long)c,
             (double)output[c]);
  } else {
    snprintf(top, sizeof top, "-");
  }
  snprintf(shape, sizeof shape, "%ux%ux%u", (unsigned)info.input_shape[1],
           (unsigned)info.input_shape[2], (unsigned)info.input_shape[3]);
  printf("%-13s %-9s %7lu %6.2fM  %-11s %9.2e %-5s %9.3f %8.2f %9lu %9lu\n",
         info.name, shape, (unsigned long)info.params, (double)info.macs / 1e6,
         top, max_diff, ok ? "yes" : "NO", median * 1e3,
         2.0 * (double)info.macs / median / 1e9, (unsigned long)arena,
         (unsigned long)lower);
  result = ok ? NET_OK : NET_MISMATCH;

done:
  small_network_destroy(net);
  free(weights);
  free(input);
  free(golden);
  free(output);
  free(times);
  return result;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : SMALL_MLPERF_GOLDENS_DIR;
  int runs = DEFAULT_RUNS, worst = NET_OK, i;
  small_kernel_info k;

  if (argc > 2) {
    runs = atoi(argv[2]);
    if (runs < 1) {
      fprintf(stderr, "usage: %s [goldens_dir] [runs >= 1]\n", argv[0]);
      return 2;
    }
  }
  if (small_kernel_config(&k) != SMALL_OK) {
    fprintf(stderr, "small_kernel_config: %s\n", small_last_error());
    return 2;
  }
  printf("SMaLL %s  ISA %s  Cb=%u  conv tile %ux%u (W_ob x C_ob)\n",
         small_version_string(), k.isa, (unsigned)k.channel_block,
         (unsigned)k.conv_tile_width, (unsigned)k.conv_tile_channels);
  printf("fixtures %s; latency: median of %d runs after %d warm-ups, batch 1, "
         "1 thread\n\n",
         dir, runs, WARMUPS);
  printf("%-13s %-9s %7s %7s  %-11s %9s %-5s %9s %8s %9s %9s\n", "network",
         "input", "params", "MACs", "top (p)", "max|diff|", "match",
         "median ms", "GFLOP/s", "arena B", "lower B");
  for (i = 0; i < MLPERF_NET_COUNT; ++i) {
    const net_result r = run_net((mlperf_net)i, dir, runs);
    if (r == NET_ERROR) {
      printf("%-13s ERROR (see stderr)\n", "");
    }
    if ((int)r > worst) {
      worst = (int)r;
    }
  }
  printf("\nmatch: |diff| <= 1e-5 and same top class (softmax), <= 1e-4 + "
         "1e-4|golden| (autoencoder) against PyTorch float32\n");
  if (worst != NET_OK) {
    printf("FAILED: %s\n", worst == NET_MISMATCH
                               ? "a network does not match its golden"
                               : "a network could not be run");
  }
  return worst;
}
