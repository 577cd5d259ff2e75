// SPDX-License-Identifier: Apache-2.0
// Image classification with MXNet's C predict API from C++11: the same job as
// image_classification.c, with RAII owners for the handles and MXPredCreateMultiThread to
// classify several images on as many threads, each with its own handle (the weights are loaded
// once and shared).
//
//   image_classification_cpp SYMBOL.json PARAMS MEAN.nd WIDTH HEIGHT IMAGE.rgb [IMAGE.rgb...]
//
// Prints "image rank class probability" for the top 3 classes of every image.
//
// Build:  c++ -std=c++11 image_classification.cc $(mxserve-config --cflags --libs) -pthread
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <mxnet/c_predict_api.h>

namespace {

// Throws the library's message (which names the failing function) if `rc` is not 0.
void Check(int rc) {
  if (rc != 0) throw std::runtime_error(MXGetLastError());
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

struct PredictorDeleter {
  void operator()(void* h) const { MXPredFree(h); }
};
struct NDListDeleter {
  void operator()(void* h) const { MXNDListFree(h); }
};
using Predictor = std::unique_ptr<void, PredictorDeleter>;
using NDList = std::unique_ptr<void, NDListDeleter>;

// Top `k` (class, probability) pairs of `prob`.
std::vector<std::pair<int, float>> TopK(const std::vector<float>& prob, size_t k) {
  std::vector<int> idx(prob.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return prob[a] > prob[b]; });
  std::vector<std::pair<int, float>> out;
  for (size_t i = 0; i < k; ++i) out.emplace_back(idx[i], prob[idx[i]]);
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s SYMBOL.json PARAMS MEAN.nd WIDTH HEIGHT IMAGE.rgb [IMAGE.rgb...]\n", argv[0]);
    return 2;
  }
  const std::string symbol = ReadFile(argv[1]);
  const std::string params = ReadFile(argv[2]);
  const std::string mean_bytes = ReadFile(argv[3]);
  const uint32_t width = static_cast<uint32_t>(std::stoul(argv[4]));
  const uint32_t height = static_cast<uint32_t>(std::stoul(argv[5]));
  const size_t pixels = static_cast<size_t>(width) * height;
  const int num_images = argc - 6;

  NDListHandle mean_handle = nullptr;
  uint32_t mean_count = 0;
  Check(MXNDListCreate(mean_bytes.data(), static_cast<int>(mean_bytes.size()), &mean_handle, &mean_count));
  NDList mean_list(mean_handle);
  const char* mean_key = nullptr;
  const float* mean = nullptr;
  const uint32_t* mean_shape = nullptr;
  uint32_t mean_ndim = 0;
  if (mean_count < 1) throw std::runtime_error("the mean file holds no array");
  Check(MXNDListGet(mean_list.get(), 0, &mean_key, &mean, &mean_shape, &mean_ndim));
  size_t mean_size = 1;
  for (uint32_t d = 0; d < mean_ndim; ++d) mean_size *= mean_shape[d];
  if (mean_size != 3 * pixels) throw std::runtime_error("the mean image does not match WIDTH x HEIGHT");

  // One handle per image, all sharing the weights.
  const char* keys[] = {"data"};
  const uint32_t indptr[] = {0, 4};
  const uint32_t shape[] = {1, 3, height, width};
  std::vector<PredictorHandle> raw(num_images);
  Check(MXPredCreateMultiThread(symbol.c_str(), params.data(), static_cast<int>(params.size()), 1, 0, 1, keys,
                                indptr, shape, num_images, raw.data()));
  std::vector<Predictor> predictors;
  for (PredictorHandle h : raw) predictors.emplace_back(h);

  std::vector<std::vector<float>> probs(num_images);
  std::vector<std::string> errors(num_images);
  std::vector<std::thread> threads;
  for (int i = 0; i < num_images; ++i) {
    threads.emplace_back([&, i] {
      try {
        const std::string image = ReadFile(argv[6 + i]);
        if (image.size() != pixels * 3) throw std::runtime_error(std::string(argv[6 + i]) + ": wrong size");
        std::vector<float> input(3 * pixels);
        for (size_t p = 0; p < pixels; ++p)
          for (size_t c = 0; c < 3; ++c)
            input[c * pixels + p] = static_cast<float>(static_cast<unsigned char>(image[p * 3 + c])) - mean[c * pixels + p];
        void* h = predictors[i].get();
        Check(MXPredSetInput(h, "data", input.data(), static_cast<uint32_t>(input.size())));
        Check(MXPredForward(h));
        uint32_t* out_shape = nullptr;
        uint32_t out_ndim = 0;
        Check(MXPredGetOutputShape(h, 0, &out_shape, &out_ndim));
        size_t size = 1;
        for (uint32_t d = 0; d < out_ndim; ++d) size *= out_shape[d];
        probs[i].resize(size);
        Check(MXPredGetOutput(h, 0, probs[i].data(), static_cast<uint32_t>(size)));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < num_images; ++i) {
    if (!errors[i].empty()) throw std::runtime_error(errors[i]);
    int rank = 1;
    for (const auto& cp : TopK(probs[i], 3)) std::printf("%d %d %d %.6f\n", i, rank++, cp.first, cp.second);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
