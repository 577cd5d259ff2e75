// SPDX-License-Identifier: Apache-2.0
// UploadWeight, UploadFloats and the cache and copy helpers under them.
#include "backends/cuda/device_weights.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "backends/cuda/cuda_check.h"
#include "backends/layouts.h"
#include "backends/weight_cache.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

void CopyHostToDevice(void* dst, const void* host, size_t bytes) {
  if (bytes == 0) return;
  MXS_CUDA_CHECK(cudaMemcpy(dst, host, bytes, cudaMemcpyHostToDevice));
  // From pageable memory cudaMemcpy may return once the bytes are staged, before they land; the
  // execution contexts' streams are non-blocking, so nothing else would order their kernels
  // after the copy. Only the legacy stream, which no context captures on, is waited for.
  MXS_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));
}

DeviceMemory CopyToDevice(const void* host, size_t bytes, int device) {
  DeviceMemory m = AllocateOn(device, bytes);
  CopyHostToDevice(m.data(), host, bytes);
  return m;
}

DeviceMemory CachedOnDevice(const KernelArgs& a, const std::string& key,
                            const std::function<DeviceMemory()>& make) {
  if (a.weights == nullptr) return make();
  return a.weights->GetOrCreateOnDevice(key, make);
}

DeviceMemory AllocateOn(int device, size_t bytes) {
  auto buf = std::make_shared<DeviceBuffer>(bytes, device);
  void* data = buf->data();
  return DeviceMemory(std::shared_ptr<void>(std::move(buf), data), bytes);
}

DeviceMemory UploadWeight(const KernelArgs& a, const NDArray& w, int device,
                          const UploadSpec& spec) {
  // The shape too: a folded reshape of a parameter is another array over the same bytes.
  std::string key = "cuda:" + std::to_string(device) + " weight " +
                    std::to_string(reinterpret_cast<uintptr_t>(w.data.get())) + ":" +
                    w.shape.ToString() + ":" + DTypeName(spec.dtype) + ":" + spec.scale_key +
                    (spec.channels_last ? ":nhwc" : "");
  return CachedOnDevice(a, key, [&] {
    const bool convert = spec.dtype != w.dtype;
    std::vector<char> reordered;
    const void* src = w.data->data();
    if (spec.channels_last) {
      reordered.resize(w.nbytes());
      ConvertLayout(src, reordered.data(), w.shape, DTypeSize(w.dtype), Layout::kRowMajor,
                    Layout::kChannelsLast);
      src = reordered.data();
    }
    if (!convert && spec.scale.empty()) return CopyToDevice(src, w.nbytes(), device);
    MXS_CHECK_CODE(w.dtype == DType::kFloat32, kInternal)
        << "only float32 weights are scaled or converted on upload, not " << DTypeName(w.dtype);
    MXS_CHECK_CODE(spec.dtype == DType::kFloat32 || spec.dtype == DType::kFloat16 ||
                       spec.dtype == DType::kBfloat16,
                   kInternal)
        << "weights upload as float32, float16 or bfloat16, not " << DTypeName(spec.dtype);
    const int64_t n = w.shape.Size();
    const float* f = static_cast<const float*>(src);
    std::vector<float> v(f, f + n);
    if (!spec.scale.empty()) {
      const int64_t rows = static_cast<int64_t>(spec.scale.size());
      const int64_t per = n / rows;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < per; ++k) v[r * per + k] *= spec.scale[r];
    }
    if (spec.dtype == DType::kFloat32)
      return CopyToDevice(v.data(), v.size() * sizeof(float), device);
    if (spec.dtype == DType::kBfloat16) {
      std::vector<__nv_bfloat16> b(v.size());
      for (size_t i = 0; i < v.size(); ++i) b[i] = __float2bfloat16_rn(v[i]);
      return CopyToDevice(b.data(), b.size() * sizeof(__nv_bfloat16), device);
    }
    std::vector<__half> h(v.size());
    for (size_t i = 0; i < v.size(); ++i) h[i] = __float2half_rn(v[i]);
    return CopyToDevice(h.data(), h.size() * sizeof(__half), device);
  });
}

DeviceMemory UploadFloats(const KernelArgs& a, const std::string& key,
                          const std::vector<float>& values, int device) {
  return CachedOnDevice(a, "cuda" + std::to_string(device) + ":" + key,
                [&] { return CopyToDevice(values.data(), values.size() * sizeof(float), device); });
}

std::string FloatsKey(const std::vector<float>& v) {
  std::string key;
  for (float x : v) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof(bits));
    key += std::to_string(bits) + ",";
  }
  return key;
}

}  // namespace cuda
}  // namespace mxserve
