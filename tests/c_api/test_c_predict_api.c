/* SPDX-License-Identifier: Apache-2.0 */
/* Exercises every function of c_predict_api.h and c_ndarray_api.h, every error path, and N
 * threads each running its own MXPredCreateMultiThread handle. Built as C99 with -Werror.
 *
 * Usage: test_c_predict_api DIR [TEST]   (TEST: one of the names in `tests` below; default all)
 * DIR (written by test_c_predict_api.py) holds mlp-symbol.json / mlp-0000.params (data (B, 20)
 * -> fc1 (32) -> relu1 -> fc2 (10) -> SoftmaxOutput "softmax" with label "softmax_label"),
 * x4.bin (4x20 float32), y4.bin and relu4.bin (the expected softmax and relu1 outputs, computed
 * with numpy), named.nd (arrays "mean" 4x20 float32 and "idx" 3 int32) and unnamed.nd (one
 * unnamed 2x3 float32 array, values 0..5). Prints each failed check and returns non-zero. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mxnet/c_api.h>
#include <mxnet/c_predict_api.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    ++checks;                                                              \
    if (!(cond)) {                                                         \
      ++failures;                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

/* The call must succeed. */
#define OK(call)                                                                          \
  do {                                                                                    \
    ++checks;                                                                             \
    if ((call) != 0) {                                                                    \
      ++failures;                                                                         \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, MXGetLastError()); \
    }                                                                                     \
  } while (0)

/* The call must return -1 with a last error containing `text`. */
#define FAILS(call, text)                                                                   \
  do {                                                                                      \
    int rc_ = (call);                                                                       \
    ++checks;                                                                               \
    if (rc_ != -1 || strstr(MXGetLastError(), (text)) == NULL) {                            \
      ++failures;                                                                           \
      fprintf(stderr, "%s:%d: %s returned %d with error \"%s\", expected -1 and \"%s\"\n",  \
              __FILE__, __LINE__, #call, rc_, MXGetLastError(), (text));                    \
    }                                                                                       \
  } while (0)

static char* read_file(const char* dir, const char* name, int* size) {
  char path[4096];
  FILE* f;
  long n;
  char* buf;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
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

static int close_to(const float* a, const float* b, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-5f + 1e-4f * fabsf(b[i])) return 0;
  return 1;
}

/* The model and data shared by the tests. */
static char* sym;
static char* params;
static int params_size;
static float* x4;
static float* y4;
static float* relu4;
static const char* dir;

static const char* data_key[] = {"data"};
static const uint32_t indptr[] = {0, 2};
static const uint32_t shape4[] = {4, 20};
static const uint32_t shape1[] = {1, 20};

static PredictorHandle create4(void) {
  PredictorHandle h = NULL;
  OK(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, &h));
  return h;
}

