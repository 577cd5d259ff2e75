// SPDX-License-Identifier: Apache-2.0
// Reshape-like operators. Row-major data does not change when only the shape does, so every
// operator here is an identity for the planner: the output aliases the input and no kernel runs.
// Shape rules follow MXNet's InferReshapeShape (1.x codes) and NumpyXReshapeInferShape (2.0
// codes) step by step, including their quirks, but a target whose size differs from the input's
// is rejected: MXNet 1.x does not check it and returns a tensor of the wrong size.
#include "ops/reshape.h"

#include <algorithm>
#include <sstream>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::string TupleText(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << '(';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << (v.size() == 1 ? ",)" : ")");
  return os.str();
}

void CheckSameSize(const Shape& in, const Shape& out) {
  MXS_CHECK(out.complete() && in.Size() == out.Size())
      << "cannot reshape an array of shape " << in.ToString() << " (" << in.Size()
      << " elements) into shape " << out.ToString();
}

// MXNet 1.x InferReshapeShape on one direction (the caller reverses for reverse=True).
std::vector<int64_t> ApplyReshapeCodes(const std::vector<int64_t>& codes, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  size_t src = 0;
  int64_t inf_idx = -1;
  const size_t n = dims.size();
  for (size_t i = 0; i < codes.size(); ++i) {
    int64_t c = codes[i];
    if (c == 0) {
      MXS_CHECK(src < n) << "shape code 0 at position " << i << " has no input axis left to copy";
      out.push_back(dims[src++]);
    } else if (c == -1) {
      MXS_CHECK(inf_idx < 0) << "only one dimension can be -1 (inferred)";
      // MXNet records the position in the code list, not in the output; they differ after -2
      // or -4, and MXNet then writes the inferred size at the code position.
      inf_idx = static_cast<int64_t>(i);
      out.push_back(1);
      ++src;
    } else if (c == -2) {
      while (src < n) out.push_back(dims[src++]);
    } else if (c == -3) {
      MXS_CHECK(src + 1 < n) << "shape code -3 at position " << i << " needs two input axes";
      out.push_back(dims[src] * dims[src + 1]);
      src += 2;
    } else if (c == -4) {
      MXS_CHECK(i + 2 < codes.size()) << "shape code -4 must be followed by two dimensions";
      MXS_CHECK(src < n) << "shape code -4 at position " << i << " has no input axis left to split";
      int64_t d0 = dims[src++];
      int64_t d1 = codes[++i];
      int64_t d2 = codes[++i];
      MXS_CHECK(d1 != -1 || d2 != -1) << "split dimensions after -4 cannot both be -1";
      MXS_CHECK(d1 >= -1 && d2 >= -1) << "split dimensions after -4 must be -1 or positive";
      if (d1 == -1) {
        MXS_CHECK(d2 != 0) << "split dimension 0 after -4";
        d1 = d0 / d2;
      }
      if (d2 == -1) {
        MXS_CHECK(d1 != 0) << "split dimension 0 after -4";
        d2 = d0 / d1;
      }
      MXS_CHECK(d1 * d2 == d0) << "split dimensions " << d1 << ", " << d2
                               << " do not multiply to the input dimension " << d0;
      out.push_back(d1);
      out.push_back(d2);
    } else {
      MXS_CHECK(c > 0) << "invalid shape code " << c << " (allowed: positive, 0, -1, -2, -3, -4)";
      out.push_back(c);
      ++src;
    }
  }
  if (inf_idx >= 0) {
    MXS_CHECK(inf_idx < static_cast<int64_t>(out.size()))
        << "the -1 at position " << inf_idx << " does not correspond to an output axis";
    int64_t known = 1;
    for (int64_t d : out) known *= d;
    int64_t total = 1;
    for (int64_t d : dims) total *= d;
    MXS_CHECK(known != 0) << "cannot infer the -1 dimension next to a zero-size dimension";
    out[inf_idx] = total / known;
  }
  return out;
}

void InferReshape(const ReshapeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  std::vector<int64_t> dims = data.dims();
  std::vector<int64_t> oshape;
  if (!p.shape.empty()) {
    std::vector<int64_t> codes = p.shape;
    if (p.reverse) {
      std::reverse(codes.begin(), codes.end());
      std::reverse(dims.begin(), dims.end());
    }
    oshape = ApplyReshapeCodes(codes, dims);
    if (p.reverse) std::reverse(oshape.begin(), oshape.end());
  } else {
    MXS_CHECK(p.target_shape.has_value()) << "attribute 'shape' (or the deprecated 'target_shape') is required";
    oshape = *p.target_shape;
    size_t start = p.keep_highest ? 1 : 0;
    if (p.keep_highest) {
      MXS_CHECK(!oshape.empty() && data.ndim() >= 1) << "keep_highest needs a non-empty target_shape";
      oshape[0] = data[0];
    }
    int zeros = 0;
    size_t inf_idx = 0;
    for (size_t i = start; i < oshape.size(); ++i)
      if (oshape[i] == 0) ++zeros, inf_idx = i;
    if (zeros == 1) {
      oshape[inf_idx] = 1;
      int64_t known = Shape(oshape).Size();
      MXS_CHECK(known != 0) << "cannot infer the 0 dimension of target_shape";
      oshape[inf_idx] = data.Size() / known;
    }
  }
  Shape o(oshape);
  CheckSameSize(data, o);
  out[0] = o;
}

