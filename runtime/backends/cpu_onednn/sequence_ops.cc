// SPDX-License-Identifier: Apache-2.0
// SequenceMask, SequenceLast and SequenceReverse as plain copies over a (d0, d1, rest) view.
// Lengths of any numeric dtype are truncated to integers as MXNet casts them; lengths outside
// [0, seq] (which make MXNet read or write out of bounds) are clamped, and SequenceLast takes
// step 0 for a length of 0.
#include "ops/sequence_ops.h"

#include <cstring>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

void CheckLengthType(const KernelArgs& a, const SequenceParam& p) {
  if (!p.use_sequence_length) return;
  DType t = a.in[1].dtype;
  MXS_CHECK_CODE(t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 || t == DType::kInt32 ||
                     t == DType::kInt64 || t == DType::kInt8 || t == DType::kUint8,
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": sequence_length of dtype " << DTypeName(t)
      << " is not supported";
}

/// The shared geometry: data viewed as (d0, d1, rest), the sequence on `axis`.
struct SeqView {
  int64_t d0 = 0, d1 = 0, rest = 0;  ///< view dims
  int axis = 0;                       ///< sequence axis (0 or 1)
  size_t elem = 0;                    ///< bytes per element
  bool use_length = false;            ///< input 1 holds the lengths
  DType length_dtype = DType::kUnknown;  ///< dtype of the lengths
  int64_t seq() const { return axis == 0 ? d0 : d1; }
  int64_t batch() const { return axis == 0 ? d1 : d0; }
  /// Element offset of (step s, batch b).
  int64_t Offset(int64_t s, int64_t b) const { return (axis == 0 ? s * d1 + b : b * d1 + s) * rest; }
  int64_t Length(const RunArgs& args, int64_t b) const {
    int64_t n = use_length ? SequenceLengthAt(args.in[1], length_dtype, b) : seq();
    return n < 0 ? 0 : n > seq() ? seq() : n;
  }
};

SeqView MakeView(const KernelArgs& a, const SequenceParam& p) {
  CheckLengthType(a, p);
  MXS_CHECK_CODE(a.in[0].dtype != DType::kBfloat16 && a.in[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": only row-major, non-bfloat16 data is supported";
  const Shape& s = a.in[0].shape;
  SeqView v;
  v.d0 = s[0];
  v.d1 = s[1];
  v.rest = ShapeProduct(s, 2, s.ndim());
  v.axis = p.axis;
  v.elem = DTypeSize(a.in[0].dtype);
  v.use_length = p.use_sequence_length;
  if (v.use_length) v.length_dtype = a.in[1].dtype;
  return v;
}

template <typename T>
class SequenceMaskKernel final : public Kernel {
 public:
  SequenceMaskKernel(const SeqView& v, T value) : v_(v), value_(value) {}
  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    T* y = static_cast<T*>(args.out[0]);
    if (x != y) std::memcpy(y, x, static_cast<size_t>(v_.d0 * v_.d1 * v_.rest) * sizeof(T));
    if (!v_.use_length) return;
    for (int64_t b = 0; b < v_.batch(); ++b) {
      for (int64_t s = v_.Length(args, b); s < v_.seq(); ++s) {
        T* row = y + v_.Offset(s, b);
        for (int64_t r = 0; r < v_.rest; ++r) row[r] = value_;
      }
    }
  }
  std::string Describe() const override { return "ref:sequence_mask"; }

 private:
  SeqView v_;
  T value_;
};

class SequenceLastKernel final : public Kernel {
 public:
  explicit SequenceLastKernel(const SeqView& v) : v_(v) {}
  void Run(const RunArgs& args) const override {
    const char* x = static_cast<const char*>(args.in[0]);
    char* y = static_cast<char*>(args.out[0]);
    const size_t row = static_cast<size_t>(v_.rest) * v_.elem;
    for (int64_t b = 0; b < v_.batch(); ++b) {
      int64_t s = v_.Length(args, b) - 1;
      if (s < 0) s = 0;
      std::memcpy(y + b * row, x + v_.Offset(s, b) * v_.elem, row);
    }
  }
  std::string Describe() const override { return "ref:sequence_last"; }

 private:
  SeqView v_;
};

class SequenceReverseKernel final : public Kernel {
 public:
  explicit SequenceReverseKernel(const SeqView& v) : v_(v) {}
  void Run(const RunArgs& args) const override {
    const char* x = static_cast<const char*>(args.in[0]);
    char* y = static_cast<char*>(args.out[0]);
    const size_t row = static_cast<size_t>(v_.rest) * v_.elem;
    for (int64_t b = 0; b < v_.batch(); ++b) {
      const int64_t n = v_.Length(args, b);
      for (int64_t s = 0; s < v_.seq(); ++s) {
        // The first n steps are reversed; the padding after them stays where it is.
        const int64_t from = s < n ? n - 1 - s : s;
        std::memcpy(y + v_.Offset(s, b) * v_.elem, x + v_.Offset(from, b) * v_.elem, row);
      }
    }
  }
  std::string Describe() const override { return "ref:sequence_reverse"; }

 private:
  SeqView v_;
};

std::unique_ptr<Kernel> CreateSequenceMask(const KernelArgs& a) {
  const auto& p = a.param<SequenceMaskParam>();
  SeqView v = MakeView(a, p);
  const double value = p.value;
  switch (a.in[0].dtype) {
    case DType::kFloat32:
      return std::make_unique<SequenceMaskKernel<float>>(v, static_cast<float>(value));
    case DType::kFloat64:
      return std::make_unique<SequenceMaskKernel<double>>(v, static_cast<double>(static_cast<float>(value)));
    case DType::kFloat16:
      return std::make_unique<SequenceMaskKernel<uint16_t>>(v, FloatToHalf(static_cast<float>(value)));
    case DType::kInt32:
      return std::make_unique<SequenceMaskKernel<int32_t>>(v, static_cast<int32_t>(static_cast<float>(value)));
    case DType::kInt64:
      return std::make_unique<SequenceMaskKernel<int64_t>>(v, static_cast<int64_t>(static_cast<float>(value)));
    case DType::kInt8:
      return std::make_unique<SequenceMaskKernel<int8_t>>(v, static_cast<int8_t>(static_cast<float>(value)));
    case DType::kUint8:
      return std::make_unique<SequenceMaskKernel<uint8_t>>(v, static_cast<uint8_t>(static_cast<float>(value)));
    default:
      MXS_THROW(kUnsupported) << "data of dtype " << DTypeName(a.in[0].dtype) << " is not supported";
  }
}

std::unique_ptr<Kernel> CreateSequenceLast(const KernelArgs& a) {
  return std::make_unique<SequenceLastKernel>(MakeView(a, a.param<SequenceLastParam>()));
}

std::unique_ptr<Kernel> CreateSequenceReverse(const KernelArgs& a) {
  return std::make_unique<SequenceReverseKernel>(MakeView(a, a.param<SequenceReverseParam>()));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, sequence_ops) {
  // Last and Reverse copy any dtype but bfloat16.
  constexpr DTypeSet kCopied = dtypes::kAny - DTypeSet{DType::kBfloat16};
  r.Add("SequenceMask", cpu::CreateSequenceMask).DTypes(kSequenceLengths);
  r.Add("SequenceLast", cpu::CreateSequenceLast).DTypes(kCopied).Input(1, kSequenceLengths);
  r.Add("SequenceReverse", cpu::CreateSequenceReverse).DTypes(kCopied).Input(1, kSequenceLengths);
}

}  // namespace mxserve