static void test_create_errors(void) {
  PredictorHandle h = NULL;
  const char* two_keys[] = {"data", "nope"};
  const uint32_t indptr2[] = {0, 2, 3};
  const uint32_t shape_nope[] = {4, 20, 5};
  const uint32_t bad_indptr[] = {2, 0};
  const uint32_t zero_shape[] = {4, 0};
  const uint32_t bad_weight[] = {4, 20, 33, 20};
  const char* weight_key[] = {"data", "fc1_weight"};
  const uint32_t indptr_w[] = {0, 2, 4};
  const char* null_key[] = {NULL};
  char* truncated;

  FAILS(MXPredCreate(NULL, params, params_size, 1, 0, 1, data_key, indptr, shape4, &h), "symbol_json_str is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, NULL), "out is NULL");
  FAILS(MXPredCreate(sym, params, -1, 1, 0, 1, data_key, indptr, shape4, &h), "param_size is negative");
  FAILS(MXPredCreate(sym, NULL, params_size, 1, 0, 1, data_key, indptr, shape4, &h), "param_bytes is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 2, 0, 1, data_key, indptr, shape4, &h), "gpu");
  FAILS(MXPredCreate(sym, params, params_size, 7, 0, 1, data_key, indptr, shape4, &h), "unknown dev_type 7");
  FAILS(MXPredCreate(sym, params, params_size, 1, -1, 1, data_key, indptr, shape4, &h), "dev_id is negative");
  FAILS(MXPredCreate("{not json", params, params_size, 1, 0, 1, data_key, indptr, shape4, &h), "MXPredCreate: ");
  truncated = (char*)malloc((size_t)params_size);
  memcpy(truncated, params, (size_t)params_size);
  FAILS(MXPredCreate(sym, truncated, params_size / 2, 1, 0, 1, data_key, indptr, shape4, &h), "MXPredCreate: ");
  free(truncated);
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 2, two_keys, indptr2, shape_nope, &h), "'nope'");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, NULL, indptr, shape4, &h), "input_keys is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, null_key, indptr, shape4, &h), "input_keys[0] is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, NULL, shape4, &h), "input_shape_indptr is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, bad_indptr, shape4, &h), "not increasing");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, indptr, NULL, &h), "input_shape_data is NULL");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 1, data_key, indptr, zero_shape, &h), "incomplete");
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 2, weight_key, indptr_w, bad_weight, &h),
        "does not match that parameter");
  /* No shape for data: the graph cannot be bound. */
  FAILS(MXPredCreate(sym, params, params_size, 1, 0, 0, NULL, NULL, NULL, &h), "'data'");
  CHECK(h == NULL);
}

static void test_predict(void) {
  PredictorHandle h = create4();
  uint32_t* shape = NULL;
  uint32_t ndim = 0;
  int dtype = -1;
  float out[40];
  float label[4] = {1, 2, 3, 4};
  const float* p;

  OK(MXPredGetOutputShape(h, 0, &shape, &ndim));
  CHECK(ndim == 2 && shape[0] == 4 && shape[1] == 10);
  FAILS(MXPredGetOutputShape(h, 1, &shape, &ndim), "out of range");
  FAILS(MXPredGetOutputShape(h, 0, NULL, &ndim), "shape_data is NULL");
  FAILS(MXPredGetOutputShape(h, 0, &shape, NULL), "shape_ndim is NULL");
  FAILS(MXPredGetOutputShape(NULL, 0, &shape, &ndim), "handle is NULL");

  OK(MXPredGetOutputType(h, 0, &dtype));
  CHECK(dtype == 0);
  FAILS(MXPredGetOutputType(h, 1, &dtype), "out of range");
  FAILS(MXPredGetOutputType(h, 0, NULL), "out_dtype is NULL");
  FAILS(MXPredGetOutputType(NULL, 0, &dtype), "handle is NULL");

  OK(MXPredSetInput(h, "data", x4, 80));
  FAILS(MXPredSetInput(h, "data", x4, 79), "size 79 does not match input 'data'");
  FAILS(MXPredSetInput(h, "dta", x4, 80), "unknown input key 'dta'");
  FAILS(MXPredSetInput(h, "fc1_weight", x4, 80), "is a parameter");
  FAILS(MXPredSetInput(h, "data", NULL, 80), "data is NULL");
  FAILS(MXPredSetInput(h, NULL, x4, 80), "key is NULL");
  FAILS(MXPredSetInput(NULL, "data", x4, 80), "handle is NULL");
  /* The label is read by no output: setting it is accepted, as in MXNet. */
  OK(MXPredSetInput(h, "softmax_label", label, 4));

  OK(MXPredForward(h));
  FAILS(MXPredForward(NULL), "handle is NULL");
  OK(MXPredGetOutput(h, 0, out, 40));
  CHECK(close_to(out, y4, 40));
  FAILS(MXPredGetOutput(h, 0, out, 39), "size 39 does not match output 0");
  FAILS(MXPredGetOutput(h, 1, out, 40), "out of range");
  FAILS(MXPredGetOutput(h, 0, NULL, 40), "data is NULL");
  FAILS(MXPredGetOutput(NULL, 0, out, 40), "handle is NULL");

  /* The input was copied at MXPredSetInput: changing the caller's buffer changes nothing. */
  {
    float x[80];
    float out2[40];
    memcpy(x, x4, sizeof(x));
    OK(MXPredSetInput(h, "data", x, 80));
    memset(x, 0, sizeof(x));
    OK(MXPredForward(h));
    OK(MXPredGetOutput(h, 0, out2, 40));
    CHECK(memcmp(out, out2, sizeof(out)) == 0);
  }
  /* The shape pointer stays valid and unchanged. */
  p = (const float*)shape;
  (void)p;
  CHECK(shape[0] == 4 && shape[1] == 10);
  OK(MXPredFree(h));
  OK(MXPredFree(NULL));
}

