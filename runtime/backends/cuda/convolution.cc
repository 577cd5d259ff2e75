// SPDX-License-Identifier: Apache-2.0
// Convolution and float32 _sg_mkldnn_conv on cuDNN (groups, depthwise, dilation, 1-3 spatial
// dims), one kernel: the bias, a folded BatchNorm's weight scale and the fused post-ops of
// passes/fuse_conv.cc (activations, clip, residual sum) applied as an epilogue, and the fused
// depthwise stage of passes/fuse_depthwise.cc run as a second convolution on an intermediate in
// the scratchpad. A Convolution is the fused convolution with nothing fused. The convolution
// runs in its output's layout (NHWC where the planner stores the output channels-last); data or
// a residual stored in the other layout is converted into the scratchpad first.
#include "ops/convolution.h"
#include "ops/fused_convolution.h"

#include <memory>
#include <optional>

#include "backends/backend.h"
#include "backends/cuda/conv_stage.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"
#include "backends/layouts.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

size_t Align(size_t n) { return (n + 255) / 256 * 256; }

/// A parameter uploaded at bind time, or the input it came from when it is computed.
struct Operand {
  DeviceMemory uploaded;
  int input = -1;
  const void* Get(const RunArgs& args) const {
    return uploaded.data() != nullptr ? uploaded.data() : args.in[input];
  }
};

Operand WeightOperand(const KernelArgs& a, int input, DType dtype, const std::vector<float>& scale,
                      const std::string& scale_key, Layout layout, const std::string& what) {
  Operand o;
  o.input = input;
  const bool reorder =
      layout == Layout::kChannelsLast && !LayoutsCoincide(a.in[input].shape);
  // The planner has the parameter on the device already; only a transformed copy (a folded
  // BatchNorm's scale, float16, the NHWC filter order) is uploaded here.
  if (scale.empty() && a.in[input].dtype == dtype && !reorder) return o;
  MXS_CHECK_CODE(a.constants[input] != nullptr, kUnsupported)
      << "failed to plan " << what << ": a computed weight cannot be scaled, converted or "
      << "reordered";
  o.uploaded = UploadWeight(a, *a.constants[input], CurrentDevice(),
                            UploadSpec{dtype, scale, scale_key, reorder});
  return o;
}

/// The copy of input `input` from its layout into `layout`, or none when it is stored so.
std::optional<StridedCopy> ConversionOf(const KernelArgs& a, int input, Layout layout) {
  const TensorDesc& t = a.in[input];
  if (t.layout == layout) return std::nullopt;
  const auto [src, dst] = LayoutConversion(t.shape, t.layout, layout);
  return MakeStridedCopy(a, src, t.shape.Size(), dst, t.shape.Size());
}

