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

std::vector<std::string> Backend::kernel_names() const {
  std::vector<std::string> names;
  for (const auto& [op, record] : kernels_) names.push_back(op);
  return names;
}

std::unique_ptr<Kernel> Backend::CreateKernel(const KernelArgs& args) const {
  const std::string& op = args.node.def->name();
  const KernelRecord* r = Find(op);
  MXS_CHECK_CODE(r != nullptr, kUnsupported) << "failed to plan " << op << " node '"
                                             << args.node.name << "': no kernel for "
                                             << device_name();
  for (size_t i = 0; i < args.in.size(); ++i) {
    const DType d = args.in[i].dtype;
    const DTypeSet accepted = r->dtypes.For(i);
    if (accepted.Has(d)) continue;
    // An activation the precision pass stored in the reduced compute dtype.
    if (d == args.compute_dtype && r->precision.For(d) != DTypeHandling::kNone) continue;
    MXS_THROW(kUnsupported) << "failed to plan " << op << " node '" << args.node.name
                            << "': input " << i << ": dtype " << DTypeName(d)
                            << " is not supported; the " << device_name() << " kernel of " << op
                            << " reads " << accepted.ToString();
  }
  return r->factory(args);
}

KernelRecord& Backend::Add(const std::string& op, KernelFactory factory, LayoutSupport layouts,
                           PrecisionSupport precision) {
  KernelRecord record{std::move(factory), layouts, precision, {}};
  auto [it, added] = kernels_.emplace(op, std::move(record));
  MXS_CHECK_CODE(added, kInternal) << "kernel for " << op << " registered twice on "
                                   << device_name();
  return it->second;
}

}  // namespace mxserve
