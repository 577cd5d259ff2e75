/* SPDX-License-Identifier: Apache-2.0 */
/* Per-call overhead of MXPredSetInput + MXPredForward + MXPredGetOutput, from C, for any library
 * that exports MXNet's C predict API (mxserve's libmxnet_predict.so or MXNet's libmxnet.so),
 * loaded with dlopen so that one binary measures both.
 *
 *   bench_c_api LIB SYMBOL.json PARAMS BATCH FEATURES ITERS ROUNDS
 *
 * Prints one line: "min_us=<best round> median_us=<median round>", the time of one
 * SetInput+Forward+GetOutput sequence averaged over ITERS calls, per round. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void* PredictorHandle;
typedef const char* (*GetLastErrorFn)(void);
typedef int (*CreateFn)(const char*, const void*, int, int, int, uint32_t, const char**, const uint32_t*,
                        const uint32_t*, PredictorHandle*);
typedef int (*SetInputFn)(PredictorHandle, const char*, const float*, uint32_t);
typedef int (*ForwardFn)(PredictorHandle);
typedef int (*GetOutputFn)(PredictorHandle, uint32_t, float*, uint32_t);
typedef int (*FreeFn)(PredictorHandle);

static char* read_all(const char* path, int* size) {
  FILE* f = fopen(path, "rb");
  long n;
  char* buf;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char*)malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) exit(1);
  buf[n] = '\0';
  fclose(f);
  *size = (int)n;
  return buf;
}

static void* sym(void* lib, const char* name) {
  void* p = dlsym(lib, name);
  if (p == NULL) {
    fprintf(stderr, "%s not found: %s\n", name, dlerror());
    exit(1);
  }
  return p;
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  void* lib;
  GetLastErrorFn last_error;
  CreateFn create;
  SetInputFn set_input;
  ForwardFn forward;
  GetOutputFn get_output;
  FreeFn free_pred;
  char *symbol, *params;
  int symbol_size, params_size, batch, features, iters, rounds, r, i;
  uint32_t shape[2], size;
  const uint32_t indptr[2] = {0, 2};
  const char* keys[1] = {"data"};
  PredictorHandle h = NULL;
  float *in, *out;
  double* per_call;

  if (argc != 8) {
    fprintf(stderr, "usage: %s LIB SYMBOL.json PARAMS BATCH FEATURES ITERS ROUNDS\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
    return 1;
  }
  /* dlsym returns void*; the cast through memcpy keeps -pedantic quiet about function pointers. */
#define LOAD(var, name)                  \
  {                                      \
    void* p_ = sym(lib, name);           \
    memcpy(&var, &p_, sizeof(var));      \
  }
  LOAD(last_error, "MXGetLastError");
  LOAD(create, "MXPredCreate");
  LOAD(set_input, "MXPredSetInput");
  LOAD(forward, "MXPredForward");
  LOAD(get_output, "MXPredGetOutput");
  LOAD(free_pred, "MXPredFree");

  symbol = read_all(argv[2], &symbol_size);
  params = read_all(argv[3], &params_size);
  batch = atoi(argv[4]);
  features = atoi(argv[5]);
  iters = atoi(argv[6]);
  rounds = atoi(argv[7]);
  shape[0] = (uint32_t)batch;
  shape[1] = (uint32_t)features;
  size = (uint32_t)(batch * features);
  if (create(symbol, params, params_size, 1, 0, 1, keys, indptr, shape, &h) != 0) {
    fprintf(stderr, "MXPredCreate: %s\n", last_error());
    return 1;
  }
  in = (float*)malloc(size * sizeof(float));
  out = (float*)malloc(size * sizeof(float));
  for (i = 0; i < (int)size; ++i) in[i] = (float)(i % 7) * 0.25f - 0.5f;
  per_call = (double*)malloc((size_t)rounds * sizeof(double));

  for (i = 0; i < iters; ++i) { /* warm-up */
    if (set_input(h, "data", in, size) || forward(h) || get_output(h, 0, out, size)) {
      fprintf(stderr, "call failed: %s\n", last_error());
      return 1;
    }
  }
  for (r = 0; r < rounds; ++r) {
    double t0 = now_us();
    for (i = 0; i < iters; ++i) {
      set_input(h, "data", in, size);
      forward(h);
      get_output(h, 0, out, size);
    }
    per_call[r] = (now_us() - t0) / iters;
  }
  qsort(per_call, (size_t)rounds, sizeof(double), cmp_double);
  printf("min_us=%.3f median_us=%.3f checksum=%.6f\n", per_call[0], per_call[rounds / 2], out[0] + out[size - 1]);
  free_pred(h);
  free(in);
  free(out);
  free(per_call);
  free(symbol);
  free(params);
  return 0;
}
