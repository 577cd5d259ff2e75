// SPDX-License-Identifier: Apache-2.0
// Deconvolution on cuDNN: the transposed convolution is the data gradient of the convolution
// whose filter is the deconvolution's weight (MXNet's (C_in, C_out/G, k...) order is cuDNN's
// (K, C/G, k...)), so cudnnConvolutionBackwardData maps the data (the "dy") to the output (the
// "dx") with the pad, stride, dilation and groups the op resolves (pad and adj from
// target_shape). The adj rows at the end come from the larger output, which the convolution's
// floor-rounded size arithmetic maps back onto the input. The algorithm is found once per
// shape at bind time and cached process-wide; float32 data uses exact FMA math (no TF32),
// float16 and bfloat16 data tensor cores. The workspace lives in the scratchpad; the bias is
// added by the element-wise epilogue kernel.
#include "backends/cuda/deconvolution.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/cudnn_desc.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/eltwise.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

size_t Align(size_t n) { return (n + 255) / 256 * 256; }

/// The resolved geometry of one deconvolution.
using DeconvSpec = ConvGeometry;

/// The deconvolution's weight on the device in the data dtype: the bound input as it is, or a
/// converted copy uploaded at bind time.
struct WeightOperand {
  DeviceMemory uploaded;
  const void* Get(const RunArgs& args) const {
    return uploaded.data() != nullptr ? uploaded.data() : args.in[1];
  }
};

class DeconvolutionCuda final : public Kernel {
 public:
  DeconvolutionCuda(const DeconvSpec& spec, bool has_bias, WeightOperand weight)
      : spec_(spec),
        has_bias_(has_bias),
        weight_(std::move(weight)),
        dy_(spec.in, spec.dtype),
        dx_(spec.out, spec.dtype),
        w_(spec.weight, spec.dtype),
        conv_(spec.pad, spec.stride, spec.dilate, spec.groups, ConvMathFor(spec.dtype)) {
    channels_ = spec.out[1];
    inner_ = ShapeProduct(spec.out, 2, spec.out.ndim());
    const auto choice =
        CachedAlgorithm<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT>(
            spec, "deconvolution (backward data)",
            [&](cudnnHandle_t h, int count, int* found, auto* perf) {
              return cudnnFindConvolutionBackwardDataAlgorithm(h, w_.get(), dy_.get(), conv_.get(),
                                                               dx_.get(), count, found, perf);
            });
    algo_ = choice.algo;
    workspace_ = choice.workspace;
    MXS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_.get(), choice.math));
  }

  size_t ScratchpadBytes() const override { return Align(workspace_); }

  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    const float one = 1.f, zero = 0.f;
    MXS_CUDNN_CHECK(cudnnConvolutionBackwardData(s.cudnn(), &one, w_.get(), weight_.Get(args),
                                                 dy_.get(), args.in[0], conv_.get(), algo_,
                                                 args.scratchpad, workspace_, &zero, dx_.get(),
                                                 args.out[0]));
    if (!has_bias_) return;
    AffineEltwiseArgs e;
    e.dtype = spec_.dtype;
    e.x = args.out[0];
    e.y = args.out[0];
    e.n = spec_.out.Size();
    e.channels = channels_;
    e.inner = inner_;
    e.shift = static_cast<const float*>(args.in[2]);
    AffineEltwise(e, s.get());
  }

  std::string Describe() const override {
    return "cuda:deconvolution:cudnn_bwd_data_algo" + std::to_string(static_cast<int>(algo_));
  }
  bool ReadsInput(size_t i) const override { return i != 1 || weight_.uploaded.data() == nullptr; }

 private:
  DeconvSpec spec_;
  bool has_bias_;
  WeightOperand weight_;
  TensorDescriptor dy_, dx_;
  FilterDescriptor w_;
  ConvolutionDescriptor conv_;
  cudnnConvolutionBwdDataAlgo_t algo_ = CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
  size_t workspace_ = 0;
  int64_t channels_ = 0, inner_ = 0;  ///< output channel count and spatial size
};

}  // namespace

std::unique_ptr<Kernel> CreateDeconvolutionKernel(const KernelArgs& a,
                                                  const DeconvolutionParam& p) {
  const std::string what = NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  const bool float_data = t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16;
  MXS_CHECK_CODE(float_data && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << what << ": the CUDA kernel takes float32, float16 or bfloat16 "
      << "data with the same output dtype";
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor && a.out[0].layout == Layout::kRowMajor,
                 kUnsupported)
      << "failed to plan " << what << ": the CUDA backend takes row-major (NCHW) data";
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  const int nd = static_cast<int>(p.kernel.size());
  MXS_CHECK_CODE(in.ndim() == nd + 2 && out.ndim() == nd + 2, kInternal)
      << "failed to plan " << what << ": shapes " << in.ToString() << " -> " << out.ToString();
  MXS_CHECK_CODE(in.Size() > 0 && out.Size() > 0, kUnsupported)
      << "failed to plan " << what << ": an empty tensor";

  DeconvSpec s;
  s.in = in;
  s.weight = a.in[1].shape;
  s.out = out;
  s.dtype = t;
  s.stride = p.stride;
  s.dilate = p.dilate;
  s.groups = p.num_group;
  std::vector<int64_t> spatial(in.dims().begin() + 2, in.dims().end()), adj;
  p.InferPad(spatial, s.pad, adj);
  // The convolution that maps the output back onto the input must give the input's size: true
  // for every adj below the stride (the op's shape check), verified here for cuDNN's sake.
  for (int i = 0; i < nd; ++i) {
    const int64_t span = out[2 + i] + 2 * s.pad[i] - s.dilate[i] * (p.kernel[i] - 1) - 1;
    MXS_CHECK_CODE(span >= 0 && span / s.stride[i] + 1 == in[2 + i], kUnsupported)
        << "failed to plan " << what << ": output " << out.ToString() << " does not map back "
        << "onto input " << in.ToString() << " in spatial dimension " << i;
  }
  MXS_CHECK_CODE(in[1] == s.weight[0] && out[1] == s.weight[1] * s.groups, kInternal)
      << "failed to plan " << what << ": weight " << s.weight.ToString() << " for data "
      << in.ToString() << " and output " << out.ToString();

  WeightOperand w;
  if (a.in[1].dtype != t) {
    MXS_CHECK_CODE((t == DType::kFloat16 || t == DType::kBfloat16) &&
                       a.in[1].dtype == DType::kFloat32 && a.constants[1] != nullptr,
                   kUnsupported)
        << "failed to plan " << what << ": a " << DTypeName(a.in[1].dtype) << " weight for "
        << DTypeName(t) << " data (only a float32 parameter converts, to float16 or bfloat16)";
    w.uploaded = UploadWeight(a, *a.constants[1], CurrentDevice(), UploadSpec{t, {}, {}});
  }
  const bool has_bias = !p.no_bias;
  if (has_bias) {
    MXS_CHECK_CODE(a.in[2].dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << what << ": the bias must be float32, not "
        << DTypeName(a.in[2].dtype);
  }
  return std::make_unique<DeconvolutionCuda>(s, has_bias, std::move(w));
}

namespace {

std::unique_ptr<Kernel> CreateDeconvolution(const KernelArgs& a) {
  return CreateDeconvolutionKernel(a, a.param<DeconvolutionParam>());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, deconvolution) {
  r.Add("Deconvolution", cuda::Adapted(cuda::CreateDeconvolution), Backend::kRowMajorOnly,
        cuda::kReducedConverting);
}

}  // namespace mxserve
