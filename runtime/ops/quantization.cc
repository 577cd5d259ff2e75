// SPDX-License-Identifier: Apache-2.0
// The registry of quantized operators, the quantized extents and the calibrated-range attributes
// shared by every quantized operator.
#include "ops/quantization.h"

#include <map>

#include "base/error.h"

namespace mxserve {

float QuantizedExtent(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return 127.f;
    case DType::kUint8: return 0.f;
    case DType::kInt32: return static_cast<float>(std::numeric_limits<int32_t>::max());
    default: MXS_THROW(kInternal) << "no quantized extent for " << DTypeName(dtype);
  }
}

CalibRange CalibRange::Parse(AttrReader& r) {
  CalibRange c;
  if (auto v = r.OptFloat("min_calib_range")) c.min = static_cast<float>(*v);
  if (auto v = r.OptFloat("max_calib_range")) c.max = static_cast<float>(*v);
  MXS_CHECK(c.min.has_value() == c.max.has_value())
      << "min_calib_range and max_calib_range must be given together";
  MXS_CHECK(!c.min || *c.min <= *c.max)
      << "min_calib_range " << *c.min << " exceeds max_calib_range " << *c.max;
  return c;
}

std::vector<int> InputRange(int first, int last) {
  std::vector<int> idx;
  for (int i = first; i < last; ++i) idx.push_back(i);
  return idx;
}

namespace {

std::map<std::string, QuantizedOpInfo>& QuantizedOps() {
  static std::map<std::string, QuantizedOpInfo> ops;
  return ops;
}

}  // namespace

const QuantizedOpInfo* FindQuantizedOp(const std::string& op) {
  auto it = QuantizedOps().find(op);
  return it == QuantizedOps().end() ? nullptr : &it->second;
}

void RegisterQuantizedOp(const std::string& op, QuantizedOpInfo info) { QuantizedOps()[op] = info; }

}  // namespace mxserve
