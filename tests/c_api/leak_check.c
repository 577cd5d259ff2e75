/* SPDX-License-Identifier: Apache-2.0 */
/* Create / forward / free cycles for a leak checker (valgrind): each cycle creates a predictor
 * (MXPredCreate, and every 10th through MXPredCreateMultiThread and MXPredReshape), runs it,
 * reads the output, sets and uses a monitor callback every 10th cycle, loads an NDList, makes a
 * call fail, and frees everything.
 *
 *   leak_check DIR CYCLES      (DIR as for test_c_predict_api.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mxnet/c_api.h>
#include <mxnet/c_predict_api.h>

static char* read_file(const char* dir, const char* name, int* size) {
  char path[4096];
  FILE* f;
  long n;
  char* buf;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "rb");
  if (f == NULL) exit(2);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char*)malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) exit(2);
  buf[n] = '\0';
  fclose(f);
  *size = (int)n;
  return buf;
}

static int monitored = 0;

static void on_node(const char* name, NDArrayHandle arr, void* user) {
  int dtype;
  (void)name;
  (void)user;
  if (MXNDArrayGetDType(arr, &dtype) == 0) ++monitored;
  if (monitored % 2) MXNDArrayFree(arr); /* both ways: freed by the caller, or by the predictor */
}

#define CALL(x)                                                  \
  if ((x) != 0) {                                                \
    fprintf(stderr, "%s failed: %s\n", #x, MXGetLastError());    \
    return 1;                                                    \
  }

int main(int argc, char** argv) {
  int sym_size, params_size, x_size, nd_size, cycle, cycles;
  char* sym;
  char* params;
  char* x;
  char* nd;
  const char* keys[] = {"data"};
  const uint32_t indptr[] = {0, 2};
  const uint32_t shape4[] = {4, 20};
  const uint32_t shape1[] = {1, 20};
  float out[40];
  if (argc != 3) return 2;
  sym = read_file(argv[1], "mlp-symbol.json", &sym_size);
  params = read_file(argv[1], "mlp-0000.params", &params_size);
  x = read_file(argv[1], "x4.bin", &x_size);
  nd = read_file(argv[1], "named.nd", &nd_size);
  cycles = atoi(argv[2]);
  for (cycle = 0; cycle < cycles; ++cycle) {
    PredictorHandle h = NULL;
    NDListHandle l = NULL;
    uint32_t n;
    CALL(MXPredCreate(sym, params, params_size, 1, 0, 1, keys, indptr, shape4, &h));
    if (cycle % 10 == 0) CALL(MXPredSetMonitorCallback(h, on_node, NULL, cycle % 20 == 0));
    CALL(MXPredSetInput(h, "data", (const float*)x, 80));
    CALL(MXPredForward(h));
    CALL(MXPredGetOutput(h, 0, out, 40));
    if (MXPredSetInput(h, "nope", (const float*)x, 80) != -1) return 1;
    if (cycle % 10 == 5) {
      PredictorHandle hs[3];
      PredictorHandle h1 = NULL;
      int t;
      CALL(MXPredCreateMultiThread(sym, params, params_size, 1, 0, 1, keys, indptr, shape4, 3, hs));
      CALL(MXPredReshape(1, keys, indptr, shape1, hs[0], &h1));
      for (t = 0; t < 3; ++t) {
        CALL(MXPredSetInput(hs[t], "data", (const float*)x, 80));
        CALL(MXPredForward(hs[t]));
        CALL(MXPredFree(hs[t]));
      }
      CALL(MXPredSetInput(h1, "data", (const float*)x, 20));
      CALL(MXPredForward(h1));
      CALL(MXPredFree(h1));
    }
    CALL(MXPredFree(h));
    CALL(MXNDListCreate(nd, nd_size, &l, &n));
    CALL(MXNDListFree(l));
    if (MXPredCreate("{", params, params_size, 1, 0, 1, keys, indptr, shape4, &h) != -1) return 1;
  }
  free(sym);
  free(params);
  free(x);
  free(nd);
  printf("%d cycles, %d monitored arrays\n", cycles, monitored);
  return 0;
}
