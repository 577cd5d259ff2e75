// SPDX-License-Identifier: Apache-2.0
// Deconvolution on oneDNN deconvolution_forward: activations in the planned layout, the weight
// (MXNet's (C_in, C_out/G, k...) order, oneDNN's iohw / giohw) prepacked once into the format
// the primitive prefers and shared through the WeightCache.
#include "backends/cpu_onednn/deconvolution.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;

std::unique_ptr<Kernel> CreateDeconvolutionKernel(const KernelArgs& a,
                                                  const DeconvolutionParam& p) {
  const std::string what = NodeDesc(a.node);
  MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
      << "failed to plan " << what << ": the weight must be a parameter, not computed";
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kBfloat16, kUnsupported)
      << "failed to plan " << what << ": data type " << DTypeName(dt) << " is not supported";
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    const int nd = static_cast<int>(p.kernel.size());
    const auto compute = a.compute_dtype == DType::kBfloat16 ? dnnl::memory::data_type::bf16
                                                             : ToDnnl(dt);
    auto planned_src = ToMemDesc(a.in[0]);
    dnnl::memory::desc src_md(planned_src.get_dims(), compute, tag::any);
    auto dst_md = ToMemDesc(a.out[0]);
    // oneDNN's logical weight order is (G, O/G, I/G, k...); MXNet stores (G, I/G, O/G, k...).
    const Shape& ws = a.in[1].shape;
    const int64_t g = p.num_group;
    const int64_t in_g = ws[0] / g, out_g = ws[1];
    int64_t ksize = 1;
    for (int i = 0; i < nd; ++i) ksize *= ws[2 + i];
    dims wdims{out_g, in_g}, wstrides{ksize, out_g * ksize};
    if (g > 1) {
      wdims.insert(wdims.begin(), g);
      wstrides.insert(wstrides.begin(), in_g * out_g * ksize);
    }
    for (int i = 0; i < nd; ++i) {
      wdims.push_back(ws[2 + i]);
      int64_t inner = 1;
      for (int j = i + 1; j < nd; ++j) inner *= ws[2 + j];
      wstrides.push_back(inner);
    }
    dnnl::memory::desc w_user(wdims, ToDnnl(a.in[1].dtype), wstrides);
    dnnl::memory::desc w_any(wdims, compute, tag::any);
    std::vector<int64_t> spatial(a.in[0].shape.dims().begin() + 2, a.in[0].shape.dims().end());
    std::vector<int64_t> pad, adj;
    p.InferPad(spatial, pad, adj);
    // The adjustment rows at the end are outside every window: the right padding stays `pad`
    // and the larger destination is accepted by oneDNN's (floor-rounded) size check.
    dims strides(p.stride.begin(), p.stride.end()), dilates, pad_l(pad.begin(), pad.end());
    for (int64_t d : p.dilate) dilates.push_back(d - 1);
    dnnl::memory::desc bias_md;
    if (!p.no_bias) bias_md = ToMemDesc(a.in[2].shape, a.in[2].dtype);
    auto pd = dnnl::deconvolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
        src_md, w_any, bias_md, dst_md, strides, dilates, pad_l, pad_l, DefaultAttr());
    const NDArray& w = *a.constants[1];
    auto packed = a.weights->GetOrCreate(WeightKey(w, pd.weights_desc()), [&] {
      return ReorderToBuffer(w.data->data(), w_user, pd.weights_desc());
    });
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), Src::kConstant, 0, packed});
    if (!p.no_bias) args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), Src::kInput, 2, nullptr});
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel = std::make_unique<PrimitiveKernel>(
        what, dnnl::deconvolution_forward(pd), pd, std::move(args));
    if (pd.src_desc() != planned_src)
      kernel = StageInput(std::move(kernel), static_cast<int>(a.in.size()), planned_src,
                          pd.src_desc());
    return kernel;
  });
}

namespace {

std::unique_ptr<Kernel> CreateDeconvolution(const KernelArgs& a) {
  return CreateDeconvolutionKernel(a, a.param<DeconvolutionParam>());
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, deconvolution) {
  r.Add("Deconvolution", cpu::CreateDeconvolution, Backend::kAnyLayout, Backend::kBf16Converting);
}

}  // namespace mxserve
