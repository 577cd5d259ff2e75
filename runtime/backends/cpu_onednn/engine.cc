// SPDX-License-Identifier: Apache-2.0
#include "backends/cpu_onednn/engine.h"

#include <array>
#include <cstring>
#include <map>

#include "backends/backend.h"
#include "base/error.h"

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
    return have == isa::avx512_core_bf16 || have == isa::avx512_core_fp16 || have == isa::avx512_core_amx ||
           have == isa::avx512_core_amx_fp16;
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

namespace cpu {

const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::data_type ToDnnl(DType dtype) {
  using dt = dnnl::memory::data_type;
  switch (dtype) {
    case DType::kFloat32:
      return dt::f32;
    case DType::kFloat16:
      return dt::f16;
    case DType::kBfloat16:
      return dt::bf16;
    case DType::kInt32:
      return dt::s32;
    case DType::kInt8:
      return dt::s8;
    case DType::kUint8:
    case DType::kBool:
      return dt::u8;
    case DType::kFloat64:
      return dt::f64;
    default:
      MXS_THROW(kUnsupported) << "dtype " << DTypeName(dtype) << " has no oneDNN equivalent";
  }
}

dnnl::memory::dims ToDims(const Shape& shape) {
  return dnnl::memory::dims(shape.dims().begin(), shape.dims().end());
}

dnnl::memory::format_tag PlainTag(int ndim, Layout layout) {
  using tag = dnnl::memory::format_tag;
  if (layout == Layout::kChannelsLast) {
    switch (ndim) {
      case 3:
        return tag::acb;
      case 4:
        return tag::acdb;
      case 5:
        return tag::acdeb;
      default:
        break;
    }
  }
  switch (ndim) {
    case 0:
    case 1:
      return tag::a;
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    case 5:
      return tag::abcde;
    case 6:
      return tag::abcdef;
    default:
      MXS_THROW(kUnsupported) << "tensors of " << ndim << " dimensions are not supported by oneDNN";
  }
}

dnnl::memory::desc ToMemDesc(const Shape& shape, DType dtype, Layout layout) {
  if (shape.ndim() == 0) return dnnl::memory::desc({1}, ToDnnl(dtype), dnnl::memory::format_tag::a);
  return dnnl::memory::desc(ToDims(shape), ToDnnl(dtype), PlainTag(shape.ndim(), layout));
}

TensorDesc SinglePositionAs(const TensorDesc& t, Layout layout) {
  TensorDesc out = t;
  if (t.shape.ndim() >= 3 && ShapeProduct(t.shape, 2, t.shape.ndim()) == 1) out.layout = layout;
  return out;
}

dnnl::memory::desc ToMemDesc(const TensorDesc& t) { return ToMemDesc(t.shape, t.dtype, t.layout); }

Buffer ReorderToBuffer(const void* src, const dnnl::memory::desc& src_md,
                       const dnnl::memory::desc& dst_md) {
  Buffer out(dst_md.get_size());
  if (src_md == dst_md) {
    std::memcpy(out.data(), src, dst_md.get_size());
    return out;
  }
  CallOneDnn("reorder weights", [&] {
    dnnl::memory s(src_md, Engine(), const_cast<void*>(src));
    dnnl::memory d(dst_md, Engine(), out.data());
    dnnl::stream stream(Engine());
    dnnl::reorder(s, d).execute(stream, s, d);
    stream.wait();
  });
  return out;
}

std::string WeightKey(const NDArray& w, const dnnl::memory::desc& md) {
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(w.data.get()));
  key += ":t" + std::to_string(static_cast<int>(md.get_data_type()));
  key += ":d";
  for (auto d : md.get_dims()) key += std::to_string(d) + ",";
  key += ":s";
  for (auto d : md.get_strides()) key += std::to_string(d) + ",";
  key += ":b";
  for (auto d : md.get_inner_blks()) key += std::to_string(d) + ",";
  key += ":i";
  for (auto d : md.get_inner_idxs()) key += std::to_string(d) + ",";
  return key;
}