static void test_create_ex(void) {
  PredictorHandle h = NULL;
  const char* names[] = {"data", "fc1_weight"};
  const int types[] = {0, 1}; /* a dtype given for a parameter is ignored, as in MXNet */
  const int bad_types[] = {99};
  float out[40];
  int dtype = -1;
  OK(MXPredCreateEx(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 2, names, types, &h));
  OK(MXPredSetInput(h, "data", x4, 80));
  OK(MXPredForward(h));
  OK(MXPredGetOutput(h, 0, out, 40));
  CHECK(close_to(out, y4, 40));
  OK(MXPredGetOutputType(h, 0, &dtype));
  CHECK(dtype == 0);
  OK(MXPredFree(h));
  FAILS(MXPredCreateEx(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, names, bad_types, &h),
        "unknown dtype 99");
  FAILS(MXPredCreateEx(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, NULL, types, &h),
        "provided_arg_dtype_names is NULL");
  FAILS(MXPredCreateEx(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, names, NULL, &h),
        "provided_arg_dtypes is NULL");
}

static void test_partial_out(void) {
  PredictorHandle h = NULL;
  const char* outs[] = {"relu1", "softmax"};
  const char* bad[] = {"relu9"};
  const char* null_out[] = {NULL};
  uint32_t* shape;
  uint32_t ndim;
  float relu[128];
  float out[40];
  OK(MXPredCreatePartialOut(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 2, outs, &h));
  OK(MXPredGetOutputShape(h, 0, &shape, &ndim));
  CHECK(ndim == 2 && shape[0] == 4 && shape[1] == 32);
  OK(MXPredSetInput(h, "data", x4, 80));
  OK(MXPredForward(h));
  OK(MXPredGetOutput(h, 0, relu, 128));
  CHECK(close_to(relu, relu4, 128));
  OK(MXPredGetOutput(h, 1, out, 40));
  CHECK(close_to(out, y4, 40));
  OK(MXPredFree(h));
  FAILS(MXPredCreatePartialOut(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, bad, &h),
        "relu9_output");
  FAILS(MXPredCreatePartialOut(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, NULL, &h),
        "output_keys is NULL");
  FAILS(MXPredCreatePartialOut(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 1, null_out, &h),
        "output_keys[0] is NULL");
}

static void test_partial_forward(void) {
  PredictorHandle h = create4();
  int step_left = 1;
  int step;
  int steps = 0;
  float out[40];
  OK(MXPredSetInput(h, "data", x4, 80));
  for (step = 0; step_left != 0; ++step) {
    OK(MXPredPartialForward(h, step, &step_left));
    /* 10 nodes: data, fc1_weight, fc1_bias, fc1, relu1, fc2_weight, fc2_bias, fc2, label, softmax */
    CHECK(step_left == 10 - step - 1);
    ++steps;
    if (steps > 100) break;
  }
  CHECK(steps == 10);
  OK(MXPredPartialForward(h, 10, &step_left));
  CHECK(step_left == 0);
  OK(MXPredGetOutput(h, 0, out, 40));
  CHECK(close_to(out, y4, 40));
  FAILS(MXPredPartialForward(h, -1, &step_left), "step is negative");
  FAILS(MXPredPartialForward(h, 0, NULL), "step_left is NULL");
  FAILS(MXPredPartialForward(NULL, 0, &step_left), "handle is NULL");
  OK(MXPredFree(h));
}

