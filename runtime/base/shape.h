// SPDX-License-Identifier: Apache-2.0
// Tensor shapes. A Shape is either unknown (not inferred yet) or a list of dimensions; a known
// Shape may still have unknown dimensions (-1) while inference runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mxserve {

class Shape {
 public:
  /// An unknown shape.
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims), known_(true) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)), known_(true) {}

  bool known() const { return known_; }
  /// True when the shape is known and no dimension is -1.
  bool complete() const;
  int ndim() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t& operator[](int i) { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  /// Number of elements (1 for a scalar); only meaningful when complete(). Throws
  /// kInvalidArgument naming the shape when the product overflows int64.
  int64_t Size() const;
  /// "(1, 3, 224, 224)", or "unknown".
  std::string ToString() const;

  bool operator==(const Shape& o) const { return known_ == o.known_ && dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  std::vector<int64_t> dims_;
  bool known_ = false;
};

/// Product of dims[begin, end). Throws kInvalidArgument naming the shape when it overflows int64.
int64_t ShapeProduct(const Shape& s, int begin, int end);

/// The largest tensor, in bytes, the runtime allocates or addresses (2^47, above any real
/// host's memory and well inside what pointer arithmetic on int64 offsets can reach).
constexpr int64_t kMaxTensorBytes = int64_t{1} << 47;

/// Size()*elem_size for a complete shape; throws kInvalidArgument naming the shape when the
/// product overflows or exceeds kMaxTensorBytes.
size_t ShapeBytes(const Shape& s, size_t elem_size);

/// `axis` in [0, ndim): negative values count from the end. Throws kInvalidArgument
/// ("axis 3 is out of bounds for 2 axes") otherwise.
int NormalizeAxis(int64_t axis, int ndim);

}  // namespace mxserve
