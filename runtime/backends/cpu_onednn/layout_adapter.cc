// SPDX-License-Identifier: Apache-2.0
#include "backends/cpu_onednn/layout_adapter.h"

#include <array>
#include <vector>

#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

/// One reorder made at bind time; its two memory objects are made per execution context.
struct Reorder {
  dnnl::memory::desc src, dst;  ///< source and destination descriptors
  dnnl::reorder prim;           ///< src -> dst
};

Reorder MakeReorder(const dnnl::memory::desc& src, const dnnl::memory::desc& dst) {
  return Reorder{src, dst,
                 dnnl::reorder(dnnl::memory(src, Engine(), DNNL_MEMORY_NONE),
                               dnnl::memory(dst, Engine(), DNNL_MEMORY_NONE))};
}

/// Memory objects of a wrapper's reorders in one execution context, and the inner kernel's state.
struct WrapperState final : KernelState {
  std::unique_ptr<KernelState> inner;  ///< the wrapped kernel's own state
  std::vector<dnnl::memory> src, dst;  ///< per reorder, rebound to each call's pointers
};

std::unique_ptr<WrapperState> CreateWrapperState(const std::vector<Reorder>& reorders,
                                                 std::unique_ptr<KernelState> inner) {
  auto st = std::make_unique<WrapperState>();
  st->inner = std::move(inner);
  for (const Reorder& r : reorders) {
    st->src.push_back(dnnl::memory(r.src, Engine(), DNNL_MEMORY_NONE));
    st->dst.push_back(dnnl::memory(r.dst, Engine(), DNNL_MEMORY_NONE));
  }
  return st;
}

void RunReorder(const Reorder& r, dnnl::memory& src, dnnl::memory& dst, const void* from, void* to,
                dnnl::stream& stream) {
  src.set_data_handle(const_cast<void*>(from));
  dst.set_data_handle(to);
  r.prim.execute(stream, src, dst);
}

