// SPDX-License-Identifier: Apache-2.0
// A device backend for host tests of device code paths: its "device memory" is host memory, but
// it says it cannot be read by the host (host_accessible() false), so the runtime treats it as a
// GPU and reaches it only through Copy. It counts the copies, a test can make its next
// Synchronize fail as a GPU's does after an asynchronous kernel fault, and it can stand in for
// CUDA graphs' recording and replay.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend_table.h"
#include "base/error.h"

namespace mxserve {
namespace testing {

class StandInDevice final : public Backend {
 public:
  std::string name() const override { return "stand_in"; }
  Device device() const override { return HostBackend().device(); }
  std::vector<DType> compute_dtypes() const override {
    return {DType::kFloat32, DType::kFloat16, DType::kBfloat16};
  }
  void CheckComputeDType(DType) const override {}
  std::unique_ptr<Stream> CreateStream() const override { return HostBackend().CreateStream(); }
  bool host_accessible() const override { return false; }
  DeviceMemory Allocate(size_t bytes) const override { return HostBackend().Allocate(bytes); }
  DeviceMemory AllocateHost(size_t bytes) const override { return HostBackend().Allocate(bytes); }
  void Copy(void* dst, const void* src, size_t bytes, CopyKind, Stream*) const override {
    ++copies;
    std::memcpy(dst, src, bytes);
  }
  /// Reports a pending fault once, as cudaStreamSynchronize does after a faulting kernel.
  void Synchronize(Stream*) const override {
    ++syncs;
    if (!fault_pending) return;
    fault_pending = false;
    MXS_THROW(kDevice) << "CUDA error in cudaStreamSynchronize: cudaErrorIllegalAddress "
                          "(an illegal memory access was encountered)";
  }
  int DefaultThreads() const override { return 1; }

  /// With `records` set, calls are "recorded": the steps run as they are queued (host kernels)
  /// and a replay runs nothing, which leaves the outputs of the recorded call in place.
  bool records_calls() const override { return records; }
  void BeginRecording(Stream*) const override { recording = true; }
  std::unique_ptr<Recording> EndRecording(Stream*) const override {
    const bool was = recording;
    recording = false;
    MXS_CHECK_CODE(was, kDevice) << "no recording under way";
    return std::make_unique<Recording>();
  }
  void Replay(const Recording&, Stream*) const override { ++replays; }

  mutable int copies = 0;              ///< Copy calls so far
  mutable int syncs = 0;               ///< Synchronize calls so far
  mutable bool fault_pending = false;  ///< the next Synchronize fails
  bool records = false;                ///< records_calls()
  mutable bool recording = false;      ///< between BeginRecording and EndRecording
  mutable int replays = 0;             ///< Replay calls so far

 protected:
  int BeginScope(int, bool) const override { return 0; }
  void EndScope(int, bool) const override {}
};

}  // namespace testing
}  // namespace mxserve
