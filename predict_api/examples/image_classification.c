/* SPDX-License-Identifier: Apache-2.0 */
/* Image classification with MXNet's C predict API, in plain C99.
 *
 *   image_classification SYMBOL.json PARAMS MEAN.nd IMAGE.rgb WIDTH HEIGHT [TOP_K]
 *
 * IMAGE.rgb is raw 8-bit RGB, interleaved, WIDTH x HEIGHT (for example from
 * `convert cat.jpg -resize 224x224! rgb:cat.rgb`). MEAN.nd is an NDArray file whose first array
 * is the mean image, (3, H, W) or (1, 3, H, W), loaded with MXNDListCreate. Prints the TOP_K
 * (default 5) classes as "rank class probability".
 *
 * Build against mxserve's libmxnet_predict (or MXNet's libmxnet.so: the code is the same):
 *   cc -std=c99 image_classification.c $(mxserve-config --cflags --libs) -o image_classification
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mxnet/c_predict_api.h>

static char* read_all(const char* path, int* size) {
  FILE* f = fopen(path, "rb");
  long n;
  char* buf;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char*)malloc((size_t)n + 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    fclose(f);
    free(buf);
    return NULL;
  }
  buf[n] = '\0'; /* the symbol JSON is passed as a C string */
  fclose(f);
  *size = (int)n;
  return buf;
}

#define CALL(x)                                                       \
  if ((x) != 0) {                                                     \
    fprintf(stderr, "%s failed: %s\n", #x, MXGetLastError());         \
    return 1;                                                         \
  }

int main(int argc, char** argv) {
  char *symbol, *params, *mean_file, *image;
  int symbol_size, params_size, mean_size, image_size;
  int width, height, top_k, i, k;
  NDListHandle mean_list = NULL;
  uint32_t mean_count = 0, mean_ndim = 0;
  const char* mean_key = NULL;
  const float* mean = NULL;
  const uint32_t* mean_shape = NULL;
  PredictorHandle pred = NULL;
  const char* input_keys[1] = {"data"};
  const uint32_t input_shape_indptr[2] = {0, 4};
  uint32_t input_shape_data[4];
  uint32_t *out_shape = NULL, out_ndim = 0, out_size = 1;
  float *input, *prob;
  size_t pixels;

  if (argc < 7) {
    fprintf(stderr, "usage: %s SYMBOL.json PARAMS MEAN.nd IMAGE.rgb WIDTH HEIGHT [TOP_K]\n", argv[0]);
    return 2;
  }
  width = atoi(argv[5]);
  height = atoi(argv[6]);
  top_k = argc > 7 ? atoi(argv[7]) : 5;
  symbol = read_all(argv[1], &symbol_size);
  params = read_all(argv[2], &params_size);
  mean_file = read_all(argv[3], &mean_size);
  image = read_all(argv[4], &image_size);
  if (!symbol || !params || !mean_file || !image) return 1;
  pixels = (size_t)width * (size_t)height;
  if ((size_t)image_size != pixels * 3) {
    fprintf(stderr, "%s has %d bytes, expected %d x %d x 3\n", argv[4], image_size, width, height);
    return 1;
  }

  /* The mean image. */
  CALL(MXNDListCreate(mean_file, mean_size, &mean_list, &mean_count));
  if (mean_count < 1) {
    fprintf(stderr, "%s holds no array\n", argv[3]);
    return 1;
  }
  CALL(MXNDListGet(mean_list, 0, &mean_key, &mean, &mean_shape, &mean_ndim));
  {
    uint32_t n = 1, d;
    for (d = 0; d < mean_ndim; ++d) n *= mean_shape[d];
    if (n != 3 * pixels) {
      fprintf(stderr, "mean image '%s' has %u elements, expected 3 x %d x %d\n", mean_key, n, height, width);
      return 1;
    }
  }

  /* The predictor for one image. */
  input_shape_data[0] = 1;
  input_shape_data[1] = 3;
  input_shape_data[2] = (uint32_t)height;
  input_shape_data[3] = (uint32_t)width;
  CALL(MXPredCreate(symbol, params, params_size, 1, 0, 1, input_keys, input_shape_indptr, input_shape_data,
                    &pred));

  /* HWC bytes to CHW floats, minus the mean. */
  input = (float*)malloc(3 * pixels * sizeof(float));
  for (i = 0; i < (int)pixels; ++i)
    for (k = 0; k < 3; ++k)
      input[(size_t)k * pixels + (size_t)i] =
          (float)(unsigned char)image[(size_t)i * 3 + (size_t)k] - mean[(size_t)k * pixels + (size_t)i];

  CALL(MXPredSetInput(pred, "data", input, (uint32_t)(3 * pixels)));
  CALL(MXPredForward(pred));
  CALL(MXPredGetOutputShape(pred, 0, &out_shape, &out_ndim));
  for (i = 0; i < (int)out_ndim; ++i) out_size *= out_shape[i];
  prob = (float*)malloc(out_size * sizeof(float));
  CALL(MXPredGetOutput(pred, 0, prob, out_size));

  /* Top k by repeated selection (k is small). */
  for (k = 0; k < top_k && k < (int)out_size; ++k) {
    int best = -1;
    for (i = 0; i < (int)out_size; ++i)
      if (prob[i] >= 0 && (best < 0 || prob[i] > prob[best])) best = i;
    if (best < 0) break;
    printf("%d %d %.6f\n", k + 1, best, prob[best]);
    prob[best] = -1;
  }

  CALL(MXPredFree(pred));
  CALL(MXNDListFree(mean_list));
  free(prob);
  free(input);
  free(symbol);
  free(params);
  free(mean_file);
  free(image);
  return 0;
}
