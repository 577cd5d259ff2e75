// SPDX-License-Identifier: Apache-2.0
// FullyConnected and float32 _sg_mkldnn_fully_connected on oneDNN's inner product, one
// implementation, with data viewed as 2-D (N, K). A FullyConnected is the fused one with no
// post-ops.
#include "backends/cpu_onednn/fully_connected.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {

std::unique_ptr<Kernel> CreateFloatFullyConnected(const KernelArgs& a, const FusedFullyConnectedParam& fused,
                                                  const std::string& what) {
  const FullyConnectedParam& p = fused.fc;
  const Shape& data = a.in[0].shape;
  int64_t k = a.in[1].shape[1];
  int64_t n = data.Size() / k;
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    // In bfloat16 mode the product runs in bfloat16; a float32 source is converted per call.
    auto planned_dt = ToDnnl(a.in[0].dtype);
    auto dt = a.compute_dtype == DType::kBfloat16 && a.constants[1] != nullptr ? dnnl::memory::data_type::bf16
                                                                                : planned_dt;
    dnnl::memory::desc planned_src({n, k}, planned_dt, dnnl::memory::format_tag::ab);
    dnnl::memory::desc src_md({n, k}, dt, dnnl::memory::format_tag::ab);
    dnnl::memory::desc dst_md({n, p.num_hidden}, ToDnnl(a.out[0].dtype), dnnl::memory::format_tag::ab);
    dnnl::memory::desc w_user({p.num_hidden, k}, ToDnnl(a.in[1].dtype), dnnl::memory::format_tag::ab);
    bool const_w = a.constants[1] != nullptr;
    // A bfloat16 source (bfloat16 mode) needs bfloat16 weights, which are prepared at bind time.
    MXS_CHECK_CODE(const_w || a.in[0].dtype == a.in[1].dtype, kUnsupported)
        << "failed to plan " << what << ": computed weights must have the data's dtype";
    dnnl::memory::desc w_md = const_w ? dnnl::memory::desc({p.num_hidden, k}, dt, dnnl::memory::format_tag::any)
                                      : w_user;
    dnnl::memory::desc bias_md;
    if (!p.no_bias) bias_md = dnnl::memory::desc({p.num_hidden}, ToDnnl(a.in[2].dtype), dnnl::memory::format_tag::a);
    dnnl::primitive_attr attr = DefaultAttr();
    if (!fused.post_ops.empty()) {
      dnnl::post_ops post;
      for (const auto& op : fused.post_ops) post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
      attr.set_post_ops(post);
    }
    auto pd = dnnl::inner_product_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference,
                                                          src_md, w_md, bias_md, dst_md, attr);
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr});
    if (const_w) {
      const NDArray* w = a.constants[1];
      auto packed = a.weights->GetOrCreate(WeightKey(*w, pd.weights_desc()), [&] {
        return ReorderToBuffer(w->data->data(), w_user, pd.weights_desc());
      });
      args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 0, packed});
    } else {
      args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kInput, 1, nullptr});
    }
    if (!p.no_bias) args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kInput, 2, nullptr});
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<PrimitiveKernel>(what, dnnl::inner_product_forward(pd), pd, std::move(args));
    if (planned_src != src_md) kernel = StageInput(std::move(kernel), static_cast<int>(a.in.size()), planned_src, src_md);
    return kernel;
  });
}

namespace {

std::unique_ptr<Kernel> CreateFullyConnected(const KernelArgs& a) {
  return CreateFloatFullyConnected(a, FusedFullyConnectedParam::Of(a.param<FullyConnectedParam>()),
                                   "FullyConnected node '" + a.node.name + "'");
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, fully_connected) {
  r.Add("FullyConnected", cpu::CreateFullyConnected, Backend::kRowMajorOnly, Backend::kBf16Converting);
}

}  // namespace mxserve
