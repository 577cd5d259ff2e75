// SPDX-License-Identifier: Apache-2.0
// CreateHostFallback.
#include "backends/host_fallback.h"

#include <cstdio>
#include <mutex>
#include <set>
#include <vector>

#include "backends/backend_table.h"

namespace mxserve {
namespace {

size_t Align(size_t n) { return (n + 63) / 64 * 64; }

class HostFallbackKernel final : public Kernel {
 public:
  HostFallbackKernel(const Backend& device, const KernelArgs& args, std::unique_ptr<Kernel> host)
      : device_(device), host_(std::move(host)) {
    size_t offset = 0;
    for (const TensorDesc& t : args.in) {
      in_.push_back({offset, t.nbytes()});
      offset += Align(t.nbytes());
    }
    for (const TensorDesc& t : args.out) {
      out_.push_back({offset, t.nbytes()});
      offset += Align(t.nbytes());
    }
    scratch_offset_ = offset;
    staging_bytes_ = offset + host_->ScratchpadBytes();
  }

  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<State>();
    st->staging = device_.AllocateHost(staging_bytes_);
    st->stream = HostBackend().CreateStream();
    st->host = host_->CreateState();
    return st;
  }

  void Run(const RunArgs& args) const override {
    auto* st = static_cast<State*>(args.state);
    char* base = st->staging.as<char>();
    std::vector<const void*> in(in_.size());
    std::vector<void*> out(out_.size());
    for (size_t i = 0; i < in_.size(); ++i) {
      in[i] = base + in_[i].offset;
      device_.Copy(base + in_[i].offset, args.in[i], in_[i].bytes,
                   Backend::CopyKind::kDeviceToHost, args.stream);
    }
    for (size_t i = 0; i < out_.size(); ++i) out[i] = base + out_[i].offset;
    device_.Synchronize(args.stream);
    RunArgs host{in.data(), out.data(), base + scratch_offset_, st->stream.get(), st->host.get()};
    host_->Run(host);
    for (size_t i = 0; i < out_.size(); ++i)
      device_.Copy(args.out[i], base + out_[i].offset, out_[i].bytes,
                   Backend::CopyKind::kHostToDevice, args.stream);
    // The staging memory is reused by the next call: the copies must be done before it returns.
    device_.Synchronize(args.stream);
  }

  std::string Describe() const override { return "host_fallback:" + host_->Describe(); }

 private:
  struct Slice {
    size_t offset;  ///< in the staging memory
    size_t bytes;
  };
  /// Per-context state: pinned staging memory, the host stream, the host kernel's state.
  struct State final : KernelState {
    DeviceMemory staging;
    std::unique_ptr<Stream> stream;
    std::unique_ptr<KernelState> host;
  };
  const Backend& device_;
  std::unique_ptr<Kernel> host_;
  std::vector<Slice> in_, out_;
  size_t scratch_offset_ = 0, staging_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateHostFallback(const Backend& device, const KernelArgs& args) {
  KernelArgs host_args = args;
  for (TensorDesc& t : host_args.in) t.layout = Layout::kRowMajor;
  for (TensorDesc& t : host_args.out) t.layout = Layout::kRowMajor;
  std::unique_ptr<Kernel> host = HostBackend().CreateKernel(host_args);
  return std::make_unique<HostFallbackKernel>(device, args, std::move(host));
}

void LogHostFallback(const Backend& device, const Node& node, const std::string& reason) {
  static std::mutex mu;
  static std::set<std::string> logged;
  const std::string key = device.device_name() + "|" + node.op + "|" + node.name;
  std::lock_guard<std::mutex> lock(mu);
  if (!logged.insert(key).second) return;
  std::fprintf(stderr, "mxserve: %s node '%s' runs on the CPU with copies to and from %s (%s)\n",
               node.op.c_str(), node.name.c_str(), device.device_name().c_str(), reason.c_str());
}

bool IsHostFallback(const Kernel& kernel) {
  return dynamic_cast<const HostFallbackKernel*>(&kernel) != nullptr;
}

}  // namespace mxserve