static void test_reshape(void) {
  PredictorHandle h = create4();
  PredictorHandle h1 = NULL;
  const char* bad_key[] = {"nope"};
  uint32_t* shape;
  uint32_t ndim;
  float out1[10];
  float out4[40];
  OK(MXPredReshape(1, data_key, indptr, shape1, h, &h1));
  OK(MXPredGetOutputShape(h1, 0, &shape, &ndim));
  CHECK(ndim == 2 && shape[0] == 1 && shape[1] == 10);
  OK(MXPredSetInput(h1, "data", x4 + 20, 20));
  OK(MXPredForward(h1));
  OK(MXPredGetOutput(h1, 0, out1, 10));
  CHECK(close_to(out1, y4 + 10, 10));
  /* The original handle is unchanged and still works; free them in either order. */
  OK(MXPredGetOutputShape(h, 0, &shape, &ndim));
  CHECK(shape[0] == 4);
  OK(MXPredFree(h));
  OK(MXPredSetInput(h1, "data", x4, 20));
  OK(MXPredForward(h1));
  OK(MXPredGetOutput(h1, 0, out1, 10));
  CHECK(close_to(out1, y4, 10));
  h = create4();
  FAILS(MXPredReshape(1, bad_key, indptr, shape1, h, &h1), "'nope'");
  FAILS(MXPredReshape(1, data_key, indptr, shape1, NULL, &h1), "handle is NULL");
  FAILS(MXPredReshape(1, data_key, indptr, shape1, h, NULL), "out is NULL");
  FAILS(MXPredReshape(1, NULL, indptr, shape1, h, &h1), "input_keys is NULL");
  OK(MXPredSetInput(h, "data", x4, 80));
  OK(MXPredForward(h));
  OK(MXPredGetOutput(h, 0, out4, 40));
  CHECK(close_to(out4, y4, 40));
  OK(MXPredFree(h));
  OK(MXPredFree(h1));
}

/* ---- NDList ---- */

static void test_ndlist(void) {
  int size;
  char* named = read_file(dir, "named.nd", &size);
  char* unnamed;
  NDListHandle l = NULL;
  uint32_t n = 0;
  const char* key;
  const float* data;
  const uint32_t* shape;
  uint32_t ndim;
  OK(MXNDListCreate(named, size, &l, &n));
  CHECK(n == 2);
  OK(MXNDListGet(l, 0, &key, &data, &shape, &ndim));
  CHECK(strcmp(key, "mean") == 0 && ndim == 2 && shape[0] == 4 && shape[1] == 20);
  CHECK(close_to(data, x4, 80));
  OK(MXNDListGet(l, 1, &key, &data, &shape, &ndim));
  CHECK(strcmp(key, "idx") == 0 && ndim == 1 && shape[0] == 3);
  CHECK(data[0] == 7.0f && data[1] == -1.0f && data[2] == 3.0f); /* int32 converted to float */
  FAILS(MXNDListGet(l, 2, &key, &data, &shape, &ndim), "out of range");
  FAILS(MXNDListGet(l, 0, NULL, &data, &shape, &ndim), "out_key is NULL");
  FAILS(MXNDListGet(l, 0, &key, NULL, &shape, &ndim), "out_data is NULL");
  FAILS(MXNDListGet(l, 0, &key, &data, NULL, &ndim), "out_shape is NULL");
  FAILS(MXNDListGet(l, 0, &key, &data, &shape, NULL), "out_ndim is NULL");
  FAILS(MXNDListGet(NULL, 0, &key, &data, &shape, &ndim), "handle is NULL");
  /* A handle of another kind is refused. */
  {
    PredictorHandle h = create4();
    FAILS(MXNDListGet(h, 0, &key, &data, &shape, &ndim), "not an NDList handle");
    FAILS(MXPredForward(l), "not a predictor handle");
    OK(MXPredFree(h));
  }
  OK(MXNDListFree(l));
  OK(MXNDListFree(NULL));

  unnamed = read_file(dir, "unnamed.nd", &size);
  OK(MXNDListCreate(unnamed, size, &l, &n));
  CHECK(n == 1);
  OK(MXNDListGet(l, 0, &key, &data, &shape, &ndim));
  CHECK(strcmp(key, "") == 0 && ndim == 2 && shape[0] == 2 && shape[1] == 3);
  CHECK(data[0] == 0.0f && data[5] == 5.0f);
  OK(MXNDListFree(l));

  FAILS(MXNDListCreate(named, size / 3, &l, &n), "MXNDListCreate: ");
  FAILS(MXNDListCreate(NULL, size, &l, &n), "nd_file_bytes is NULL");
  FAILS(MXNDListCreate(named, -1, &l, &n), "nd_file_size is negative");
  FAILS(MXNDListCreate(named, size, NULL, &n), "out is NULL");
  FAILS(MXNDListCreate(named, size, &l, NULL), "out_length is NULL");
  free(named);
  free(unnamed);
}

