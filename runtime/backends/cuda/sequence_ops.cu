// SPDX-License-Identifier: Apache-2.0
// SequenceMask, SequenceLast and SequenceReverse on CUDA over a (d0, d1, rest) view of the data:
// one thread per output element, which reads its sequence's length on the device (no host
// sync) and copies its element as 1, 2, 4 or 8 bytes, or writes SequenceMask's value (converted
// to the data's dtype at bind time). Lengths convert and clamp to [0, seq] as on the CPU.
#include "ops/sequence_ops.h"

#include <cstdint>
#include <cstring>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// The data viewed as (d0, d1, rest), the sequence on `axis`.
struct SeqView {
  int64_t d0 = 0, d1 = 0, rest = 1;
  int axis = 0;
  DType length_dtype = DType::kUnknown;  ///< kUnknown: no lengths input, every length is seq
  __device__ int64_t seq() const { return axis == 0 ? d0 : d1; }
  /// Element offset of (step s, batch b).
  __device__ int64_t Offset(int64_t s, int64_t b) const {
    return (axis == 0 ? s * d1 + b : b * d1 + s) * rest;
  }
  /// The length of sequence b clamped to [0, seq].
  __device__ int64_t Length(const void* lengths, int64_t b) const {
    if (length_dtype == DType::kUnknown) return seq();
    const int64_t n = SequenceLengthAt(lengths, length_dtype, b);
    return n < 0 ? 0 : n > seq() ? seq() : n;
  }
};

/// Step and batch of element i of the data.
__device__ __forceinline__ void StepBatch(const SeqView& v, int64_t i, int64_t& s, int64_t& b) {
  const int64_t row = i / v.rest;
  const int64_t i0 = row / v.d1, i1 = row % v.d1;
  s = v.axis == 0 ? i0 : i1;
  b = v.axis == 0 ? i1 : i0;
}

template <typename E>
__global__ void SequenceMaskKernel(const E* x, E* y, const void* lengths, SeqView v, E value) {
  MXS_GRID_STRIDE(i, v.d0 * v.d1 * v.rest) {
    int64_t s, b;
    StepBatch(v, i, s, b);
    y[i] = s < v.Length(lengths, b) ? x[i] : value;
  }
}

template <typename E>
__global__ void SequenceLastKernel(const E* x, E* y, const void* lengths, SeqView v) {
  const int64_t batch = v.axis == 0 ? v.d1 : v.d0;
  MXS_GRID_STRIDE(i, batch * v.rest) {
    const int64_t b = i / v.rest;
    int64_t s = v.Length(lengths, b) - 1;
    if (s < 0) s = 0;
    y[i] = x[v.Offset(s, b) + i % v.rest];
  }
}

/// The first `length` steps are reversed; the padding after them stays where it is.
template <typename E>
__global__ void SequenceReverseKernel(const E* x, E* y, const void* lengths, SeqView v) {
  MXS_GRID_STRIDE(i, v.d0 * v.d1 * v.rest) {
    int64_t s, b;
    StepBatch(v, i, s, b);
    const int64_t n = v.Length(lengths, b);
    const int64_t from = s < n ? n - 1 - s : s;
    y[i] = x[v.Offset(from, b) + i % v.rest];
  }
}

enum class SeqOp { kMask, kLast, kReverse };

class SequenceCuda final : public Kernel {
 public:
  SequenceCuda(SeqOp op, const SeqView& v, size_t elem, uint64_t value_bits, int64_t out_n)
      : op_(op), v_(v), elem_(elem), value_bits_(value_bits), out_n_(out_n) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    if (op_ == SeqOp::kMask && v_.length_dtype == DType::kUnknown) {
      if (args.in[0] != args.out[0])
        MXS_CUDA_CHECK(cudaMemcpyAsync(args.out[0], args.in[0], out_n_ * elem_,
                                       cudaMemcpyDeviceToDevice, s));
      return;
    }
    switch (elem_) {
      case 1: Launch<uint8_t>(args, s); break;
      case 2: Launch<uint16_t>(args, s); break;
      case 4: Launch<uint32_t>(args, s); break;
      default: Launch<uint64_t>(args, s); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return op_ == SeqOp::kMask   ? "cuda:sequence_mask"
           : op_ == SeqOp::kLast ? "cuda:sequence_last"
                                 : "cuda:sequence_reverse";
  }

