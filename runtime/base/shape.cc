// SPDX-License-Identifier: Apache-2.0
#include "base/shape.h"

#include <sstream>

#include "base/error.h"

namespace mxserve {

bool Shape::complete() const {
  if (!known_) return false;
  for (int64_t d : dims_)
    if (d < 0) return false;
  return true;
}

int64_t Shape::Size() const { return ShapeProduct(*this, 0, ndim()); }

std::string Shape::ToString() const {
  if (!known_) return "unknown";
  std::ostringstream os;
  os << '(';
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) os << ", ";
    os << dims_[i];
  }
  if (dims_.size() == 1) os << ',';
  os << ')';
  return os.str();
}

int64_t ShapeProduct(const Shape& s, int begin, int end) {
  int64_t p = 1;
  for (int i = begin; i < end; ++i) {
    MXS_CHECK(!__builtin_mul_overflow(p, s[i], &p))
        << "the element count of shape " << s.ToString() << " overflows a 64-bit integer";
  }
  return p;
}

size_t ShapeBytes(const Shape& s, size_t elem_size) {
  const int64_t n = s.Size();
  int64_t bytes = 0;
  MXS_CHECK(n >= 0 && !__builtin_mul_overflow(n, static_cast<int64_t>(elem_size), &bytes) &&
            bytes <= kMaxTensorBytes)
      << "a tensor of shape " << s.ToString() << " with " << elem_size
      << "-byte elements exceeds the addressable size of " << kMaxTensorBytes << " bytes";
  return static_cast<size_t>(bytes);
}

int NormalizeAxis(int64_t axis, int ndim) {
  const int64_t a = axis < 0 ? axis + ndim : axis;
  MXS_CHECK(a >= 0 && a < ndim) << "axis " << axis << " is out of bounds for " << ndim << " axes";
  return static_cast<int>(a);
}

}  // namespace mxserve