/* ---- monitor ---- */

struct monitor_log {
  int calls;
  int relu_ok;
  int saw_data;
  int saw_fc1_data;
  int saw_fc1_weight;
  int freed_ok;
  char names[64][64];
  NDArrayHandle kept;
};

static void monitor_cb(const char* name, NDArrayHandle arr, void* user) {
  struct monitor_log* log = (struct monitor_log*)user;
  if (log->calls < 64) snprintf(log->names[log->calls], 64, "%s", name);
  log->calls++;
  if (strcmp(name, "data") == 0) log->saw_data = 1;
  if (strcmp(name, "fc1_data") == 0) log->saw_fc1_data = 1;
  if (strcmp(name, "fc1_weight") == 0) log->saw_fc1_weight = 1;
  if (strcmp(name, "relu1_output") == 0) {
    uint32_t ndim = 0;
    const uint32_t* shape = NULL;
    int ndim_ex = 0;
    const int* shape_ex = NULL;
    int dtype = -1, dev_type = 0, dev_id = -1, stype = -1;
    void* data = NULL;
    float copy[128];
    int ok = 1;
    ok &= MXNDArrayWaitToRead(arr) == 0;
    ok &= MXNDArrayGetShape(arr, &ndim, &shape) == 0 && ndim == 2 && shape[0] == 4 && shape[1] == 32;
    ok &= MXNDArrayGetShapeEx(arr, &ndim_ex, &shape_ex) == 0 && ndim_ex == 2 && shape_ex[1] == 32;
    ok &= MXNDArrayGetDType(arr, &dtype) == 0 && dtype == 0;
    ok &= MXNDArrayGetContext(arr, &dev_type, &dev_id) == 0 && dev_type == 1 && dev_id == 0;
    ok &= MXNDArrayGetStorageType(arr, &stype) == 0 && stype == 0;
    ok &= MXNDArrayGetData(arr, &data) == 0 && close_to((const float*)data, relu4, 128);
    ok &= MXNDArraySyncCopyToCPU(arr, copy, 128) == 0 && close_to(copy, relu4, 128);
    ok &= MXNDArraySyncCopyToCPU(arr, copy, 127) == -1 && strstr(MXGetLastError(), "size 127") != NULL;
    ok &= MXNDArraySyncCopyToCPU(arr, NULL, 128) == -1 && strstr(MXGetLastError(), "data is NULL") != NULL;
    ok &= MXNDArrayGetShape(arr, NULL, &shape) == -1 && strstr(MXGetLastError(), "out_dim is NULL") != NULL;
    ok &= MXNDArrayGetShapeEx(arr, &ndim_ex, NULL) == -1;
    ok &= MXNDArrayGetDType(arr, NULL) == -1;
    ok &= MXNDArrayGetData(arr, NULL) == -1;
    ok &= MXNDArrayGetContext(arr, NULL, &dev_id) == -1;
    ok &= MXNDArrayGetStorageType(arr, NULL) == -1;
    log->relu_ok = ok;
    log->kept = arr; /* still valid after the callback, until the next forward pass */
  } else {
    /* MXNet programs free the arrays they receive: allowed, and a second free is an error. */
    int dtype;
    log->freed_ok += MXNDArrayFree(arr) == 0 && MXNDArrayFree(arr) == -1 &&
                     strstr(MXGetLastError(), "already released") != NULL &&
                     MXNDArrayGetDType(arr, &dtype) == -1;
  }
}

