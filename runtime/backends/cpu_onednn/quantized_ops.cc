// SPDX-License-Identifier: Apache-2.0
// Quantized pooling (the Pooling kernel on int8/uint8 data, as MXNet runs oneDNN's pooling),
// flatten (a copy) and concat (inputs whose scale differs from the output's are rescaled with
// round-half-even and saturation, as MXNet's reorders do), each writing its range outputs.
#include "ops/quantized_ops.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/backend_table.h"
#include "backends/cpu_onednn/quantized_common.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateQuantizedPooling(const KernelArgs& a) {
  const auto& p = a.param<QuantizedPoolingParam>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  auto node = std::make_unique<Node>(a.node);
  node->op = "Pooling";
  node->def = OpRegistry::Global().Find("Pooling");
  node->param = std::make_shared<PoolingParam>(p.pool);
  node->inputs.resize(1);
  node->num_outputs = 1;
  KernelArgs inner{*node, {a.in[0]}, {a.out[0]}, {nullptr}, a.weights, DType::kFloat32};
  auto kernel = HostBackend().CreateKernel(inner);
  return std::make_unique<RangeOutputKernel>(std::move(kernel), p.ranges, DType::kFloat32, std::move(node));
}

class CopyWithRanges final : public Kernel {
 public:
  CopyWithRanges(size_t bytes, QuantRanges ranges) : bytes_(bytes), ranges_(std::move(ranges)) {}
  void Run(const RunArgs& args) const override {
    if (args.out[0] != args.in[0]) std::memcpy(args.out[0], args.in[0], bytes_);
    WriteRangeOutputs(args, ranges_);
  }
  std::string Describe() const override { return "ref:copy"; }

 private:
  size_t bytes_;
  QuantRanges ranges_;
};

std::unique_ptr<Kernel> CreateQuantizedFlatten(const KernelArgs& a) {
  const auto& p = a.param<QuantizedFlattenParam>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  return std::make_unique<CopyWithRanges>(a.in[0].nbytes(), p.ranges);
}

/// Concatenation of int8/uint8 inputs sharing one physical layout, as `outer` rows of chunks.
class QuantizedConcat final : public Kernel {
 public:
  struct Part {
    int64_t chunk;   ///< elements per row of this input
    float scale;     ///< output scale / input scale; 1 when copied as is
    bool copy;       ///< same scale (and dtype): bytes copied
    bool is_signed;  ///< int8 input
  };
  QuantizedConcat(std::vector<Part> parts, int64_t outer, bool out_signed, QuantRanges ranges)
      : parts_(std::move(parts)), outer_(outer), out_signed_(out_signed), ranges_(std::move(ranges)) {
    for (const Part& p : parts_) row_ += p.chunk;
  }
  void Run(const RunArgs& args) const override {
    uint8_t* out = static_cast<uint8_t*>(args.out[0]);
    int64_t offset = 0;
    for (size_t i = 0; i < parts_.size(); ++i) {
      const Part& p = parts_[i];
      const uint8_t* in = static_cast<const uint8_t*>(args.in[i]);
#pragma omp parallel for
      for (int64_t o = 0; o < outer_; ++o) {
        const uint8_t* src = in + o * p.chunk;
        uint8_t* dst = out + o * row_ + offset;
        if (p.copy) {
          std::memcpy(dst, src, p.chunk);
          continue;
        }
        for (int64_t k = 0; k < p.chunk; ++k) {
          const float v = (p.is_signed ? static_cast<float>(static_cast<int8_t>(src[k])) : src[k]) * p.scale;
          if (out_signed_) {
            dst[k] = static_cast<uint8_t>(SaturateRound<int8_t>(v));
          } else {
            dst[k] = SaturateRound<uint8_t>(v);
          }
        }
      }
      offset += p.chunk;
    }
    WriteRangeOutputs(args, ranges_);
  }
  std::string Describe() const override { return "ref:quantized_concat"; }

 private:
  std::vector<Part> parts_;
  int64_t outer_;
  int64_t row_ = 0;
  bool out_signed_;
  QuantRanges ranges_;
};

std::unique_ptr<Kernel> CreateQuantizedConcat(const KernelArgs& a) {
  const auto& p = a.param<QuantizedConcatParam>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  const int n = p.concat.num_args;
  const Shape& out = a.out[0].shape;
  const int nd = out.ndim();
  int axis = p.concat.dim < 0 ? p.concat.dim + nd : p.concat.dim;
  // Physical dimension order: logical, or N, spatial..., C for channels-last.
  std::vector<int> order(nd);
  for (int d = 0; d < nd; ++d) order[d] = d;
  if (a.out[0].layout == Layout::kChannelsLast) {
    order.clear();
    order.push_back(0);
    for (int d = 2; d < nd; ++d) order.push_back(d);
    order.push_back(1);
  }
  int pos = 0;
  while (order[pos] != axis) ++pos;
  int64_t outer = 1;
  for (int k = 0; k < pos; ++k) outer *= out[order[k]];
  const float out_scale = QuantizeScale(a.out[0].dtype, p.ranges.out_min, p.ranges.out_max);
  std::vector<QuantizedConcat::Part> parts;
  for (int i = 0; i < n; ++i) {
    MXS_CHECK_CODE(a.in[i].layout == a.out[0].layout, kInternal) << "quantized concat inputs differ in layout";
    int64_t chunk = 1;
    for (int k = pos; k < nd; ++k) chunk *= a.in[i].shape[order[k]];
    const float in_scale = QuantizeScale(a.in[i].dtype, p.ranges.in[2 * i], p.ranges.in[2 * i + 1]);
    const bool copy = in_scale == out_scale && a.in[i].dtype == a.out[0].dtype;
    parts.push_back({chunk, out_scale / in_scale, copy, a.in[i].dtype == DType::kInt8});
  }
  return std::make_unique<QuantizedConcat>(std::move(parts), outer, a.out[0].dtype == DType::kInt8, p.ranges);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, quantized_ops) {
  r.Add("_contrib_quantized_pooling", cpu::CreateQuantizedPooling, Backend::kAnyLayout)
      .DTypes(dtypes::kQuantized);
  r.Add("_contrib_quantized_flatten", cpu::CreateQuantizedFlatten, Backend::kRowMajorOnly)
      .DTypes(dtypes::kQuantized);
  r.Add("_contrib_quantized_concat", cpu::CreateQuantizedConcat, Backend::kSameLayout)
      .DTypes(dtypes::kQuantized);
}

}  // namespace mxserve
