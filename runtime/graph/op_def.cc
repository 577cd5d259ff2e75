// SPDX-License-Identifier: Apache-2.0
#include "graph/op_def.h"

#include "base/error.h"

namespace mxserve {

std::shared_ptr<const void> OpDef::Parse(const AttrMap& attrs) const {
  if (!parse_) {
    MXS_CHECK(attrs.empty()) << "operator " << name_ << " takes no attributes, got '"
                             << attrs.begin()->first << "'";
    return nullptr;
  }
  return parse_(attrs);
}

std::vector<std::string> OpDef::InputNames(const void* param) const {
  if (input_names_) return input_names_(param);
  int n = NumInputs(param);
  if (n == 1) return {"data"};
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("arg" + std::to_string(i));
  return names;
}

void OpDef::InferType(const void* param, std::vector<DType>& in, std::vector<DType>& out) const {
  if (type_fn_) {
    type_fn_(param, in, out);
  } else {
    InferTypeSame(in, out);
  }
}

void InferTypeSame(std::vector<DType>& in, std::vector<DType>& out) {
  DType t = DType::kUnknown;
  for (DType d : in)
    if (d != DType::kUnknown) {
      t = d;
      break;
    }
  if (t == DType::kUnknown)
    for (DType d : out)
      if (d != DType::kUnknown) {
        t = d;
        break;
      }
  if (t == DType::kUnknown) return;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == DType::kUnknown) in[i] = t;
    MXS_CHECK(in[i] == t) << "input " << i << " has dtype " << DTypeName(in[i]) << ", expected "
                          << DTypeName(t);
  }
  for (auto& d : out) {
    if (d == DType::kUnknown) d = t;
    MXS_CHECK(d == t) << "output dtype " << DTypeName(d) << " differs from input dtype "
                      << DTypeName(t);
  }
}

}  // namespace mxserve
