// SPDX-License-Identifier: Apache-2.0
// BatchNorm at inference: out = (data - moving_mean) / sqrt(moving_var + eps) * gamma + beta
// along the channel axis. Inputs data, gamma, beta, moving_mean, moving_var (the last two are
// aux states). MXNet always declares three outputs (out, mean, var) but shows only the first
// unless output_mean_var; at inference the extra outputs are moving_mean and 1/sqrt(var + eps).
#include "ops/batch_norm.h"

#include <type_traits>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

BatchNormParam BatchNormParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BatchNormParam p;
  p.eps = r.Float("eps", 1e-3);
  MXS_CHECK(p.eps > 0) << "eps must be positive, got " << p.eps;
  p.fix_gamma = r.Bool("fix_gamma", true);
  p.output_mean_var = r.Bool("output_mean_var", false);
  p.axis = static_cast<int>(r.Int("axis", 1));
  // Inference always normalises with the moving statistics, so the training switches and the
  // quantization calibration ranges (used only by the quantized operator) change nothing here.
  r.Ignore({"momentum", "use_global_stats", "cudnn_off", "min_calib_range", "max_calib_range"});
  r.Finish();
  return p;
}

// Kernels read a SyncBatchNormParam through a BatchNormParam pointer.
static_assert(std::is_standard_layout_v<SyncBatchNormParam>);

SyncBatchNormParam SyncBatchNormParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SyncBatchNormParam p;
  p.eps = r.Float("eps", 1e-3);
  MXS_CHECK(p.eps > 0) << "eps must be positive, got " << p.eps;
  p.fix_gamma = r.Bool("fix_gamma", true);
  p.output_mean_var = r.Bool("output_mean_var", false);
  // MXNet leaves the mean and var outputs unwritten at inference.
  MXS_CHECK_CODE(!p.output_mean_var, kUnsupported)
      << "output_mean_var is not supported: MXNet does not compute those outputs at inference";
  p.axis = 1;
  // ndev and key (required by MXNet) name the devices that share batch statistics in training.
  r.String("key");
  r.Ignore({"momentum", "use_global_stats", "ndev"});
  r.Finish();
  return p;
}

namespace {

void InferShape(const BatchNormParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  const int axis = NormalizeAxis(p.axis, data.ndim());
  Shape c{data[axis]};
  static const char* const kNames[] = {"", "gamma", "beta", "moving_mean", "moving_var"};
  for (int i = 1; i < 5; ++i) {
    MXS_CHECK(!in[i].known() || in[i] == c)
        << kNames[i] << " has shape " << in[i].ToString() << ", expected " << c.ToString();
    in[i] = c;
  }
  out[0] = data;
  for (size_t i = 1; i < out.size(); ++i) out[i] = c;
}

/// MXNet keeps the statistics in float32 when data is half precision.
void InferType(const BatchNormParam&, std::vector<DType>& in, std::vector<DType>& out) {
  DType t = in[0] != DType::kUnknown ? in[0] : out[0];
  if (t == DType::kUnknown) return;
  DType stat = (t == DType::kFloat16 || t == DType::kBfloat16) ? DType::kFloat32 : t;
  in[0] = t;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i] == DType::kUnknown) in[i] = stat;
    MXS_CHECK(in[i] == stat) << "input " << i << " has dtype " << DTypeName(in[i]) << ", expected "
                             << DTypeName(stat);
  }
  out[0] = t;
  for (size_t i = 1; i < out.size(); ++i) out[i] = stat;
}

template <typename P = BatchNormParam>
void AddBatchNorm(OpRegistry& r, const char* name, std::vector<std::string> aliases) {
  r.Add(name)
      .Aliases(std::move(aliases))
      .Param<P>()
      .NumInputs(5)
      .template NumOutputs<BatchNormParam>(
          [](const BatchNormParam& p) { return p.output_mean_var ? 3 : 1; })
      .InputNames({"data", "gamma", "beta", "moving_mean", "moving_var"})
      .AuxInputs({3, 4})
      .InferShape(InferShape)
      .InferType(InferType)
      .Inplace({{0, 0}});
}

}  // namespace

MXS_REGISTER_OPS(batch_norm) {
  AddBatchNorm(r, "BatchNorm", {"_npx_batch_norm"});
  // The pre-1.0 operator: same attributes minus axis (always 1) and the same inference result.
  AddBatchNorm(r, "BatchNorm_v1", {});
  AddBatchNorm<SyncBatchNormParam>(r, "_contrib_SyncBatchNorm", {});
}

}  // namespace mxserve
