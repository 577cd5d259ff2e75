// SPDX-License-Identifier: Apache-2.0
// Compares the kernel catalogue (read from the kernel files' r.Add lines by CMake) with the
// kernels each backend of this build registers, listed without a device. A CUDA build runs it
// as one of its steps (runtime/CMakeLists.txt), so docs/ops.md's cuda column, which CPU-only
// builds take from the catalogue, cannot silently drift from the CUDA registry. Prints every
// operator that differs and exits 1.
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "backends/backend_table.h"
#include "backends/kernel_catalogue.h"

int main() {
  using mxserve::BackendEntry;
  int differences = 0;
  for (const BackendEntry& e : mxserve::BackendTable::Global().entries()) {
    if (e.kernel_names == nullptr) continue;
    const std::vector<std::string> names = e.kernel_names();
    const std::set<std::string> registered(names.begin(), names.end());
    const auto& catalogue = mxserve::KernelCatalogue();
    const auto it = catalogue.find(e.name);
    const std::set<std::string> listed =
        it == catalogue.end() ? std::set<std::string>{} : it->second;
    const int before = differences;
    for (const std::string& op : registered)
      if (listed.count(op) == 0) {
        std::fprintf(stderr, "kernel catalogue: %s registers %s, the catalogue does not list it\n",
                     e.name.c_str(), op.c_str());
        ++differences;
      }
    for (const std::string& op : listed)
      if (registered.count(op) == 0) {
        std::fprintf(stderr, "kernel catalogue: lists %s on %s, which registers no kernel for it\n",
                     op.c_str(), e.name.c_str());
        ++differences;
      }
    std::printf("kernel catalogue: %s, %zu kernels, %s\n", e.name.c_str(), registered.size(),
                differences == before ? "as catalogued" : "DIFFERENT");
  }
  return differences == 0 ? 0 : 1;
}