static int has_name(const struct monitor_log* log, const char* name) {
  int i;
  for (i = 0; i < log->calls && i < 64; ++i)
    if (strcmp(log->names[i], name) == 0) return 1;
  return 0;
}

static void test_monitor(void) {
  PredictorHandle h = create4();
  struct monitor_log log;
  float out[40];
  uint32_t ndim = 0;
  const uint32_t* shape = NULL;
  memset(&log, 0, sizeof(log));
  OK(MXPredSetMonitorCallback(h, monitor_cb, &log, false));
  OK(MXPredSetInput(h, "data", x4, 80));
  OK(MXPredForward(h));
  CHECK(log.calls == 4);
  CHECK(has_name(&log, "fc1_output") && has_name(&log, "relu1_output") && has_name(&log, "fc2_output") &&
        has_name(&log, "softmax_output"));
  CHECK(log.relu_ok);
  CHECK(log.freed_ok == 3);
  CHECK(!log.saw_data);
  OK(MXNDArrayGetShape(log.kept, &ndim, &shape));
  CHECK(ndim == 2 && shape[1] == 32);
  OK(MXPredGetOutput(h, 0, out, 40));
  CHECK(close_to(out, y4, 40));

  memset(&log, 0, sizeof(log));
  OK(MXPredSetMonitorCallback(h, monitor_cb, &log, true));
  OK(MXPredForward(h));
  CHECK(log.saw_data && log.saw_fc1_data && log.saw_fc1_weight);
  CHECK(has_name(&log, "fc1_bias") && has_name(&log, "relu1_data") && has_name(&log, "fc2_weight"));
  CHECK(log.relu_ok);
  CHECK(log.calls > 4);

  /* NULL turns monitoring off; the optimised graph runs again with the same results. */
  memset(&log, 0, sizeof(log));
  OK(MXPredSetMonitorCallback(h, NULL, NULL, false));
  OK(MXPredForward(h));
  CHECK(log.calls == 0);
  OK(MXPredGetOutput(h, 0, out, 40));
  CHECK(close_to(out, y4, 40));
  FAILS(MXPredSetMonitorCallback(NULL, monitor_cb, &log, false), "handle is NULL");

  FAILS(MXNDArrayGetDType(NULL, NULL), "handle is NULL");
  FAILS(MXNDArrayWaitToRead(NULL), "handle is NULL");
  FAILS(MXNDArrayGetData(h, NULL), "not an NDArray handle");
  OK(MXNDArrayFree(NULL));
  OK(MXPredFree(h));
}

/* ---- threads ---- */

#define NUM_THREADS 4
#define ITERS 25

struct worker {
  PredictorHandle handle;
  int index;
  int ok;
  float out[ITERS][40];
};

static void make_input(int thread, int iter, float* x) {
  int i;
  for (i = 0; i < 80; ++i) x[i] = x4[i] * (float)(1 + (thread * 7 + iter) % 5) - 0.1f * (float)iter;
}

