// SPDX-License-Identifier: Apache-2.0
// Broadcasting binary ops. oneDNN binary broadcasts only src1 and wants equal ndims, so shapes
// are right-aligned and padded with 1s; when only the left operand broadcasts, commutative ops
// (and comparisons, with the comparison mirrored) swap operands. Everything else (integer
// dtypes, power, the logical ops, both operands broadcasting) runs a strided plain loop.
#include "ops/broadcast_binary.h"

#include <utility>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename TI, typename TO, typename F>
class BroadcastLoopKernel final : public Kernel {
 public:
  BroadcastLoopKernel(BroadcastGeometry g, F f) : g_(std::move(g)), f_(f) {}
  void Run(const RunArgs& args) const override {
    BroadcastLoop(g_, static_cast<const TI*>(args.in[0]), static_cast<const TI*>(args.in[1]),
                  static_cast<TO*>(args.out[0]), f_);
  }
  std::string Describe() const override { return "ref:broadcast"; }

 private:
  BroadcastGeometry g_;
  F f_;
};

template <typename TI, typename TO, typename F>
std::unique_ptr<Kernel> MakeLoop(BroadcastGeometry g, F f) {
  return std::make_unique<BroadcastLoopKernel<TI, TO, F>>(std::move(g), f);
}

/// `shape` right-aligned to `nd` dimensions, padded with leading 1s.
dnnl::memory::dims Padded(const Shape& shape, int nd) {
  dnnl::memory::dims d(nd - shape.ndim(), 1);
  d.insert(d.end(), shape.dims().begin(), shape.dims().end());
  if (d.empty()) d.push_back(1);
  return d;
}

dnnl::memory::desc RowMajorDesc(const dnnl::memory::dims& dims, DType dtype) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return dnnl::memory::desc(dims, ToDnnl(dtype), strides);
}

/// The algorithm computing fn(b, a) from oneDNN's (src0, src1) = (b, a), if there is one.
std::optional<dnnl::algorithm> SwappedAlgorithm(BinaryFn fn) {
  using alg = dnnl::algorithm;
  switch (fn) {
    case BinaryFn::kAdd:
    case BinaryFn::kMul:
    case BinaryFn::kMax:
    case BinaryFn::kMin:
    case BinaryFn::kEqual:
    case BinaryFn::kNotEqual:
      return BinaryAlgorithm(fn);
    case BinaryFn::kGreater:
      return alg::binary_lt;
    case BinaryFn::kGreaterEqual:
      return alg::binary_le;
    case BinaryFn::kLesser:
      return alg::binary_gt;
    case BinaryFn::kLesserEqual:
      return alg::binary_ge;
    default:
      return std::nullopt;
  }
}

// oneDNN binary for float32 when one operand already has the output's shape; null otherwise.
std::unique_ptr<Kernel> TryOneDnn(const KernelArgs& a, BinaryFn fn, const std::string& what) {
  if (a.in[0].dtype != DType::kFloat32 || a.out[0].dtype != DType::kFloat32) return nullptr;
  if (a.out[0].shape.Size() == 0 || a.out[0].shape.ndim() > DNNL_MAX_NDIMS) return nullptr;
  const int nd = a.out[0].shape.ndim();
  auto dl = Padded(a.in[0].shape, nd), dr = Padded(a.in[1].shape, nd), dout = Padded(a.out[0].shape, nd);
  std::optional<dnnl::algorithm> algo;
  int src0 = 0, src1 = 1;
  if (dl == dout) {
    algo = BinaryAlgorithm(fn);
  } else if (dr == dout) {
    algo = SwappedAlgorithm(fn);
    std::swap(src0, src1);
    std::swap(dl, dr);
  }
  if (!algo) return nullptr;
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto pd = dnnl::binary::primitive_desc(Engine(), *algo, RowMajorDesc(dl, DType::kFloat32),
                                           RowMajorDesc(dr, DType::kFloat32),
                                           RowMajorDesc(dout, DType::kFloat32), DefaultAttr());
    std::vector<PrimitiveArg> args{
        {DNNL_ARG_SRC_0, pd.src0_desc(), PrimitiveArg::Source::kInput, src0, nullptr},
        {DNNL_ARG_SRC_1, pd.src1_desc(), PrimitiveArg::Source::kInput, src1, nullptr},
        {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::binary(pd), pd, std::move(args));
  });
}

std::unique_ptr<Kernel> CreateBroadcastBinary(const KernelArgs& a) {
  const BinaryFn fn = BroadcastBinaryFnOf(a.node.def->name());
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  for (const auto* t : {&a.in[0], &a.in[1], &a.out[0]}) {
    MXS_CHECK_CODE(t->layout == Layout::kRowMajor, kUnsupported)
        << "failed to plan " << what << ": broadcasting needs row-major tensors";
  }
  if (auto k = TryOneDnn(a, fn, what)) return k;
  BroadcastGeometry g = MakeBroadcastGeometry(a.in[0].shape, a.in[1].shape, a.out[0].shape);
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  std::unique_ptr<Kernel> k;
  VisitDType(ti, [&](auto x) {
    using T = decltype(x);
    if (to == ti) {
      VisitBinaryFn<T>(fn, [&](auto f) { k = MakeLoop<T, T>(g, f); });
    } else if (to == DType::kBool && IsLogicFn(fn)) {
      VisitBinaryFn<T>(fn, [&](auto f) { k = MakeLoop<T, bool>(g, f); });
    } else if (to == DType::kFloat32 && fn == BinaryFn::kDiv) {
      // _npi_true_divide of integers: divide as float32.
      k = MakeLoop<T, float>(g, [](T l, T r) { return static_cast<float>(l) / static_cast<float>(r); });
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(ti) << " -> " << DTypeName(to)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, broadcast_binary) {
  for (const std::string& op : BroadcastBinaryOpNames())
    r.Add(op, cpu::CreateBroadcastBinary).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
