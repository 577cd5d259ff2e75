// SPDX-License-Identifier: Apache-2.0
// Weights in device memory: each parameter a CUDA kernel reads is uploaded once per model (and
// per transformation: a folded BatchNorm scale, a float16 copy) and kept in the model's
// WeightCache, so every execution context and every reshaped predictor shares one copy.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/device_buffer.h"
#include "backends/device_memory.h"
#include "backends/kernel.h"

namespace mxserve {
namespace cuda {

/// How a parameter is stored on the device.
struct UploadSpec {
  DType dtype = DType::kFloat32;   ///< float32, float16 or bfloat16 (converted from float32)
  std::vector<float> scale;        ///< per-leading-index factor (a folded BatchNorm), or empty
  std::string scale_key;           ///< identifies `scale` in the cache key
  /// Stores a convolution weight (K, C / groups, spatial...) channels-last, which is cuDNN's NHWC
  /// filter order (K, spatial..., C / groups); done before scaling and converting.
  bool channels_last = false;
};

/// The device copy of `w` on `device` as `spec` transforms it, uploaded on first use. Without a
/// WeightCache (a kernel built outside a Predictor) the copy is owned by the result alone.
DeviceMemory UploadWeight(const KernelArgs& a, const NDArray& w, int device,
                          const UploadSpec& spec = {});

/// Uploads `values` (bind-time host data such as folded BatchNorm factors) under `key`.
DeviceMemory UploadFloats(const KernelArgs& a, const std::string& key,
                          const std::vector<float>& values, int device);

/// The bits of each float of `v`, comma-terminated, for a cache key.
std::string FloatsKey(const std::vector<float>& v);

/// `bytes` of device memory on `device` as a DeviceMemory.
DeviceMemory AllocateOn(int device, size_t bytes);

/// `bytes` of host data copied into new device memory on `device`.
DeviceMemory CopyToDevice(const void* host, size_t bytes, int device);

/// Copies `bytes` of host data to device memory `dst` at bind time; returns once they are there,
/// so that any stream's kernels may read them.
void CopyHostToDevice(void* dst, const void* host, size_t bytes);

/// The device memory kept under `key` in the model's WeightCache, made by `make` on first use
/// (bind-time data a kernel derives itself: a repacked weight layout, an index table). `key`
/// must name the device and everything the contents depend on. Without a WeightCache the
/// result of `make` is owned by the caller alone.
DeviceMemory CachedOnDevice(const KernelArgs& a, const std::string& key,
                            const std::function<DeviceMemory()>& make);

}  // namespace cuda
}  // namespace mxserve