Operand BiasOperand(const KernelArgs& a, int input, const std::string& what) {
  MXS_CHECK_CODE(a.in[input].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << what << ": the bias must be float32, not "
      << DTypeName(a.in[input].dtype);
  Operand o;
  o.input = input;
  return o;
}

class ConvolutionCuda final : public Kernel {
 public:
  ConvolutionCuda(const KernelArgs& a, const FusedConvolutionParam& p, const std::string& what) {
    const ConvolutionParam& c = p.conv;
    MXS_CHECK_CODE(!p.quantized && !p.with_bn, kUnsupported)
        << "failed to plan " << what << ": the CUDA backend runs float _sg_mkldnn_conv nodes without "
           "a subgraph BatchNorm only";
    dtype_ = a.in[0].dtype;
    const Layout layout = a.out[0].layout;
    MXS_CHECK_CODE(!(p.depthwise && p.has_sum()), kUnsupported)
        << "failed to plan " << what << ": a fused depthwise stage with a residual sum";
    weight_ = WeightOperand(a, 1, dtype_, p.weight_scale, p.weight_scale_key, layout, what);
    if (!c.no_bias) bias_ = BiasOperand(a, 2, what);
    if (p.has_sum()) residual_ = p.sum_input();
    in_convert_ = ConversionOf(a, 0, layout);
    if (residual_ >= 0) residual_convert_ = ConversionOf(a, residual_, layout);

    ConvStageSpec s;
    s.in = a.in[0].shape;
    s.weight = a.in[1].shape;
    s.dtype = dtype_;
    s.layout = layout;
    s.pad = c.pad;
    s.stride = c.stride;
    s.dilate = c.dilate;
    s.groups = c.num_group;
    s.epilogue = EpilogueOf(p.post_ops);
    sum_first_ = !p.post_ops.empty() && p.post_ops[0].kind == ConvPostOp::Kind::kSum;
    if (p.depthwise) {
      const DepthwiseStage& d = *p.depthwise;
      // The 1x1 stage's output: the same spatial extent arithmetic as any convolution.
      std::vector<int64_t> mid = {s.in[0], c.num_filter};
      for (size_t i = 0; i < c.kernel.size(); ++i)
        mid.push_back((s.in[2 + i] + 2 * c.pad[i] - c.dilate[i] * (c.kernel[i] - 1) - 1) /
                          c.stride[i] + 1);
      s.out = Shape(mid);
      mid_bytes_ = Align(ShapeBytes(s.out, DTypeSize(dtype_)));
      first_.emplace(s);
      const int dw = p.dw_weight_input();
      dw_weight_ =
          WeightOperand(a, dw, dtype_, d.weight_scale, d.weight_scale_key, layout, what);
      if (!d.no_bias) dw_bias_ = BiasOperand(a, dw + 1, what);
      ConvStageSpec t;
      t.in = s.out;
      t.weight = a.in[dw].shape;
      t.out = a.out[0].shape;
      t.dtype = dtype_;
      t.layout = layout;
      t.pad = {d.pad, d.pad};
      t.stride = {d.stride, d.stride};
      t.dilate = {1, 1};
      t.groups = c.num_filter;
      t.epilogue = EpilogueOf(d.post_ops);
      second_.emplace(t);
    } else {
      s.out = a.out[0].shape;
      first_.emplace(s);
    }
    workspace_ = Align(std::max(first_->workspace_bytes(),
                                second_ ? second_->workspace_bytes() : size_t{0}));
    out_bytes_ = a.out[0].nbytes();
    // A residual read after a later step than the first must survive the convolution writing
    // the output, so an aliased residual is copied aside first (converted, when its layout is
    // not the output's).
    if (residual_ >= 0 && !sum_first_) residual_copy_bytes_ = Align(out_bytes_);
    if (in_convert_) in_copy_bytes_ = Align(a.in[0].nbytes());
  }

  size_t ScratchpadBytes() const override {
    return workspace_ + mid_bytes_ + residual_copy_bytes_ + in_copy_bytes_;
  }

  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    char* scratch = static_cast<char*>(args.scratchpad);
    void* workspace = scratch;
    const size_t elem = DTypeSize(dtype_);
    const float* bias = bias_.input >= 0 ? static_cast<const float*>(bias_.Get(args)) : nullptr;
    const void* x = args.in[0];
    if (in_convert_) {
      void* converted = scratch + workspace_ + mid_bytes_ + residual_copy_bytes_;
      LaunchStridedCopy(*in_convert_, elem, x, converted, s.get());
      x = converted;
    }
    if (second_) {
      void* mid = scratch + workspace_;
      first_->Run(s, x, weight_.Get(args), bias, mid, nullptr, false, workspace);
      const float* dw_bias =
          dw_bias_.input >= 0 ? static_cast<const float*>(dw_bias_.Get(args)) : nullptr;
      second_->Run(s, mid, dw_weight_.Get(args), dw_bias, args.out[0], nullptr, false, workspace);
      return;
    }
    const void* residual = nullptr;
    bool accumulate = false;
    if (residual_ >= 0) {
      residual = args.in[residual_];
      if (sum_first_) {
        // cuDNN accumulates into the output, which must hold the residual first. (A residual
        // in another layout never shares the output's memory.)
        if (residual_convert_)
          LaunchStridedCopy(*residual_convert_, elem, residual, args.out[0], s.get());
        else if (residual != args.out[0])
          MXS_CUDA_CHECK(cudaMemcpyAsync(args.out[0], residual, out_bytes_,
                                         cudaMemcpyDeviceToDevice, s.get()));
        accumulate = true;
      } else if (residual_convert_ || residual == args.out[0]) {
        void* copy = scratch + workspace_ + mid_bytes_;
        if (residual_convert_)
          LaunchStridedCopy(*residual_convert_, elem, residual, copy, s.get());
        else
          MXS_CUDA_CHECK(
              cudaMemcpyAsync(copy, residual, out_bytes_, cudaMemcpyDeviceToDevice, s.get()));
        residual = copy;
      }
    }
    first_->Run(s, x, weight_.Get(args), bias, args.out[0], residual, accumulate, workspace);
  }

  bool ReadsInput(size_t i) const override {
    for (const Operand* o : {&weight_, &dw_weight_})
      if (o->input == static_cast<int>(i) && o->uploaded.data() != nullptr) return false;
    return true;
  }

  std::string Describe() const override {
    std::string d = first_->Describe();
    if (second_) d += "+dw:" + second_->Describe();
    if (residual_ >= 0) d += "+sum";
    if (in_convert_) d += "+layout_in";
    return d;
  }

 private:
  DType dtype_ = DType::kFloat32;
  Operand weight_, bias_, dw_weight_, dw_bias_;
  std::optional<ConvStage> first_, second_;
  int residual_ = -1;          ///< input index of the residual, or -1
  bool sum_first_ = false;     ///< the residual sum is the first post-op (cuDNN accumulates)
  /// Conversions of the data and of the residual into the output's layout, where theirs differs.
  std::optional<StridedCopy> in_convert_, residual_convert_;
  size_t workspace_ = 0, mid_bytes_ = 0, residual_copy_bytes_ = 0, in_copy_bytes_ = 0,
         out_bytes_ = 0;
};

std::unique_ptr<Kernel> CreateConvolution(const KernelArgs& a) {
  return std::make_unique<ConvolutionCuda>(a, FusedConvolutionParam::Of(a.param<ConvolutionParam>()),
                                           "Convolution node '" + a.node.name + "'");
}

std::unique_ptr<Kernel> CreateFusedConvolution(const KernelArgs& a) {
  return std::make_unique<ConvolutionCuda>(a, a.param<FusedConvolutionParam>(), NodeDesc(a.node));
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, convolution) {
  r.Add("Convolution", cuda::Adapted(cuda::CreateConvolution), Backend::kAnyLayout,
        cuda::kReducedConverting);
  r.Add("_sg_mkldnn_conv", cuda::Adapted(cuda::CreateFusedConvolution), Backend::kAnyLayout,
        cuda::kReducedConverting);
}

}  // namespace mxserve