 private:
  template <typename E>
  void Launch(const RunArgs& args, cudaStream_t s) const {
    const E* x = static_cast<const E*>(args.in[0]);
    E* y = static_cast<E*>(args.out[0]);
    const void* lengths = v_.length_dtype == DType::kUnknown ? nullptr : args.in[1];
    const unsigned grid = GridFor(out_n_);
    switch (op_) {
      case SeqOp::kMask: {
        E value;
        std::memcpy(&value, &value_bits_, sizeof(E));
        SequenceMaskKernel<<<grid, kThreads, 0, s>>>(x, y, lengths, v_, value);
        break;
      }
      case SeqOp::kLast: SequenceLastKernel<<<grid, kThreads, 0, s>>>(x, y, lengths, v_); break;
      case SeqOp::kReverse:
        SequenceReverseKernel<<<grid, kThreads, 0, s>>>(x, y, lengths, v_);
        break;
    }
  }

  SeqOp op_;
  SeqView v_;
  size_t elem_;
  uint64_t value_bits_;  ///< SequenceMask's value in the data's dtype, in the low bytes
  int64_t out_n_;        ///< output elements
};

bool IsLengthDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kInt32 || t == DType::kInt64 || t == DType::kInt8 || t == DType::kUint8;
}

SeqView MakeView(const KernelArgs& a, const SequenceParam& p) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  const size_t elem = DTypeSize(t);
  MXS_CHECK_CODE(t != DType::kBfloat16 && a.out[0].dtype == t &&
                     (elem == 1 || elem == 2 || elem == 4 || elem == 8),
                 kUnsupported)
      << what << ": the CUDA kernel takes non-bfloat16 data of 1, 2, 4 or 8 bytes with an "
      << "output of the same dtype";
  const Shape& s = a.in[0].shape;
  SeqView v;
  v.d0 = s[0];
  v.d1 = s[1];
  v.rest = ShapeProduct(s, 2, s.ndim());
  v.axis = p.axis;
  if (p.use_sequence_length) {
    v.length_dtype = a.in[1].dtype;
    MXS_CHECK_CODE(IsLengthDType(v.length_dtype), kUnsupported)
        << what << ": sequence_length of dtype " << DTypeName(v.length_dtype)
        << " has no CUDA kernel";
  }
  return v;
}

/// SequenceMask's value in dtype t, converted as the CPU kernel converts it (through float).
uint64_t MaskValueBits(DType t, double value) {
  uint64_t bits = 0;
  ValueBits(t, static_cast<float>(value), &bits);
  return bits;
}

std::unique_ptr<Kernel> CreateSequenceMask(const KernelArgs& a) {
  const auto& p = a.param<SequenceMaskParam>();
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsLengthDType(t), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": SequenceMask data of dtype " << DTypeName(t)
      << " has no CUDA kernel";
  const SeqView v = MakeView(a, p);
  return std::make_unique<SequenceCuda>(SeqOp::kMask, v, DTypeSize(t), MaskValueBits(t, p.value),
                                        a.in[0].shape.Size());
}

std::unique_ptr<Kernel> CreateSequenceLast(const KernelArgs& a) {
  const SeqView v = MakeView(a, a.param<SequenceLastParam>());
  MXS_CHECK_CODE((v.axis == 0 ? v.d0 : v.d1) > 0, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": SequenceLast of an empty sequence axis";
  return std::make_unique<SequenceCuda>(SeqOp::kLast, v, DTypeSize(a.in[0].dtype), 0,
                                        a.out[0].shape.Size());
}

std::unique_ptr<Kernel> CreateSequenceReverse(const KernelArgs& a) {
  const SeqView v = MakeView(a, a.param<SequenceReverseParam>());
  return std::make_unique<SequenceCuda>(SeqOp::kReverse, v, DTypeSize(a.in[0].dtype), 0,
                                        a.out[0].shape.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, sequence_ops) {
  // Last and Reverse copy any dtype but bfloat16.
  constexpr DTypeSet kCopied = dtypes::kAny - DTypeSet{DType::kBfloat16};
  r.Add("SequenceMask", cuda::CreateSequenceMask).DTypes(kSequenceLengths);
  r.Add("SequenceLast", cuda::CreateSequenceLast).DTypes(kCopied).Input(1, kSequenceLengths);
  r.Add("SequenceReverse", cuda::CreateSequenceReverse).DTypes(kCopied).Input(1, kSequenceLengths);
}

}  // namespace mxserve