// Reorders between the planned layouts (or bfloat16) and row-major float32 copies kept in the
// scratchpad, around a kernel that handles only those.
class LayoutAdapter final : public Kernel {
 public:
  LayoutAdapter(std::unique_ptr<Kernel> inner, const KernelArgs& a) : inner_(std::move(inner)) {
    size_t offset = 0;
    CallOneDnn("layout reorder", [&] {
      for (const auto& t : a.in) offset = AddSlot(in_, t, offset, /*to_plain=*/true);
      for (const auto& t : a.out) offset = AddSlot(out_, t, offset, /*to_plain=*/false);
    });
    inner_offset_ = offset;
  }
  size_t ScratchpadBytes() const override { return inner_offset_ + inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override {
    return CallOneDnn("layout reorder",
                      [&] { return CreateWrapperState(reorders_, inner_->CreateState()); });
  }
  std::string Describe() const override { return inner_->Describe() + "+reorder"; }
  void Run(const RunArgs& args) const override {
    auto* st = static_cast<WrapperState*>(args.state);
    auto& stream = static_cast<CpuStream*>(args.stream)->get();
    auto* scratch = static_cast<uint8_t*>(args.scratchpad);
    std::array<const void*, kMaxTensors> in{};
    std::array<void*, kMaxTensors> out{};
    CallOneDnn("layout reorder", [&] {
      for (size_t i = 0; i < in_.size(); ++i) {
        const Slot& s = in_[i];
        in[i] = s.reorder < 0 ? args.in[i] : scratch + s.offset;
        if (s.reorder >= 0)
          RunReorder(reorders_[s.reorder], st->src[s.reorder], st->dst[s.reorder], args.in[i],
                     scratch + s.offset, stream);
      }
      for (size_t i = 0; i < out_.size(); ++i)
        out[i] = out_[i].reorder < 0 ? args.out[i] : scratch + out_[i].offset;
    });
    RunArgs inner_args{in.data(), out.data(), scratch + inner_offset_, args.stream,
                       st->inner.get()};
    inner_->Run(inner_args);
    CallOneDnn("layout reorder", [&] {
      for (size_t i = 0; i < out_.size(); ++i) {
        const Slot& s = out_[i];
        if (s.reorder >= 0)
          RunReorder(reorders_[s.reorder], st->src[s.reorder], st->dst[s.reorder], out[i],
                     args.out[i], stream);
      }
    });
  }

 private:
  static constexpr size_t kMaxTensors = 16;  ///< inputs or outputs of one wrapped kernel
  struct Slot {
    int reorder = -1;  ///< index into reorders_, or -1 when the planned layout is row-major float32
    size_t offset = 0;  ///< where the row-major copy lives in the scratchpad
  };
  size_t AddSlot(std::vector<Slot>& slots, const TensorDesc& t, size_t offset, bool to_plain) {
    MXS_CHECK_CODE(slots.size() < kMaxTensors, kUnsupported)
        << "a reference kernel with more than " << kMaxTensors
        << " inputs or outputs cannot be reordered";
    Slot s;
    // Reference kernels see row-major data, and float32 in place of bfloat16.
    const DType plain_dtype = t.dtype == DType::kBfloat16 ? DType::kFloat32 : t.dtype;
    if (t.layout != Layout::kRowMajor || plain_dtype != t.dtype) {
      const dnnl::memory::desc planned = ToMemDesc(t);
      const dnnl::memory::desc plain = ToMemDesc(t.shape, plain_dtype, Layout::kRowMajor);
      s.reorder = static_cast<int>(reorders_.size());
      reorders_.push_back(to_plain ? MakeReorder(planned, plain) : MakeReorder(plain, planned));
      s.offset = offset;
      offset += (plain.get_size() + 63) / 64 * 64;
    }
    slots.push_back(s);
    return offset;
  }
  std::unique_ptr<Kernel> inner_;
  std::vector<Reorder> reorders_;
  std::vector<Slot> in_, out_;
  size_t inner_offset_ = 0;
};

// Reorders input 0 into the format a primitive prefers, in the scratchpad, before running it.
class StagedInput final : public Kernel {
 public:
  StagedInput(std::unique_ptr<Kernel> inner, int num_inputs, const dnnl::memory::desc& from,
              const dnnl::memory::desc& to)
      : inner_(std::move(inner)), num_inputs_(num_inputs) {
    MXS_CHECK_CODE(num_inputs_ >= 1 && num_inputs_ <= kMaxInputs, kInternal)
        << "StageInput takes 1 to " << kMaxInputs << " inputs";
    offset_ = (inner_->ScratchpadBytes() + 63) / 64 * 64;
    reorder_.push_back(CallOneDnn("source reorder", [&] { return MakeReorder(from, to); }));
  }
  size_t ScratchpadBytes() const override { return offset_ + reorder_[0].dst.get_size(); }
  std::unique_ptr<KernelState> CreateState() const override {
    return CallOneDnn("source reorder",
                      [&] { return CreateWrapperState(reorder_, inner_->CreateState()); });
  }
  std::string Describe() const override { return inner_->Describe() + "+src_reorder"; }
  void Run(const RunArgs& args) const override {
    auto* st = static_cast<WrapperState*>(args.state);
    void* staged = static_cast<uint8_t*>(args.scratchpad) + offset_;
    CallOneDnn("source reorder", [&] {
      RunReorder(reorder_[0], st->src[0], st->dst[0], args.in[0], staged,
                 static_cast<CpuStream*>(args.stream)->get());
    });
    std::array<const void*, kMaxInputs> in{};
    for (int i = 0; i < num_inputs_; ++i) in[i] = args.in[i];
    in[0] = staged;
    RunArgs inner{in.data(), args.out, args.scratchpad, args.stream, st->inner.get()};
    inner_->Run(inner);
  }

 private:
  static constexpr int kMaxInputs = 6;  ///< a convolution with a fused depthwise stage has 5
  std::unique_ptr<Kernel> inner_;
  int num_inputs_;                ///< inputs of the wrapped kernel
  size_t offset_ = 0;             ///< where the staged copy starts in the scratchpad
  std::vector<Reorder> reorder_;  ///< one reorder: planned -> preferred format of input 0
};

}  // namespace

std::unique_ptr<Kernel> StageInput(std::unique_ptr<Kernel> inner, int num_inputs,
                                   const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  return std::make_unique<StagedInput>(std::move(inner), num_inputs, from, to);
}

std::unique_ptr<Kernel> AdaptToLayouts(std::unique_ptr<Kernel> inner, const KernelArgs& a) {
  bool plain = true;
  for (const auto& t : a.in)
    plain = plain && t.layout == Layout::kRowMajor && t.dtype != DType::kBfloat16;
  for (const auto& t : a.out)
    plain = plain && t.layout == Layout::kRowMajor && t.dtype != DType::kBfloat16;
  if (plain) return inner;
  return std::make_unique<LayoutAdapter>(std::move(inner), a);
}

}  // namespace cpu
}  // namespace mxserve
