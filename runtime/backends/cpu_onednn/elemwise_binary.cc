// SPDX-License-Identifier: Apache-2.0
// Same-shape binary ops and add_n. float32 add/sub/mul/div/max/min and the comparisons run on
// oneDNN binary (comparisons write 1.0/0.0 into the float output, as MXNet does); add_n on
// oneDNN sum. Other dtypes and _power use plain loops.
#include "ops/elemwise_binary.h"


#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "graph/op_def.h"
#include "backends/cpu_onednn/elemwise_loop.h"

namespace mxserve {
namespace cpu {

namespace {

/// Same-shape binary op in a plain loop, for dtypes and functions oneDNN lacks.
template <typename T>
class ElemwiseLoopKernel final : public Kernel {
 public:
  ElemwiseLoopKernel(BinaryFn fn, int64_t n) : fn_(fn), n_(n) {}
  void Run(const RunArgs& args) const override {
    const T* a = static_cast<const T*>(args.in[0]);
    const T* b = static_cast<const T*>(args.in[1]);
    T* y = static_cast<T*>(args.out[0]);
    VisitBinaryFn<T>(fn_, [&](auto f) { ParallelFor(n_, [&](int64_t i) { y[i] = f(a[i], b[i]); }); });
  }
  std::string Describe() const override { return "ref:elemwise"; }

 private:
  BinaryFn fn_;
  int64_t n_;
};

/// add_n in a plain loop: inputs are summed in order, as MXNet does.
template <typename T>
class AddNLoopKernel final : public Kernel {
 public:
  AddNLoopKernel(int num_args, int64_t n) : num_args_(num_args), n_(n) {}
  void Run(const RunArgs& args) const override {
    T* y = static_cast<T*>(args.out[0]);
    ParallelFor(n_, [&](int64_t i) {
      T acc = static_cast<const T*>(args.in[0])[i];
      for (int k = 1; k < num_args_; ++k) acc = static_cast<T>(acc + static_cast<const T*>(args.in[k])[i]);
      y[i] = acc;
    });
  }
  std::string Describe() const override { return "ref:add_n"; }

 private:
  int num_args_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateElemwiseBinary(const KernelArgs& a) {
  const BinaryFn fn = ElemwiseBinaryFnOf(a.node.def->name());
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  const DType dt = a.in[0].dtype;
  auto algo = BinaryAlgorithm(fn);
  if (dt == DType::kFloat32 && algo && a.out[0].shape.Size() > 0) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      auto pd = dnnl::binary::primitive_desc(Engine(), *algo, ToMemDesc(a.in[0]), ToMemDesc(a.in[1]),
                                             ToMemDesc(a.out[0]), DefaultAttr());
      std::vector<PrimitiveArg> args{
          {DNNL_ARG_SRC_0, pd.src0_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
          {DNNL_ARG_SRC_1, pd.src1_desc(), PrimitiveArg::Source::kInput, 1, nullptr},
          {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::binary(pd), pd, std::move(args));
    });
  }
  CheckSameLayout(a, what);
  std::unique_ptr<Kernel> k;
  const int64_t n = a.out[0].shape.Size();
  VisitDType(dt, [&](auto t) { k = std::make_unique<ElemwiseLoopKernel<decltype(t)>>(fn, n); });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(dt) << " is not supported";
  return k;
}

std::unique_ptr<Kernel> CreateAddN(const KernelArgs& a) {
  const auto& p = a.param<AddNParam>();
  const std::string what = "add_n node '" + a.node.name + "'";
  const DType dt = a.in[0].dtype;
  if (dt == DType::kFloat32 && p.num_args >= 2 && a.out[0].shape.Size() > 0) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      std::vector<dnnl::memory::desc> srcs;
      for (int i = 0; i < p.num_args; ++i) srcs.push_back(ToMemDesc(a.in[i]));
      std::vector<float> scales(p.num_args, 1.f);
      auto pd = dnnl::sum::primitive_desc(Engine(), ToMemDesc(a.out[0]), scales, srcs, DefaultAttr());
      std::vector<PrimitiveArg> args;
      for (int i = 0; i < p.num_args; ++i)
        args.push_back({DNNL_ARG_MULTIPLE_SRC + i, pd.src_desc(i), PrimitiveArg::Source::kInput, i, nullptr});
      args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
      return std::make_unique<PrimitiveKernel>(what, dnnl::sum(pd), pd, std::move(args));
    });
  }
  CheckSameLayout(a, what);
  std::unique_ptr<Kernel> k;
  const int64_t n = a.out[0].shape.Size();
  VisitDType(dt, [&](auto t) { k = std::make_unique<AddNLoopKernel<decltype(t)>>(p.num_args, n); });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(dt) << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, elemwise_binary) {
  for (const std::string& op : ElemwiseBinaryOpNames())
    r.Add(op, cpu::CreateElemwiseBinary, Backend::kSameLayout).DTypes(dtypes::kPlain);
  r.Add("add_n", cpu::CreateAddN).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
