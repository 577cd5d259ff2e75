// SPDX-License-Identifier: Apache-2.0
// A dense host tensor with its own storage: what .params files hold and what the runtime binds.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/buffer.h"
#include "base/dtype.h"
#include "base/shape.h"

namespace mxserve {

struct NDArray {
  Shape shape;                          ///< complete shape
  DType dtype = DType::kFloat32;        ///< element type
  std::shared_ptr<const Buffer> data;   ///< row-major elements, shared and never mutated

  size_t nbytes() const { return ShapeBytes(shape, DTypeSize(dtype)); }
};

/// Named arrays in file order (names may repeat only if the file repeats them).
using NDArrayList = std::vector<std::pair<std::string, NDArray>>;

}  // namespace mxserve
