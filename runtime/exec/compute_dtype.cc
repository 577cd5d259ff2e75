// SPDX-License-Identifier: Apache-2.0
#include "exec/compute_dtype.h"

#include <algorithm>

#include "backends/backend_table.h"
#include "base/error.h"

namespace mxserve {

namespace {

std::vector<DType> AllComputeDTypes() {
  std::vector<DType> out;
  for (const BackendEntry& e : BackendTable::Global().entries()) {
    // The dtypes a backend implements do not depend on its device number; the instance of a
    // device that is absent cannot be made, so such a backend adds nothing.
    try {
      for (DType d : e.get(0).compute_dtypes())
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    } catch (const Error&) {
    }
  }
  return out;
}

// "'a'", "'a' or 'b'", "'a', 'b' or 'c'".
std::string Alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

}  // namespace

std::vector<std::string> ComputeDTypeNames() {
  std::vector<std::string> names;
  for (DType d : AllComputeDTypes()) names.push_back(DTypeName(d));
  return names;
}

DType ParseComputeDType(const std::string& name, const std::string& what) {
  const std::vector<DType> all = AllComputeDTypes();
  DType d = DTypeFromName(name);
  // Numeric type flags are not compute dtype names.
  const bool spelled = d != DType::kUnknown && name == DTypeName(d);
  MXS_CHECK(spelled && std::find(all.begin(), all.end(), d) != all.end())
      << what << " must be " << Alternatives(ComputeDTypeNames()) << ", got '" << name << "'";
  return d;
}

void CheckComputeDType(const Backend& backend, DType dtype) {
  const std::vector<DType> all = AllComputeDTypes();
  MXS_CHECK(std::find(all.begin(), all.end(), dtype) != all.end())
      << "failed to bind: compute dtype " << DTypeName(dtype) << " is not one of "
      << Alternatives(ComputeDTypeNames());
  const std::vector<DType> own = backend.compute_dtypes();
  if (std::find(own.begin(), own.end(), dtype) == own.end()) {
    std::vector<std::string> names;
    for (DType d : own) names.push_back(DTypeName(d));
    MXS_THROW(kUnsupported) << "failed to bind: compute dtype " << DTypeName(dtype)
                            << " is not supported by the " << backend.name() << " backend ("
                            << Alternatives(names) << ")";
  }
  try {
    backend.CheckComputeDType(dtype);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("failed to bind: ") + e.what());
  }
}

}  // namespace mxserve
