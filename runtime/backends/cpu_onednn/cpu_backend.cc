// SPDX-License-Identifier: Apache-2.0
// The oneDNN CPU backend: one kernel factory table, filled from the backends/cpu_onednn/<op>.cc
// files that CMake lists in kernel_registry_cpu.inc.
#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {

#define MXS_KERNEL_FILE(file) void RegisterKernels_cpu_##file(Backend& r);
#include "kernel_registry_cpu.inc"
#undef MXS_KERNEL_FILE

namespace {

class CpuBackendImpl final : public Backend {
 public:
  CpuBackendImpl() {
#define MXS_KERNEL_FILE(file) RegisterKernels_cpu_##file(*this);
#include "kernel_registry_cpu.inc"
#undef MXS_KERNEL_FILE
  }
  std::string device() const override { return "cpu(0)"; }
  bool SupportsBfloat16() const override {
    using isa = dnnl::cpu_isa;
    isa have = dnnl::get_effective_cpu_isa();
    return have == isa::avx512_core_bf16 || have == isa::avx512_core_fp16 ||
           have == isa::avx512_core_amx || have == isa::avx512_core_amx_fp16;
  }
  std::unique_ptr<Stream> CreateStream() const override {
    return cpu::CallOneDnn("create stream", [] { return std::make_unique<cpu::CpuStream>(); });
  }
};

}  // namespace

const Backend& CpuBackend() {
  static const CpuBackendImpl backend;
  return backend;
}

}  // namespace mxserve