static void* worker_main(void* arg) {
  struct worker* w = (struct worker*)arg;
  int it;
  float x[80];
  w->ok = 1;
  for (it = 0; it < ITERS; ++it) {
    make_input(w->index, it, x);
    w->ok &= MXPredSetInput(w->handle, "data", x, 80) == 0;
    w->ok &= MXPredForward(w->handle) == 0;
    w->ok &= MXPredGetOutput(w->handle, 0, w->out[it], 40) == 0;
  }
  return NULL;
}

static void test_multithread(void) {
  PredictorHandle handles[NUM_THREADS];
  static struct worker workers[NUM_THREADS];
  pthread_t threads[NUM_THREADS];
  PredictorHandle single = create4();
  int t, it;
  float x[80];
  float expect[40];
  OK(MXPredCreateMultiThread(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, NUM_THREADS,
                             handles));
  for (t = 0; t < NUM_THREADS; ++t) {
    workers[t].handle = handles[t];
    workers[t].index = t;
    CHECK(pthread_create(&threads[t], NULL, worker_main, &workers[t]) == 0);
  }
  for (t = 0; t < NUM_THREADS; ++t) CHECK(pthread_join(threads[t], NULL) == 0);
  for (t = 0; t < NUM_THREADS; ++t) {
    CHECK(workers[t].ok);
    for (it = 0; it < ITERS; ++it) {
      make_input(t, it, x);
      OK(MXPredSetInput(single, "data", x, 80));
      OK(MXPredForward(single));
      OK(MXPredGetOutput(single, 0, expect, 40));
      CHECK(memcmp(expect, workers[t].out[it], sizeof(expect)) == 0);
    }
  }
  for (t = 0; t < NUM_THREADS; ++t) OK(MXPredFree(handles[t]));
  OK(MXPredFree(single));
  FAILS(MXPredCreateMultiThread(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 0, handles),
        "num_threads must be at least 1");
  FAILS(MXPredCreateMultiThread(sym, params, params_size, 1, 0, 1, data_key, indptr, shape4, 2, NULL),
        "out is NULL");
}

/* Misuse that must stay safe: threads sharing one handle. With the same input everywhere the
 * outputs are still right; reshapes and shape queries run alongside. */
struct shared_worker {
  PredictorHandle handle;
  int kind; /* 0: set/forward/get, 1: reshape + free, 2: shape and type queries */
  int ok;
};

static void* shared_main(void* arg) {
  struct shared_worker* w = (struct shared_worker*)arg;
  float out[40];
  int it;
  w->ok = 1;
  for (it = 0; it < 50; ++it) {
    if (w->kind == 0) {
      w->ok &= MXPredSetInput(w->handle, "data", x4, 80) == 0;
      w->ok &= MXPredForward(w->handle) == 0;
      w->ok &= MXPredGetOutput(w->handle, 0, out, 40) == 0;
      w->ok &= close_to(out, y4, 40);
    } else if (w->kind == 1) {
      PredictorHandle h1 = NULL;
      w->ok &= MXPredReshape(1, data_key, indptr, shape1, w->handle, &h1) == 0;
      w->ok &= MXPredFree(h1) == 0;
    } else {
      uint32_t* shape;
      uint32_t ndim;
      int dtype;
      w->ok &= MXPredGetOutputShape(w->handle, 0, &shape, &ndim) == 0 && ndim == 2 && shape[0] == 4;
      w->ok &= MXPredGetOutputType(w->handle, 0, &dtype) == 0 && dtype == 0;
    }
  }
  return NULL;
}

