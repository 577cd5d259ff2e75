// SPDX-License-Identifier: Apache-2.0
// Device: where a predictor runs (a device kind and an id), parsed from the strings users write
// ("cpu", "cuda:0", "gpu(0)") in one place.
#pragma once

#include <string>

namespace mxserve {

/// Device kinds, numbered as MXNet's dev_type (1 cpu, 2 gpu).
enum class DeviceKind : int {
  kCpu = 1,
  kCuda = 2,
};

/// "cpu" or "cuda".
const char* DeviceKindName(DeviceKind kind);

struct Device {
  DeviceKind kind = DeviceKind::kCpu;
  int id = 0;
  /// "cpu(0)", "cuda:1": the form error messages use.
  std::string ToString() const;
  bool operator==(const Device& o) const { return kind == o.kind && id == o.id; }
  bool operator!=(const Device& o) const { return !(*this == o); }
};

/// Parses "cpu", "cpu(0)", "cpu:0", "cuda", "cuda:N", "cuda(N)", "gpu", "gpu:N" and "gpu(N)"
/// (case-insensitive, no spaces; no id means 0). Throws kInvalidArgument naming the accepted forms
/// for anything else ("cuda:x", "tpu", "cpu(1)").
Device ParseDevice(const std::string& text);

/// The device of MXNet's C predict API (dev_type 1 cpu, 2 gpu, 3 cpu_pinned; dev_id).
/// Throws kInvalidArgument for other dev_type values or a negative dev_id.
Device DeviceFromMXNet(int dev_type, int dev_id);

}  // namespace mxserve