void InferNumpyReshape(const NumpyReshapeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  std::vector<int64_t> o = p.newshape;
  int unknown = -1;
  int64_t known = 1;
  for (size_t i = 0; i < o.size(); ++i) {
    if (o[i] == -1) {
      unknown = static_cast<int>(i);
    } else {
      known *= o[i];
    }
  }
  if (unknown >= 0) {
    MXS_CHECK(known != 0 && data.Size() % known == 0)
        << "cannot reshape an array of shape " << data.ToString() << " into shape " << TupleText(p.newshape);
    o[unknown] = data.Size() / known;
  }
  Shape s(o);
  CheckSameSize(data, s);
  out[0] = s;
}

// MXNet 2.0 NumpyXReshapeInferShape on one direction.
std::vector<int64_t> ApplyNumpyXCodes(const std::vector<int64_t>& codes, const std::vector<int64_t>& src,
                                      int64_t src_size) {
  std::vector<int64_t> out;
  int64_t unknown = -1;
  int64_t known = 1;
  size_t s = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    int64_t c = codes[i];
    if (c == -1) {
      unknown = static_cast<int64_t>(out.size());
      out.push_back(-1);
      ++s;
    } else if (c == -2) {
      MXS_CHECK(s < src.size()) << "shape code -2 at position " << i << " has no input axis left to copy";
      known *= src[s];
      out.push_back(src[s++]);
    } else if (c == -3) {
      MXS_CHECK(s < src.size() && src[s] == 1)
          << "shape code -3 at position " << i << " may only skip an input axis of size 1";
      ++s;
    } else if (c == -4) {
      while (s < src.size()) {
        known *= src[s];
        out.push_back(src[s++]);
      }
    } else if (c == -5) {
      MXS_CHECK(s + 1 < src.size()) << "shape code -5 at position " << i << " needs two input axes";
      known *= src[s] * src[s + 1];
      out.push_back(src[s] * src[s + 1]);
      s += 2;
    } else if (c == -6) {
      MXS_CHECK(i + 2 < codes.size()) << "shape code -6 must be followed by two dimensions";
      MXS_CHECK(s < src.size()) << "shape code -6 at position " << i << " has no input axis left to split";
      int64_t d0 = src[s++];
      int64_t d1 = codes[++i];
      int64_t d2 = codes[++i];
      MXS_CHECK(d1 != -1 || d2 != -1) << "split dimensions after -6 cannot both be -1";
      MXS_CHECK(d1 >= -1 && d2 >= -1) << "split dimensions after -6 must be -1 or non-negative";
      if (d1 == -1) {
        MXS_CHECK(d2 != 0) << "split dimension 0 after -6";
        d1 = d0 / d2;
      }
      if (d2 == -1) {
        MXS_CHECK(d1 != 0) << "split dimension 0 after -6";
        d2 = d0 / d1;
      }
      MXS_CHECK(d1 * d2 == d0) << "split dimensions " << d1 << ", " << d2
                               << " do not multiply to the input dimension " << d0;
      known *= d0;
      out.push_back(d1);
      out.push_back(d2);
    } else {
      MXS_CHECK(c >= 0) << "invalid shape code " << c << " (allowed: non-negative, -1 to -6)";
      known *= c;
      out.push_back(c);
      ++s;
    }
  }
  if (unknown >= 0) {
    MXS_CHECK(known != 0 && src_size % known == 0) << "the -1 dimension cannot be inferred";
    out[unknown] = src_size / known;
  }
  return out;
}

void InferNumpyXReshape(const NumpyXReshapeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  std::vector<int64_t> dims = data.dims();
  std::vector<int64_t> codes = p.newshape;
  if (p.reverse) {
    std::reverse(dims.begin(), dims.end());
    std::reverse(codes.begin(), codes.end());
  }
  std::vector<int64_t> o = ApplyNumpyXCodes(codes, dims, data.Size());
  if (p.reverse) std::reverse(o.begin(), o.end());
  Shape s(o);
  CheckSameSize(data, s);
  out[0] = s;
}

void InferExpandDims(const ExpandDimsParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const int64_t ndim = in[0].ndim();
  int64_t axis = p.axis < 0 ? p.axis + ndim + 1 : p.axis;
  MXS_CHECK(axis >= 0 && axis <= ndim) << "axis " << p.axis << " is outside [" << -ndim - 1 << ", "
                                       << ndim << "]";
  std::vector<int64_t> o = in[0].dims();
  o.insert(o.begin() + axis, 1);
  out[0] = Shape(o);
}

