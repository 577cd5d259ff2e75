// SPDX-License-Identifier: Apache-2.0
// CreateHostFallback. In float16 and bfloat16 mode a node the device refuses may have activations
// of a reduced dtype that the CPU kernel does not take; the kernel is then made for float32 and
// those tensors are widened in the staging memory after the copy from the device and narrowed
// again before the copy back (round to nearest even). The CPU kernel sees row-major tensors:
// channels-last device tensors are reordered in the staging memory the same way.
#include "backends/host_fallback.h"

#include <cstdio>
#include <mutex>
#include <set>
#include <vector>

#include "backends/backend_table.h"
#include "backends/layouts.h"
#include "base/dtype.h"
#include "base/error.h"

namespace mxserve {
namespace {

size_t Align(size_t n) { return (n + 63) / 64 * 64; }

/// Widens n reduced-precision elements of dtype `t` at `src` to float32 at `dst`.
void Widen(DType t, const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i)
    dst[i] = t == DType::kFloat16 ? HalfToFloat(s[i]) : Bfloat16ToFloat(s[i]);
}

/// Narrows n float32 elements at `src` to dtype `t` at `dst`.
void Narrow(DType t, const float* src, void* dst, int64_t n) {
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i)
    d[i] = t == DType::kFloat16 ? FloatToHalf(src[i]) : FloatToBfloat16(src[i]);
}

class HostFallbackKernel final : public Kernel {
 public:
  /// `widened`: args' reduced-precision tensors are float32 for `host` (see the file comment).
  HostFallbackKernel(const Backend& device, const KernelArgs& args, std::unique_ptr<Kernel> host,
                     bool widened)
      : device_(device), host_(std::move(host)) {
    size_t offset = 0;
    auto place = [&](const TensorDesc& t, std::vector<Slice>& slices) {
      const bool widen = widened && IsReducedFloat(t.dtype);
      Slice s{offset, t.nbytes(), t.dtype, widen, 0, t.shape.Size(),
              t.layout == Layout::kChannelsLast && !LayoutsCoincide(t.shape), offset, t.shape};
      offset += Align(t.nbytes());
      if (s.reorder) {
        s.row_major = offset;
        offset += Align(t.nbytes());
      }
      if (s.widen) {
        s.wide = offset;
        offset += Align(static_cast<size_t>(s.elements) * sizeof(float));
      }
      slices.push_back(s);
    };
    for (const TensorDesc& t : args.in) place(t, in_);
    for (const TensorDesc& t : args.out) place(t, out_);
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
    auto host_view = [base](const Slice& s) { return base + (s.widen ? s.wide : s.row_major); };
    for (size_t i = 0; i < in_.size(); ++i) {
      // An input the plan leaves unbound (a label the graph does not use) stays null, as the
      // CPU kernel would see it on the CPU.
      if (args.in[i] == nullptr) continue;
      in[i] = host_view(in_[i]);
      device_.Copy(base + in_[i].offset, args.in[i], in_[i].bytes, Backend::CopyKind::kDeviceToHost,
                   args.stream);
    }
    for (size_t i = 0; i < out_.size(); ++i) out[i] = host_view(out_[i]);
    device_.Synchronize(args.stream);
    for (size_t i = 0; i < in_.size(); ++i) {
      const Slice& s = in_[i];
      if (in[i] == nullptr) continue;
      if (s.reorder)
        ConvertLayout(base + s.offset, base + s.row_major, s.shape, DTypeSize(s.dtype),
                      Layout::kChannelsLast, Layout::kRowMajor);
      if (s.widen)
        Widen(s.dtype, base + s.row_major, reinterpret_cast<float*>(base + s.wide), s.elements);
    }
    RunArgs host{in.data(), out.data(), base + scratch_offset_, st->stream.get(), st->host.get()};
    host_->Run(host);
    for (size_t i = 0; i < out_.size(); ++i) {
      const Slice& s = out_[i];
      if (s.widen)
        Narrow(s.dtype, reinterpret_cast<const float*>(base + s.wide), base + s.row_major,
               s.elements);
      if (s.reorder)
        ConvertLayout(base + s.row_major, base + s.offset, s.shape, DTypeSize(s.dtype),
                      Layout::kRowMajor, Layout::kChannelsLast);
      device_.Copy(args.out[i], base + s.offset, s.bytes, Backend::CopyKind::kHostToDevice,
                   args.stream);
    }
    // The staging memory is reused by the next call: the copies must be done before it returns.
    device_.Synchronize(args.stream);
  }

  std::string Describe() const override { return "host_fallback:" + host_->Describe(); }

 private:
  struct Slice {
    size_t offset;  ///< in the staging memory, the tensor as the device holds it
    size_t bytes;
    DType dtype;
    bool widen;   ///< the host kernel reads or writes a float32 copy
    size_t wide;  ///< where that copy lies
    int64_t elements;
    bool reorder;      ///< channels-last on the device: the host kernel sees a row-major copy
    size_t row_major;  ///< where the row-major tensor lies (offset when not reordered)
    Shape shape;
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
  bool reduced = false;
  for (const TensorDesc& t : host_args.in) reduced = reduced || IsReducedFloat(t.dtype);
  for (const TensorDesc& t : host_args.out) reduced = reduced || IsReducedFloat(t.dtype);
  // The device's compute dtype where this CPU runs it (its weights then convert as on the CPU),
  // else float32.
  try {
    HostBackend().CheckComputeDType(host_args.compute_dtype);
  } catch (const Error&) {
    host_args.compute_dtype = DType::kFloat32;
  }
  try {
    return std::make_unique<HostFallbackKernel>(device, args, HostBackend().CreateKernel(host_args),
                                                false);
  } catch (const Error&) {
    if (!reduced) throw;
  }
  // The CPU kernel refuses the reduced dtype: it computes in float32.
  for (TensorDesc& t : host_args.in)
    if (IsReducedFloat(t.dtype)) t.dtype = DType::kFloat32;
  for (TensorDesc& t : host_args.out)
    if (IsReducedFloat(t.dtype)) t.dtype = DType::kFloat32;
  host_args.compute_dtype = DType::kFloat32;
  return std::make_unique<HostFallbackKernel>(device, args, HostBackend().CreateKernel(host_args),
                                              true);
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
