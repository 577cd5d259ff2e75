// SPDX-License-Identifier: Apache-2.0
// Pooling over the spatial dims of channels-first data (N, C, *spatial), 1-D to 3-D. Output size
// per dim, with x = in + 2*pad - kernel: valid = x / stride + 1 (floor), full = ceil(x / stride)
// + 1; same (1-D only, no pad) = ceil(in / stride); global pooling gives 1.
#include "ops/pooling.h"

#include <optional>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

PoolingParam PoolingParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  PoolingParam p;
  p.global_pool = r.Bool("global_pool", false);
  p.kernel = r.Tuple("kernel", {});
  size_t nd = p.kernel.size();
  MXS_CHECK(p.global_pool || (nd >= 1 && nd <= 3))
      << "kernel must have 1 to 3 dimensions, got " << nd;
  p.stride = r.Tuple("stride", {});
  p.pad = r.Tuple("pad", {});
  p.pool_type = r.Enum("pool_type", "max", {"max", "avg", "sum", "lp"});
  p.convention = r.Enum("pooling_convention", "valid", {"valid", "full", "same"});
  if (p.convention == "same" && !p.global_pool) {
    // MXNet 1.9.1 indexes pad[0..2] for 'same', so a 1-D 'same' node carries pad=(0, 0, 0).
    for (int64_t v : p.pad) MXS_CHECK(v == 0) << "the 'same' pooling convention does not take pad";
    p.pad.clear();
  }
  if (p.stride.empty()) p.stride.assign(nd, 1);
  if (p.pad.empty()) p.pad.assign(nd, 0);
  if (!p.global_pool) {
    MXS_CHECK(p.stride.size() == nd && p.pad.size() == nd)
        << "kernel, stride and pad must have the same length";
    for (size_t i = 0; i < nd; ++i) {
      MXS_CHECK(p.kernel[i] > 0 && p.stride[i] > 0 && p.pad[i] >= 0)
          << "kernel and stride must be positive and pad non-negative";
    }
  }
  p.count_include_pad = r.Has("count_include_pad") && r.String("count_include_pad") == "None"
                            ? true
                            : r.Bool("count_include_pad", true);
  std::optional<int64_t> pv = r.OptInt("p_value");
  if (p.pool_type == "lp") {
    MXS_CHECK(pv.has_value()) << "p_value is required for lp pooling";
    MXS_CHECK(*pv >= 1 && *pv <= 3) << "p_value must be 1, 2 or 3, got " << *pv;
    p.p_value = static_cast<int>(*pv);
  }
  std::string layout = r.String("layout", "None");
  MXS_CHECK_CODE(layout == "None" || layout == "NCW" || layout == "NCHW" || layout == "NCDHW", kUnsupported)
      << "layout " << layout << " is not supported (channels-first only)";
  // MXNet 2.0 writes output_size (used only by adaptive pooling) as None on every Pooling node.
  MXS_CHECK_CODE(!r.OptTuple("output_size").has_value(), kUnsupported)
      << "output_size (adaptive pooling) is not supported";
  r.Ignore({"cudnn_off"});
  r.Finish();
  return p;
}

void PoolingWindow(const PoolingParam& p, const Shape& shape, std::vector<int64_t>& kernel,
                   std::vector<int64_t>& stride, std::vector<int64_t>& pad) {
  int nd = shape.ndim() - 2;
  if (p.global_pool) {
    kernel.assign(shape.dims().begin() + 2, shape.dims().end());
    stride.assign(nd, 1);
    pad.assign(nd, 0);
  } else {
    kernel = p.kernel;
    stride = p.stride;
    pad = p.pad;
  }
}

namespace {

void InferShape(const PoolingParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known()) << "data shape is unknown";
  MXS_CHECK(data.ndim() >= 3 && data.ndim() <= 5)
      << "data must be 3-D, 4-D or 5-D (N, C, *spatial), got " << data.ToString();
  int nd = data.ndim() - 2;
  std::vector<int64_t> o{data[0], data[1]};
  if (p.global_pool) {
    o.resize(data.ndim(), 1);
    out[0] = Shape(o);
    return;
  }
  MXS_CHECK(static_cast<int>(p.kernel.size()) == nd)
      << "data must have " << p.kernel.size() + 2 << " dimensions for a " << p.kernel.size()
      << "-D kernel, got " << data.ToString();
  if (p.convention == "same") {
    MXS_CHECK(nd == 1) << "the 'same' pooling convention supports 1-D pooling only";
  }
  for (int i = 0; i < nd; ++i) {
    int64_t in_padded = data[2 + i] + 2 * p.pad[i];
    MXS_CHECK(p.kernel[i] <= in_padded) << "kernel size " << p.kernel[i] << " exceeds input "
                                         << data[2 + i] << " padded to " << in_padded;
    int64_t x = in_padded - p.kernel[i];
    if (p.convention == "valid") {
      o.push_back(x / p.stride[i] + 1);
    } else if (p.convention == "full") {
      o.push_back((x + p.stride[i] - 1) / p.stride[i] + 1);
    } else {
      o.push_back((in_padded + p.stride[i] - 1) / p.stride[i]);
    }
  }
  out[0] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(pooling) {
  r.Add("Pooling")
      .Aliases({"_npx_pooling"})
      .Param<PoolingParam>()
      .NumInputs(1)
      .InferShape(InferShape);
}

}  // namespace mxserve
