// SPDX-License-Identifier: Apache-2.0
// Predictor from many threads: one Predictor::Forward shared by 8 threads, and 4 threads each
// binding their own Predictor of one Model, every result checked against a plain double loop
// (relu(x W^T + b) then a softmax). Run under the sanitizer presets (tests/sanitize) for races
// and memory errors; the plain build runs it too.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "graph/ndarray_file.h"
#include "mxserve/predictor.h"

using namespace mxserve;

namespace {

constexpr int kBatch = 3, kIn = 16, kHidden = 8;

const char kSymbol[] = R"({"nodes": [
  {"op": "null", "name": "data", "inputs": []},
  {"op": "null", "name": "fc_weight", "inputs": []},
  {"op": "null", "name": "fc_bias", "inputs": []},
  {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "8"},
   "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
  {"op": "Activation", "name": "relu", "attrs": {"act_type": "relu"}, "inputs": [[3, 0, 0]]},
  {"op": "softmax", "name": "prob", "attrs": {"axis": "-1"}, "inputs": [[4, 0, 0]]}],
 "arg_nodes": [0, 1, 2], "heads": [[5, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}})";

float Weight(int o, int i) { return static_cast<float>(((o * 31 + i * 17) % 13) - 6) / 8.0f; }
float Bias(int o) { return static_cast<float>(o % 3) / 4.0f; }
float Input(int seed, int b, int i) {
  return static_cast<float>(((seed * 7 + b * 5 + i * 3) % 11) - 5) / 5.0f;
}

NDArray Array(Shape shape, const std::vector<float>& values) {
  NDArray a;
  a.shape = shape;
  auto buf = std::make_shared<Buffer>(a.nbytes());
  for (size_t k = 0; k < values.size(); ++k) buf->as<float>()[k] = values[k];
  a.data = buf;
  return a;
}

std::string Params() {
  std::vector<float> w, b;
  for (int o = 0; o < kHidden; ++o) {
    for (int i = 0; i < kIn; ++i) w.push_back(Weight(o, i));
    b.push_back(Bias(o));
  }
  return SaveNDArrayList({{"arg:fc_weight", Array({kHidden, kIn}, w)},
                          {"arg:fc_bias", Array({kHidden}, b)}});
}

// Returns the largest absolute difference from the reference for inputs made from `seed`.
double RunOnce(const Predictor& pred, int seed) {
  std::vector<float> x(kBatch * kIn), y(kBatch * kHidden, -1.0f);
  for (int b = 0; b < kBatch; ++b)
    for (int i = 0; i < kIn; ++i) x[b * kIn + i] = Input(seed, b, i);
  const void* in[] = {x.data()};
  void* out[] = {y.data()};
  pred.Forward(in, out);
  double worst = 0;
  for (int b = 0; b < kBatch; ++b) {
    double h[kHidden], sum = 0, top = 0;
    for (int o = 0; o < kHidden; ++o) {
      double acc = Bias(o);
      for (int i = 0; i < kIn; ++i) acc += static_cast<double>(x[b * kIn + i]) * Weight(o, i);
      h[o] = acc > 0 ? acc : 0;
      top = o == 0 || h[o] > top ? h[o] : top;
    }
    for (double& v : h) sum += (v = std::exp(v - top));
    for (int o = 0; o < kHidden; ++o)
      worst = std::fmax(worst, std::fabs(h[o] / sum - y[b * kHidden + o]));
  }
  return worst;
}

int Check(const char* what, const std::vector<double>& worst) {
  int failed = 0;
  for (size_t t = 0; t < worst.size(); ++t) {
    if (!(worst[t] < 1e-5)) {
      std::fprintf(stderr, "%s: thread %zu differs from the reference by %g\n", what, t, worst[t]);
      ++failed;
    }
  }
  return failed;
}

}  // namespace

int main() {
  auto model = LoadModel(kSymbol, Params());
  BindOptions options;
  options.input_shapes = {{"data", Shape{kBatch, kIn}}};
  options.num_threads = 1;
  auto shared = Predictor::Create(model, options);

  std::vector<double> worst(8, 0.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 40; ++k) worst[t] = std::fmax(worst[t], RunOnce(*shared, t * 40 + k));
    });
  }
  for (auto& th : threads) th.join();
  int failed = Check("one predictor, 8 threads", worst);

  std::vector<double> own(4, 0.0);
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto pred = Predictor::Create(model, options);
      for (int k = 0; k < 20; ++k) own[t] = std::fmax(own[t], RunOnce(*pred, 1000 + t * 20 + k));
    });
  }
  for (auto& th : threads) th.join();
  failed += Check("a predictor per thread, one model", own);
  std::printf("threaded predictor: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
