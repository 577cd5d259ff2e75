// SPDX-License-Identifier: Apache-2.0
#include "backends/backend.h"

#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {

std::unique_ptr<Kernel> Backend::CreateKernel(const KernelArgs& args) const {
  const std::string& op = args.node.def->name();
  auto it = factories_.find(op);
  MXS_CHECK_CODE(it != factories_.end(), kUnsupported)
      << "failed to plan " << op << " node '" << args.node.name << "': no kernel for " << device();
  return it->second(args);
}

void Backend::Add(const std::string& op, KernelFactory factory, LayoutSupport layouts,
                  PrecisionSupport precision) {
  layouts_[op] = layouts;
  precisions_[op] = precision;
  MXS_CHECK_CODE(factories_.emplace(op, std::move(factory)).second, kInternal)
      << "kernel for " << op << " registered twice on " << device();
}

}  // namespace mxserve
