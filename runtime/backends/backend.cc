// SPDX-License-Identifier: Apache-2.0
#include "backends/backend.h"

#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {

DTypeHandling PrecisionSupport::For(DType d) const {
  switch (d) {
    case DType::kBfloat16:
      return bfloat16;
    case DType::kFloat16:
      return float16;
    case DType::kInt8:
    case DType::kUint8:
      return int8;
    default:
      return DTypeHandling::kNone;
  }
}

const KernelRecord* Backend::Find(const std::string& op) const {
  auto it = kernels_.find(op);
  return it == kernels_.end() ? nullptr : &it->second;
}

Backend::LayoutSupport Backend::layout_support(const std::string& op) const {
  const KernelRecord* r = Find(op);
  return r == nullptr ? kRowMajorOnly : r->layouts;
}

PrecisionSupport Backend::precision_support(const std::string& op) const {
  const KernelRecord* r = Find(op);
  return r == nullptr ? kFloat32Only : r->precision;
}

std::unique_ptr<Kernel> Backend::CreateKernel(const KernelArgs& args) const {
  const std::string& op = args.node.def->name();
  const KernelRecord* r = Find(op);
  MXS_CHECK_CODE(r != nullptr, kUnsupported) << "failed to plan " << op << " node '"
                                             << args.node.name << "': no kernel for "
                                             << device_name();
  return r->factory(args);
}

void Backend::Add(const std::string& op, KernelFactory factory, LayoutSupport layouts,
                  PrecisionSupport precision) {
  KernelRecord record{std::move(factory), layouts, precision};
  MXS_CHECK_CODE(kernels_.emplace(op, std::move(record)).second, kInternal)
      << "kernel for " << op << " registered twice on " << device_name();
}

}  // namespace mxserve
