// SPDX-License-Identifier: Apache-2.0
// KernelListing: a Backend that only holds kernel records, for listing what a backend's
// registration functions add without its device (a CUDA build lists its kernels on a machine
// without a GPU). Everything but the kernel table throws kInternal.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {

class KernelListing final : public Backend {
 public:
  KernelListing(std::string name, Device device) : name_(std::move(name)), device_(device) {}
  std::string name() const override { return name_; }
  Device device() const override { return device_; }
  std::vector<DType> compute_dtypes() const override { Refuse(); }
  void CheckComputeDType(DType) const override { Refuse(); }
  std::unique_ptr<Stream> CreateStream() const override { Refuse(); }
  bool host_accessible() const override { Refuse(); }
  DeviceMemory Allocate(size_t) const override { Refuse(); }
  DeviceMemory AllocateHost(size_t) const override { Refuse(); }
  void Copy(void*, const void*, size_t, CopyKind, Stream*) const override { Refuse(); }
  void Synchronize(Stream*) const override { Refuse(); }
  int DefaultThreads() const override { Refuse(); }

 protected:
  int BeginScope(int, bool) const override { Refuse(); }
  void EndScope(int, bool) const override {}

 private:
  [[noreturn]] void Refuse() const {
    MXS_THROW(kInternal) << "the kernel listing of " << name_ << " has no device";
  }
  std::string name_;
  Device device_;
};

}  // namespace mxserve
