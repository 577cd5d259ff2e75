// SPDX-License-Identifier: Apache-2.0
// The oneDNN CPU backend: one kernel table, filled from the backends/cpu_onednn/<op>.cc files
// that CMake lists in kernel_registry_cpu.inc; host memory (aligned Buffers, so caller inputs,
// parameters and outputs are used in place); intra-op threads from the process-wide CoreBudget.
#include <omp.h>

#include <cstdlib>
#include <cstring>

#include "backends/backend.h"
#include "backends/backend_table.h"
#include "backends/cpu_onednn/core_budget.h"
#include "backends/cpu_onednn/engine.h"
#include "base/buffer.h"

namespace mxserve {

#define MXS_KERNEL_FILE(file) void RegisterKernels_cpu_##file(Backend& r);
#include "kernel_registry_cpu.inc"
#undef MXS_KERNEL_FILE

namespace {

bool HasBfloat16Isa() {
  using isa = dnnl::cpu_isa;
  isa have = dnnl::get_effective_cpu_isa();
  return have == isa::avx512_core_bf16 || have == isa::avx512_core_fp16 ||
         have == isa::avx512_core_amx || have == isa::avx512_core_amx_fp16;
}

DeviceMemory HostMemory(size_t bytes) {
  auto buffer = std::make_shared<Buffer>(bytes);
  void* data = buffer->data();
  return DeviceMemory(std::shared_ptr<void>(std::move(buffer), data), bytes);
}

class CpuBackendImpl final : public Backend {
 public:
  CpuBackendImpl() {
#define MXS_KERNEL_FILE(file) RegisterKernels_cpu_##file(*this);
#include "kernel_registry_cpu.inc"
#undef MXS_KERNEL_FILE
  }
  std::string name() const override { return "cpu_onednn"; }
  Device device() const override { return Device{DeviceKind::kCpu, 0}; }

  std::vector<DType> compute_dtypes() const override {
    return {DType::kFloat32, DType::kBfloat16};
  }
  void CheckComputeDType(DType dtype) const override {
    if (dtype == DType::kFloat32) return;
    MXS_CHECK_CODE(dtype == DType::kBfloat16, kUnsupported)
        << "compute dtype " << DTypeName(dtype) << " is not supported by cpu_onednn";
    MXS_CHECK_CODE(HasBfloat16Isa(), kUnsupported)
        << "bfloat16 mode needs a CPU with AVX512-BF16 or AMX; this one has neither";
  }

  std::unique_ptr<Stream> CreateStream() const override {
    return cpu::CallOneDnn("create stream", [] { return std::make_unique<cpu::CpuStream>(); });
  }
  bool host_accessible() const override { return true; }
  DeviceMemory Allocate(size_t bytes) const override { return HostMemory(bytes); }
  DeviceMemory AllocateHost(size_t bytes) const override { return HostMemory(bytes); }
  void Copy(void* dst, const void* src, size_t bytes, CopyKind, Stream*) const override {
    if (bytes > 0) std::memcpy(dst, src, bytes);
  }
  void Synchronize(Stream*) const override {}

  int DefaultThreads() const override {
    if (const char* env = std::getenv("MXSERVE_NUM_THREADS")) {
      int n = std::atoi(env);
      if (n > 0) return n;
    }
    return omp_get_num_procs();
  }

 protected:
  // A call takes its threads from the core budget; a bind sets the OpenMP thread count that
  // oneDNN sizes its primitives by, and restores the caller's afterwards.
  int BeginScope(int num_threads, bool bind) const override {
    if (bind) {
      const int previous = omp_get_max_threads();
      omp_set_num_threads(num_threads);
      return previous;
    }
    const int n = cpu::CoreBudget::Global().Acquire(num_threads);
    omp_set_num_threads(n);
    return n;
  }
  void EndScope(int token, bool bind) const override {
    if (bind) {
      omp_set_num_threads(token);
    } else {
      cpu::CoreBudget::Global().Release(token);
    }
  }
};

const Backend& GetCpuBackend(int id) {
  MXS_CHECK_CODE(id == 0, kInvalidArgument) << "the CPU is device 0, got cpu(" << id << ")";
  static const CpuBackendImpl backend;
  return backend;
}

}  // namespace

MXS_REGISTER_BACKEND(cpu_onednn) {
  t.Add(BackendEntry{"cpu_onednn", DeviceKind::kCpu, &GetCpuBackend, {},
                     [] { return GetCpuBackend(0).kernel_names(); }});
}

}  // namespace mxserve
