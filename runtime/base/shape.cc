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
  // The product of the dimensions other than 0 must fit as well: a shape such as (0, 2^62, 4)
  // holds nothing, but its strides overflow wherever an operator or numpy computes them.
  int64_t span = 1;
  bool empty = false;
  for (int i = begin; i < end; ++i) {
    const int64_t d = s[i];
    empty = empty || d == 0;
    MXS_CHECK(!__builtin_mul_overflow(span, d == 0 ? 1 : d, &span))
        << "the element count of shape " << s.ToString() << " overflows a 64-bit integer";
  }
  return empty ? 0 : span;
}

size_t ShapeBytes(const Shape& s, size_t elem_size) {
  const int64_t n = s.Size();
  int64_t span = 1;  // what the dims other than 0 address, so that an empty tensor's strides fit
  for (int i = 0; i < s.ndim(); ++i) span *= s[i] == 0 ? 1 : s[i];  // checked by Size()
  int64_t bytes = 0;
  MXS_CHECK(n >= 0 && !__builtin_mul_overflow(span, static_cast<int64_t>(elem_size), &bytes) &&
            bytes <= kMaxTensorBytes)
      << "a tensor of shape " << s.ToString() << " with " << elem_size
      << "-byte elements exceeds the addressable size of " << kMaxTensorBytes << " bytes";
  return static_cast<size_t>(n) * elem_size;
}

int NormalizeAxis(int64_t axis, int ndim) {
  const int64_t a = axis < 0 ? axis + ndim : axis;
  MXS_CHECK(a >= 0 && a < ndim) << "axis " << axis << " is out of bounds for " << ndim << " axes";
  return static_cast<int>(a);
}

}  // namespace mxserve
