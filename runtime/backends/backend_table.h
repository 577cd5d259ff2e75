// SPDX-License-Identifier: Apache-2.0
// The backend table: every backend compiled into this build, by name and device kind. CMake
// writes backend_registry.inc from the backends it builds (cpu_onednn always, cuda with
// MXSERVE_WITH_CUDA=ON), as it writes the op table; each backend defines
// RegisterBackend_<name>(BackendTable&) next to its kernels.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "base/device.h"

namespace mxserve {

/// One backend of the build.
struct BackendEntry {
  std::string name;   ///< "cpu_onednn", "cuda"
  DeviceKind kind;    ///< the devices it runs on
  /// The backend instance of device number `id` (process-wide); throws kDevice, naming what is
  /// missing, when that device is not present.
  const Backend& (*get)(int id);
  /// The compute dtypes the backend's build implements, known without a device (so that a
  /// dtype name parses on a machine without the device); empty: ask the instance of device 0.
  std::vector<DType> compute_dtypes = {};
  /// The canonical operator names the backend's build has kernels for, sorted, listed without
  /// a device (kernel_catalogue_check.cc compares them with the kernel catalogue).
  std::vector<std::string> (*kernel_names)() = nullptr;
};

class BackendTable {
 public:
  /// The table of this build, filled on first use.
  static const BackendTable& Global();
  /// Registers a backend; used by RegisterBackend_* functions.
  void Add(BackendEntry entry);
  const std::vector<BackendEntry>& entries() const { return entries_; }
  /// The backend for `device`. Throws kUnsupported when no backend of its kind is compiled in
  /// ("mxserve was built without CUDA (MXSERVE_WITH_CUDA=OFF)"), kDevice when the device is
  /// absent.
  const Backend& ForDevice(const Device& device) const;
  /// The backend named `name`, on its device 0; throws kNotFound listing the names.
  const Backend& ByName(const std::string& name) const;

 private:
  std::vector<BackendEntry> entries_;
};

/// The host's backend (the CPU): bind-time work on host data such as constant folding, whose
/// results live on the host whatever device the predictor runs on.
const Backend& HostBackend();

/// The backend for `device` in the global table (BackendTable::ForDevice).
const Backend& BackendFor(const Device& device);

}  // namespace mxserve

/// Defines the registration function of one backend.
#define MXS_REGISTER_BACKEND(name) void RegisterBackend_##name(::mxserve::BackendTable& t)
