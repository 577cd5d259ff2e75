// SPDX-License-Identifier: Apache-2.0
// The kernel catalogue: which operators each backend of the source tree has a kernel for,
// whether or not this build compiles that backend. runtime/CMakeLists.txt reads the names from
// the r.Add lines of backends/<dir>/<op>.{cc,cu} into kernel_catalogue.inc, so a CPU-only build
// still documents the CUDA kernels (docs/ops.md). A CUDA build compares the catalogue with its
// real CUDA registry (kernel_catalogue_check.cc, run when it is built), and tests/test_docs.py
// does the same for every backend a build compiles.
#pragma once

#include <map>
#include <set>
#include <string>

namespace mxserve {

/// Backend name ("cpu_onednn", "cuda": the directory under backends/) -> canonical operator
/// names its kernel files register. Built on first use; never changes afterwards.
const std::map<std::string, std::set<std::string>>& KernelCatalogue();

}  // namespace mxserve