static void test_one_handle_threads(void) {
  PredictorHandle h = create4();
  struct shared_worker workers[NUM_THREADS + 2];
  pthread_t threads[NUM_THREADS + 2];
  int t;
  for (t = 0; t < NUM_THREADS + 2; ++t) {
    workers[t].handle = h;
    workers[t].kind = t < NUM_THREADS ? 0 : t - NUM_THREADS + 1;
    CHECK(pthread_create(&threads[t], NULL, shared_main, &workers[t]) == 0);
  }
  for (t = 0; t < NUM_THREADS + 2; ++t) CHECK(pthread_join(threads[t], NULL) == 0);
  for (t = 0; t < NUM_THREADS + 2; ++t) CHECK(workers[t].ok);
  OK(MXPredFree(h));
}

/* MXGetLastError is per thread: each thread sees the message of its own last failure. */
struct error_worker {
  const char* key;
  int ok;
};

static pthread_barrier_t barrier;

static void* error_main(void* arg) {
  struct error_worker* w = (struct error_worker*)arg;
  PredictorHandle h = NULL;
  char expect[128];
  int i;
  w->ok = 1;
  w->ok &= strcmp(MXGetLastError(), "") == 0; /* a new thread has no error yet */
  h = create4();
  snprintf(expect, sizeof(expect), "unknown input key '%s'", w->key);
  for (i = 0; i < 200; ++i) {
    w->ok &= MXPredSetInput(h, w->key, x4, 80) == -1;
    pthread_barrier_wait(&barrier); /* every thread has failed before any reads its message */
    w->ok &= strstr(MXGetLastError(), expect) != NULL;
    w->ok &= MXPredForward(h) == 0; /* success leaves the message alone */
    w->ok &= strstr(MXGetLastError(), expect) != NULL;
    pthread_barrier_wait(&barrier);
  }
  MXPredFree(h);
  return NULL;
}

static void test_last_error_per_thread(void) {
  static const char* keys[NUM_THREADS] = {"alpha", "beta", "gamma", "delta"};
  struct error_worker workers[NUM_THREADS];
  pthread_t threads[NUM_THREADS];
  int t;
  pthread_barrier_init(&barrier, NULL, NUM_THREADS);
  for (t = 0; t < NUM_THREADS; ++t) {
    workers[t].key = keys[t];
    CHECK(pthread_create(&threads[t], NULL, error_main, &workers[t]) == 0);
  }
  for (t = 0; t < NUM_THREADS; ++t) CHECK(pthread_join(threads[t], NULL) == 0);
  for (t = 0; t < NUM_THREADS; ++t) CHECK(workers[t].ok);
  pthread_barrier_destroy(&barrier);
}

static const struct {
  const char* name;
  void (*fn)(void);
} tests[] = {
    {"create_errors", test_create_errors},
    {"predict", test_predict},
    {"create_ex", test_create_ex},
    {"partial_out", test_partial_out},
    {"partial_forward", test_partial_forward},
    {"reshape", test_reshape},
    {"ndlist", test_ndlist},
    {"monitor", test_monitor},
    {"multithread", test_multithread},
    {"one_handle_threads", test_one_handle_threads},
    {"last_error_per_thread", test_last_error_per_thread},
};

int main(int argc, char** argv) {
  int size;
  size_t i;
  int ran = 0;
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s DIR [TEST]\n", argv[0]);
    return 2;
  }
  dir = argv[1];
  sym = read_file(dir, "mlp-symbol.json", &size);
  params = read_file(dir, "mlp-0000.params", &params_size);
  x4 = (float*)read_file(dir, "x4.bin", &size);
  y4 = (float*)read_file(dir, "y4.bin", &size);
  relu4 = (float*)read_file(dir, "relu4.bin", &size);

  for (i = 0; i < sizeof(tests) / sizeof(tests[0]); ++i) {
    if (argc == 3 && strcmp(argv[2], tests[i].name) != 0) continue;
    tests[i].fn();
    ++ran;
  }
  if (ran == 0) {
    fprintf(stderr, "no test named %s\n", argv[2]);
    return 2;
  }
  free(sym);
  free(params);
  free(x4);
  free(y4);
  free(relu4);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
