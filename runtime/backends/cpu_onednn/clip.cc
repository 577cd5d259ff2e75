// SPDX-License-Identifier: Apache-2.0
// clip on oneDNN eltwise_clip_v2 for float32 with a_min <= a_max (it then equals MXNet's
// "> a_max first, then < a_min" rule); a plain loop otherwise. Bounds are float, as in MXNet,
// so integer inputs are compared after promotion.
#include "ops/clip.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename T>
class ClipLoopKernel final : public Kernel {
 public:
  ClipLoopKernel(float a_min, float a_max, int64_t n) : a_min_(a_min), a_max_(a_max), n_(n) {}
  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    T* y = static_cast<T*>(args.out[0]);
    ParallelFor(n_, [&](int64_t i) {
      T v = x[i];
      y[i] = v > a_max_ ? static_cast<T>(a_max_) : (v < a_min_ ? static_cast<T>(a_min_) : v);
    });
  }
  std::string Describe() const override { return "ref:clip"; }

 private:
  float a_min_;
  float a_max_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateClip(const KernelArgs& a) {
  const auto& p = a.param<ClipParam>();
  const std::string what = "clip node '" + a.node.name + "'";
  const DType dt = a.in[0].dtype;
  if (dt == DType::kFloat32 && p.a_min <= p.a_max && a.out[0].shape.Size() > 0) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      auto pd = dnnl::eltwise_forward::primitive_desc(
          Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_clip_v2,
          ToMemDesc(a.in[0]), ToMemDesc(a.out[0]), p.a_min, p.a_max, DefaultAttr());
      std::vector<PrimitiveArg> args{
          {DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
          {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
    });
  }
  CheckSameLayout(a, what);
  std::unique_ptr<Kernel> k;
  const int64_t n = a.out[0].shape.Size();
  if (dt != DType::kBool) {
    VisitDType(dt, [&](auto t) { k = std::make_unique<ClipLoopKernel<decltype(t)>>(p.a_min, p.a_max, n); });
  }
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(dt) << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, clip) {
  r.Add("clip", cpu::CreateClip, Backend::kSameLayout)
      .DTypes(dtypes::kPlain - DTypeSet{DType::kBool});
}

}  // namespace mxserve