namespace {

// Reorders between the planned layouts and row-major copies kept in the scratchpad. Only the
// reference fallbacks of a few operators need it, so the reorder memory objects are made per call.
class LayoutAdapter final : public Kernel {
 public:
  LayoutAdapter(std::unique_ptr<Kernel> inner, const KernelArgs& a) : inner_(std::move(inner)) {
    size_t offset = 0;
    for (const auto& t : a.in) offset = AddSlot(in_, t, offset);
    for (const auto& t : a.out) offset = AddSlot(out_, t, offset);
    inner_offset_ = offset;
  }
  size_t ScratchpadBytes() const override { return inner_offset_ + inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  std::string Describe() const override { return inner_->Describe() + "+reorder"; }
  void Run(const RunArgs& args) const override {
    auto& stream = static_cast<CpuStream*>(args.stream)->get();
    auto* scratch = static_cast<uint8_t*>(args.scratchpad);
    std::vector<const void*> in(in_.size());
    std::vector<void*> out(out_.size());
    CallOneDnn("layout reorder", [&] {
      for (size_t i = 0; i < in_.size(); ++i) {
        in[i] = args.in[i];
        if (!in_[i].reorder) continue;
        dnnl::memory src(in_[i].planned, Engine(), const_cast<void*>(args.in[i]));
        dnnl::memory dst(in_[i].plain, Engine(), scratch + in_[i].offset);
        dnnl::reorder(src, dst).execute(stream, src, dst);
        in[i] = scratch + in_[i].offset;
      }
      for (size_t i = 0; i < out_.size(); ++i) out[i] = out_[i].reorder ? scratch + out_[i].offset : args.out[i];
    });
    RunArgs inner_args{in.data(), out.data(), scratch + inner_offset_, args.stream, args.state};
    inner_->Run(inner_args);
    CallOneDnn("layout reorder", [&] {
      for (size_t i = 0; i < out_.size(); ++i) {
        if (!out_[i].reorder) continue;
        dnnl::memory src(out_[i].plain, Engine(), out[i]);
        dnnl::memory dst(out_[i].planned, Engine(), args.out[i]);
        dnnl::reorder(src, dst).execute(stream, src, dst);
      }
    });
  }

 private:
  struct Slot {
    bool reorder = false;               ///< the planned layout is not row-major
    dnnl::memory::desc planned, plain;  ///< planned and row-major descriptors
    size_t offset = 0;                  ///< where the row-major copy lives in the scratchpad
  };
  static size_t AddSlot(std::vector<Slot>& slots, const TensorDesc& t, size_t offset) {
    Slot s;
    // Reference kernels see row-major data, and float32 in place of bfloat16.
    const DType plain_dtype = t.dtype == DType::kBfloat16 ? DType::kFloat32 : t.dtype;
    s.reorder = t.layout != Layout::kRowMajor || plain_dtype != t.dtype;
    if (s.reorder) {
      s.planned = ToMemDesc(t);
      s.plain = ToMemDesc(t.shape, plain_dtype, Layout::kRowMajor);
      s.offset = offset;
      offset += (s.plain.get_size() + 63) / 64 * 64;
    }
    slots.push_back(s);
    return offset;
  }
  std::unique_ptr<Kernel> inner_;
  std::vector<Slot> in_, out_;
  size_t inner_offset_ = 0;
};

// Reorders input 0 into the format a primitive prefers, in the scratchpad, before running it.
class StagedInput final : public Kernel {
 public:
  StagedInput(std::unique_ptr<Kernel> inner, int num_inputs, const dnnl::memory::desc& from,
              const dnnl::memory::desc& to)
      : inner_(std::move(inner)), num_inputs_(num_inputs), from_(from), to_(to) {
    MXS_CHECK_CODE(num_inputs_ >= 1 && num_inputs_ <= kMaxInputs, kInternal)
        << "StageInput takes 1 to " << kMaxInputs << " inputs";
    offset_ = (inner_->ScratchpadBytes() + 63) / 64 * 64;
    reorder_ = dnnl::reorder(dnnl::memory(from_, Engine(), DNNL_MEMORY_NONE),
                             dnnl::memory(to_, Engine(), DNNL_MEMORY_NONE));
  }
  size_t ScratchpadBytes() const override { return offset_ + to_.get_size(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  std::string Describe() const override { return inner_->Describe() + "+src_reorder"; }
  void Run(const RunArgs& args) const override {
    void* staged = static_cast<uint8_t*>(args.scratchpad) + offset_;
    CallOneDnn("source reorder", [&] {
      dnnl::memory src(from_, Engine(), const_cast<void*>(args.in[0]));
      dnnl::memory dst(to_, Engine(), staged);
      reorder_.execute(static_cast<CpuStream*>(args.stream)->get(), src, dst);
    });
    std::array<const void*, kMaxInputs> in{};
    for (int i = 0; i < num_inputs_; ++i) in[i] = args.in[i];
    in[0] = staged;
    RunArgs inner{in.data(), args.out, args.scratchpad, args.stream, args.state};
    inner_->Run(inner);
  }

 private:
  static constexpr int kMaxInputs = 6;  ///< a convolution with a fused depthwise stage has 5
  std::unique_ptr<Kernel> inner_;
  int num_inputs_;                  ///< inputs of the wrapped kernel
  dnnl::memory::desc from_, to_;    ///< planned and preferred descriptors of input 0
  size_t offset_ = 0;               ///< where the staged copy starts in the scratchpad
  dnnl::reorder reorder_;           ///< from_ -> to_
};

}  // namespace

std::unique_ptr<Kernel> StageInput(std::unique_ptr<Kernel> inner, int num_inputs, const dnnl::memory::desc& from,
                                   const dnnl::memory::desc& to) {
  return std::make_unique<StagedInput>(std::move(inner), num_inputs, from, to);
}

std::unique_ptr<Kernel> AdaptToLayouts(std::unique_ptr<Kernel> inner, const KernelArgs& a) {
  bool plain = true;
  for (const auto& t : a.in) plain = plain && t.layout == Layout::kRowMajor && t.dtype != DType::kBfloat16;
  for (const auto& t : a.out) plain = plain && t.layout == Layout::kRowMajor && t.dtype != DType::kBfloat16;
  if (plain) return inner;
  return std::make_unique<LayoutAdapter>(std::move(inner), a);
}

dnnl::algorithm EltwiseAlgorithm(const std::string& name) {
  using alg = dnnl::algorithm;
  static const std::map<std::string, alg> kTable = {
      {"relu", alg::eltwise_relu},         {"logistic", alg::eltwise_logistic},
      {"tanh", alg::eltwise_tanh},         {"soft_relu", alg::eltwise_soft_relu},
      {"clip", alg::eltwise_clip},         {"elu", alg::eltwise_elu},
      {"gelu_erf", alg::eltwise_gelu_erf}, {"swish", alg::eltwise_swish},
      {"mish", alg::eltwise_mish},         {"abs", alg::eltwise_abs},
  };
  auto it = kTable.find(name);
  MXS_CHECK_CODE(it != kTable.end(), kUnsupported) << "no oneDNN eltwise algorithm '" << name << "'";
  return it->second;
}

dnnl::primitive_attr DefaultAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {
struct PrimitiveState final : KernelState {
  std::vector<dnnl::memory> mems;
  std::unordered_map<int, dnnl::memory> map;
  dnnl::memory scratch;
};
}  // namespace

PrimitiveKernel::PrimitiveKernel(const std::string& node_desc, dnnl::primitive prim,
                                 const dnnl::primitive_desc_base& pd, std::vector<PrimitiveArg> args)
    : node_desc_(node_desc),
      prim_(std::move(prim)),
      args_(std::move(args)),
      scratchpad_md_(pd.scratchpad_desc()),
      impl_(pd.impl_info_str()) {}

std::unique_ptr<KernelState> PrimitiveKernel::CreateState() const {
  auto st = std::make_unique<PrimitiveState>();
  CallOneDnn(node_desc_, [&] {
    for (const auto& a : args_) {
      void* handle = a.source == PrimitiveArg::Source::kConstant ? const_cast<void*>(a.constant->data())
                                                                 : DNNL_MEMORY_NONE;
      st->mems.emplace_back(a.desc, Engine(), handle);
      st->map.emplace(a.dnnl_arg, st->mems.back());
    }
    if (scratchpad_md_.get_size() > 0) {
      st->scratch = dnnl::memory(scratchpad_md_, Engine(), DNNL_MEMORY_NONE);
      st->map.emplace(DNNL_ARG_SCRATCHPAD, st->scratch);
    }
  });
  return st;
}

void PrimitiveKernel::Run(const RunArgs& args) const {
  auto* st = static_cast<PrimitiveState*>(args.state);
  auto& stream = static_cast<CpuStream*>(args.stream)->get();
  CallOneDnn(node_desc_, [&] {
    for (size_t i = 0; i < args_.size(); ++i) {
      const auto& a = args_[i];
      if (a.source == PrimitiveArg::Source::kInput) {
        st->mems[i].set_data_handle(const_cast<void*>(args.in[a.index]));
      } else if (a.source == PrimitiveArg::Source::kOutput) {
        st->mems[i].set_data_handle(args.out[a.index]);
      }
    }
    if (scratchpad_md_.get_size() > 0) st->scratch.set_data_handle(args.scratchpad);
    prim_.execute(stream, st->map);
  });
}

}  // namespace cpu
}  // namespace mxserve
