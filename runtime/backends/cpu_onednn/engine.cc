// SPDX-License-Identifier: Apache-2.0
#include "backends/cpu_onednn/engine.h"

#include <cstring>
#include <map>

#include "base/error.h"

namespace mxserve {

namespace cpu {

const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::data_type ToDnnl(DType dtype) {
  using dt = dnnl::memory::data_type;
  switch (dtype) {
    case DType::kFloat32:
      return dt::f32;
    case DType::kFloat16:
      return dt::f16;
    case DType::kBfloat16:
      return dt::bf16;
    case DType::kInt32:
      return dt::s32;
    case DType::kInt8:
      return dt::s8;
    case DType::kUint8:
    case DType::kBool:
      return dt::u8;
    case DType::kFloat64:
      return dt::f64;
    default:
      MXS_THROW(kUnsupported) << "dtype " << DTypeName(dtype) << " has no oneDNN equivalent";
  }
}

dnnl::memory::dims ToDims(const Shape& shape) {
  return dnnl::memory::dims(shape.dims().begin(), shape.dims().end());
}

dnnl::memory::format_tag PlainTag(int ndim, Layout layout) {
  using tag = dnnl::memory::format_tag;
  if (layout == Layout::kChannelsLast) {
    switch (ndim) {
      case 3:
        return tag::acb;
      case 4:
        return tag::acdb;
      case 5:
        return tag::acdeb;
      default:
        break;
    }
  }
  switch (ndim) {
    case 0:
    case 1:
      return tag::a;
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    case 5:
      return tag::abcde;
    case 6:
      return tag::abcdef;
    default:
      MXS_THROW(kUnsupported) << "tensors of " << ndim << " dimensions are not supported by oneDNN";
  }
}

dnnl::memory::desc ToMemDesc(const Shape& shape, DType dtype, Layout layout) {
  if (shape.ndim() == 0) return dnnl::memory::desc({1}, ToDnnl(dtype), dnnl::memory::format_tag::a);
  return dnnl::memory::desc(ToDims(shape), ToDnnl(dtype), PlainTag(shape.ndim(), layout));
}

TensorDesc SinglePositionAs(const TensorDesc& t, Layout layout) {
  TensorDesc out = t;
  if (t.shape.ndim() >= 3 && ShapeProduct(t.shape, 2, t.shape.ndim()) == 1) out.layout = layout;
  return out;
}

dnnl::memory::desc ToMemDesc(const TensorDesc& t) { return ToMemDesc(t.shape, t.dtype, t.layout); }

Buffer CopyToBuffer(const void* src, size_t bytes) {
  Buffer out(bytes);
  std::memcpy(out.data(), src, bytes);
  return out;
}

Buffer ReorderToBuffer(const void* src, const dnnl::memory::desc& src_md,
                       const dnnl::memory::desc& dst_md) {
  Buffer out(dst_md.get_size());
  if (src_md == dst_md) {
    std::memcpy(out.data(), src, dst_md.get_size());
    return out;
  }
  CallOneDnn("reorder weights", [&] {
    dnnl::memory s(src_md, Engine(), const_cast<void*>(src));
    dnnl::memory d(dst_md, Engine(), out.data());
    dnnl::stream stream(Engine());
    dnnl::reorder(s, d).execute(stream, s, d);
    stream.wait();
  });
  return out;
}

std::string WeightKey(const NDArray& w, const dnnl::memory::desc& md) {
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(w.data.get()));
  key += ":t" + std::to_string(static_cast<int>(md.get_data_type()));
  key += ":d";
  for (auto d : md.get_dims()) key += std::to_string(d) + ",";
  key += ":s";
  for (auto d : md.get_strides()) key += std::to_string(d) + ",";
  key += ":b";
  for (auto d : md.get_inner_blks()) key += std::to_string(d) + ",";
  key += ":i";
  for (auto d : md.get_inner_idxs()) key += std::to_string(d) + ",";
  return key;
}

dnnl::algorithm EltwiseAlgorithm(const std::string& name) {
  using alg = dnnl::algorithm;
  static const std::map<std::string, alg> kTable = {
      {"relu", alg::eltwise_relu},         {"logistic", alg::eltwise_logistic},
      {"tanh", alg::eltwise_tanh},         {"soft_relu", alg::eltwise_soft_relu},
      {"clip", alg::eltwise_clip},         {"elu", alg::eltwise_elu},
      {"gelu_erf", alg::eltwise_gelu_erf}, {"swish", alg::eltwise_swish},
      {"mish", alg::eltwise_mish},         {"abs", alg::eltwise_abs},
  };
  auto it = kTable.find(name);
  MXS_CHECK_CODE(it != kTable.end(), kUnsupported) << "no oneDNN eltwise algorithm '" << name << "'";
  return it->second;
}

dnnl::primitive_attr DefaultAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

}  // namespace cpu
}  // namespace mxserve