// Marks the axes squeeze removes; `numpy` selects MXNet 2.0's rules (a scalar stays a scalar).
std::vector<int64_t> SqueezedDims(const SqueezeParam& p, const Shape& data, bool numpy) {
  const int64_t ndim = data.ndim();
  if (numpy && ndim == 0) {
    if (p.axis) {
      MXS_CHECK(p.axis->size() == 1 && ((*p.axis)[0] == 0 || (*p.axis)[0] == -1))
          << "axis " << TupleText(*p.axis) << " is out of bounds for a 0-d array";
    }
    return {};
  }
  std::vector<bool> drop(ndim, false);
  if (p.axis) {
    for (int64_t a : *p.axis) {
      const int ax = NormalizeAxis(a, static_cast<int>(ndim));
      MXS_CHECK(data[ax] == 1) << "cannot squeeze axis " << a << " of size " << data[ax];
      // MXNet 1.x rejects a repeated axis; MXNet 2.0's check compares against the wrong value
      // and lets it through, which is harmless.
      MXS_CHECK(numpy || !drop[ax]) << "duplicate value " << a << " in axis";
      drop[ax] = true;
    }
  } else {
    for (int64_t i = 0; i < ndim; ++i) drop[i] = data[i] == 1;
  }
  std::vector<int64_t> o;
  for (int64_t i = 0; i < ndim; ++i)
    if (!drop[i]) o.push_back(data[i]);
  if (!numpy && o.empty()) o.push_back(1);  // MXNet 1.x has no 0-d arrays
  return o;
}

void InferSqueeze(const SqueezeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = Shape(SqueezedDims(p, in[0], false));
}

void InferNumpySqueeze(const SqueezeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = Shape(SqueezedDims(p, in[0], true));
}

}  // namespace

ReshapeParam ReshapeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ReshapeParam p;
  p.shape = r.Tuple("shape", {});
  p.reverse = r.Bool("reverse", false);
  p.target_shape = r.OptTuple("target_shape");
  p.keep_highest = r.Bool("keep_highest", false);
  r.Finish();
  // MXNet's default target_shape is an unknown shape, printed as "None" or "()" by old writers.
  if (p.target_shape && p.target_shape->empty()) p.target_shape.reset();
  MXS_CHECK(!p.shape.empty() || p.target_shape.has_value())
      << "attribute 'shape' (or the deprecated 'target_shape') is required";
  return p;
}

NumpyReshapeParam NumpyReshapeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyReshapeParam p;
  p.newshape = r.Tuple("newshape");
  r.Enum("order", "C", {"C"});
  r.Finish();
  int unknown = 0;
  for (int64_t d : p.newshape) {
    MXS_CHECK(d >= -1) << "attribute 'newshape': dimension " << d << " is invalid (only -1 may be negative)";
    unknown += d == -1;
  }
  MXS_CHECK(unknown <= 1) << "attribute 'newshape': only one dimension can be -1";
  return p;
}

NumpyXReshapeParam NumpyXReshapeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyXReshapeParam p;
  p.newshape = r.Tuple("newshape");
  p.reverse = r.Bool("reverse", false);
  r.Enum("order", "C", {"C"});
  r.Finish();
  int unknown = 0;
  for (int64_t d : p.newshape) {
    MXS_CHECK(d >= -6) << "attribute 'newshape': code " << d << " is below -6";
    unknown += d == -1;
  }
  MXS_CHECK(unknown <= 1) << "attribute 'newshape': only one dimension can be -1";
  return p;
}

ExpandDimsParam ExpandDimsParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ExpandDimsParam p;
  p.axis = r.Int("axis");
  r.Finish();
  return p;
}

SqueezeParam SqueezeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SqueezeParam p;
  p.axis = r.OptTuple("axis");
  r.Finish();
  return p;
}

MXS_REGISTER_OPS(reshape) {
  r.Add("Reshape").Aliases({"reshape"}).Param<ReshapeParam>().NumInputs(1).InferShape(InferReshape).Identity();
  r.Add("_np_reshape")
      .Param<NumpyReshapeParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferNumpyReshape)
      .Identity();
  r.Add("_npx_reshape")
      .Aliases({"_npi_reshape"})
      .Param<NumpyXReshapeParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferNumpyXReshape)
      .Identity();
  r.Add("expand_dims")
      .Aliases({"_npi_expand_dims"})
      .Param<ExpandDimsParam>()
      .NumInputs(1)
      .InferShape(InferExpandDims)
      .Identity();
  r.Add("squeeze").Param<SqueezeParam>().NumInputs(1).InferShape(InferSqueeze).Identity();
  // MXNet 1.x names the numpy squeeze _np_squeeze, MXNet 2.0 _npi_squeeze.
  r.Add("_np_squeeze")
      .Aliases({"_npi_squeeze"})
      .Param<SqueezeParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferNumpySqueeze)
      .Identity();
}

}  // namespace mxserve
