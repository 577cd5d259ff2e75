// SPDX-License-Identifier: Apache-2.0
// Creation operators (MXNet src/operator/tensor/init_op.h, numpy/np_init_op.h): _zeros, _ones,
// _full and their _npi_ forms (no inputs), zeros_like, ones_like, _npi_full_like, _arange,
// _npi_arange (no inputs) and _contrib_arange_like (_npx_arange_like).
#pragma once

#include <cstdint>
#include <optional>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// The constant a fill writes, as MXNet keeps it: a double, or (numpy _npi_full) an integer that
/// is converted to the output dtype without passing through a double.
struct FillValue {
  enum class Kind { kReal, kInt, kUint };
  Kind kind = Kind::kReal;  ///< which member holds the value
  double real = 0.0;        ///< the value for kReal
  int64_t integer = 0;      ///< the value for kInt
  uint64_t uinteger = 0;    ///< the value for kUint
};

/// The element bytes of `v` converted to `dtype` (in the low bytes of *pattern) as both fill
/// kernels write it: integer values by C++ casts, real values by static_cast, to bool as
/// `!= 0`, to float16 / bfloat16 through float32. False for a dtype that is not filled.
bool FillValuePattern(DType dtype, const FillValue& v, uint64_t* pattern);

/// _zeros, _ones, _npi_zeros, _npi_ones: shape and dtype.
struct InitParam {
  Shape shape;                    ///< output shape
  DType dtype = DType::kFloat32;  ///< output dtype ("None" = float32)

  static InitParam Parse(const AttrMap& attrs);
};

/// _full: shape, dtype and value.
struct FullParam {
  Shape shape;                    ///< output shape
  DType dtype = DType::kFloat32;  ///< output dtype
  FillValue value;                ///< the fill value

  static FullParam Parse(const AttrMap& attrs);
};

/// _npi_full: shape, dtype and a value given as double_value / int_value / uint_value with
/// value_type choosing among them (0 int, 1 uint, else double).
struct NumpyFullParam {
  Shape shape;                    ///< output shape
  DType dtype = DType::kFloat32;  ///< output dtype ("None" = float32)
  FillValue value;                ///< the fill value

  static NumpyFullParam Parse(const AttrMap& attrs);
};

/// zeros_like and ones_like take no attributes.
struct LikeParam {
  static LikeParam Parse(const AttrMap& attrs);
};

/// _npi_full_like: fill_value, optional dtype (None = the input's dtype).
struct FullLikeParam {
  FillValue value;                ///< the fill value
  DType dtype = DType::kUnknown;  ///< output dtype; kUnknown = the input's

  static FullLikeParam Parse(const AttrMap& attrs);
};

/// _arange / _npi_arange: out[i] = start + (i / repeat) * step in the output dtype.
struct RangeParam {
  double start = 0.0;             ///< first value (after MXNet's swap when stop is None)
  std::optional<double> stop;     ///< end (exclusive)
  double step = 1.0;              ///< spacing, non-zero
  int64_t repeat = 1;             ///< times each value is repeated, > 0
  bool infer_range = false;       ///< stop from the output size (needs backward inference)
  DType dtype = DType::kFloat32;  ///< output dtype
  bool numpy = false;             ///< _npi_arange: repeat 1, empty ranges allowed

  static RangeParam Parse(const AttrMap& attrs);
  /// Number of output elements, MXNet's ceil((stop - start) / step) * repeat in double.
  int64_t Size() const;
};

/// _npi_arange: RangeParam with numpy rules.
struct NumpyRangeParam : RangeParam {
  static NumpyRangeParam Parse(const AttrMap& attrs);
};

/// _contrib_arange_like: a range shaped like the input, or like one of its axes.
struct RangeLikeParam {
  double start = 0.0;           ///< first value
  double step = 1.0;            ///< spacing
  int64_t repeat = 1;           ///< times each value is repeated
  std::optional<int64_t> axis;  ///< None = the input's shape, else (input.shape[axis],)

  static RangeLikeParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
