// SPDX-License-Identifier: Apache-2.0
// Creation ops on CUDA. Fills (_zeros, _ones, _full, zeros_like, ones_like and their _npi_
// forms) write one element pattern, converted from the value on the host at bind time by
// FillValuePattern (ops/init_ops.h), as on the CPU. Ranges (_arange, _npi_arange,
// _contrib_arange_like) compute start + (i / repeat) * step per element
// with the CPU kernel's arithmetic in the output dtype: float32 and float64 with the multiply
// and the add rounded separately, integers in int64 from the start and step cast to the dtype,
// float16 as integers from the start and step truncated through float16. One thread per element.
#include "ops/init_ops.h"

#include <cstring>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/dtype.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cuda {
namespace {

// ---- fills ----

template <typename T>
__global__ void FillKernel(T* y, T v, int64_t n) {
  MXS_GRID_STRIDE(i, n) { y[i] = v; }
}

class FillCuda final : public Kernel {
 public:
  FillCuda(uint64_t pattern, size_t bytes, int64_t n) : pattern_(pattern), bytes_(bytes), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    switch (bytes_) {
      case 1: Launch<uint8_t>(args, s); break;
      case 2: Launch<uint16_t>(args, s); break;
      case 4: Launch<uint32_t>(args, s); break;
      default: Launch<uint64_t>(args, s); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:fill"; }

 private:
  template <typename T>
  void Launch(const RunArgs& args, cudaStream_t s) const {
    T v;
    std::memcpy(&v, &pattern_, sizeof(T));
    FillKernel<<<GridFor(n_), kThreads, 0, s>>>(static_cast<T*>(args.out[0]), v, n_);
  }

  uint64_t pattern_;  ///< the element's bytes (low bytes_ bytes used)
  size_t bytes_;      ///< bytes per element: 1, 2, 4 or 8
  int64_t n_;         ///< number of elements
};

std::unique_ptr<Kernel> MakeFill(const KernelArgs& a, const FillValue& value) {
  const DType t = a.out[0].dtype;
  uint64_t pattern = 0;
  MXS_CHECK_CODE(FillValuePattern(t, value, &pattern), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": dtype " << DTypeName(t)
      << " is not supported";
  return std::make_unique<FillCuda>(pattern, DTypeSize(t), a.out[0].shape.Size());
}

FillValue Real(double v) {
  FillValue f;
  f.real = v;
  return f;
}

template <int kValue>
std::unique_ptr<Kernel> CreateConstFill(const KernelArgs& a) {
  return MakeFill(a, Real(kValue));
}

template <typename P>
std::unique_ptr<Kernel> CreateValueFill(const KernelArgs& a) {
  return MakeFill(a, a.param<P>().value);
}

// ---- ranges ----

__global__ void RangeFloatKernel(float* y, float start, float step, int64_t repeat, int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    y[i] = __fadd_rn(start, __fmul_rn(static_cast<float>(i / repeat), step));
  }
}

__global__ void RangeDoubleKernel(double* y, double start, double step, int64_t repeat,
                                  int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    y[i] = __dadd_rn(start, __dmul_rn(static_cast<double>(i / repeat), step));
  }
}

__global__ void RangeHalfKernel(__half* y, int64_t start, int64_t step, int64_t repeat,
                                int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    const int64_t v = start + (i / repeat) * step;
    y[i] = __float2half_rn(static_cast<float>(static_cast<double>(v)));
  }
}

template <typename T>
__global__ void RangeIntKernel(T* y, int64_t start, int64_t step, int64_t repeat, int64_t n) {
  MXS_GRID_STRIDE(i, n) { y[i] = static_cast<T>(start + (i / repeat) * step); }
}

class RangeCuda final : public Kernel {
 public:
  RangeCuda(DType t, double start, double step, int64_t repeat, int64_t n)
      : t_(t), start_(start), step_(step), repeat_(repeat), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(n_);
    void* y = args.out[0];
    switch (t_) {
      case DType::kFloat32:
        RangeFloatKernel<<<grid, kThreads, 0, s>>>(static_cast<float*>(y),
                                                   static_cast<float>(start_),
                                                   static_cast<float>(step_), repeat_, n_);
        break;
      case DType::kFloat64:
        RangeDoubleKernel<<<grid, kThreads, 0, s>>>(static_cast<double*>(y), start_, step_,
                                                    repeat_, n_);
        break;
      case DType::kFloat16: {
        // float16 operands meet an integer index: both become integers.
        const auto truncated = [](double v) {
          return static_cast<int64_t>(HalfToFloat(FloatToHalf(static_cast<float>(v))));
        };
        RangeHalfKernel<<<grid, kThreads, 0, s>>>(static_cast<__half*>(y), truncated(start_),
                                                  truncated(step_), repeat_, n_);
        break;
      }
      case DType::kUint8: LaunchInt<uint8_t>(y, grid, s); break;
      case DType::kInt8: LaunchInt<int8_t>(y, grid, s); break;
      case DType::kInt32: LaunchInt<int32_t>(y, grid, s); break;
      default: LaunchInt<int64_t>(y, grid, s); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:range"; }

 private:
  /// start and step cast to T first, then computed in int64, as the CPU kernel.
  template <typename T>
  void LaunchInt(void* y, unsigned grid, cudaStream_t s) const {
    const int64_t start = static_cast<int64_t>(static_cast<T>(start_));
    const int64_t step = static_cast<int64_t>(static_cast<T>(step_));
    RangeIntKernel<T><<<grid, kThreads, 0, s>>>(static_cast<T*>(y), start, step, repeat_, n_);
  }

  DType t_;
  double start_;    ///< first value, as the attribute gives it
  double step_;     ///< spacing, as the attribute gives it
  int64_t repeat_;  ///< times each value repeats
  int64_t n_;       ///< number of elements
};

std::unique_ptr<Kernel> MakeRange(const KernelArgs& a, double start, double step,
                                  int64_t repeat) {
  const DType t = a.out[0].dtype;
  const bool ok = t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
                  t == DType::kUint8 || t == DType::kInt8 || t == DType::kInt32 ||
                  t == DType::kInt64;
  MXS_CHECK_CODE(ok, kUnsupported) << "failed to plan " << NodeDesc(a.node) << ": dtype "
                                   << DTypeName(t) << " is not supported";
  return std::make_unique<RangeCuda>(t, start, step, repeat, a.out[0].shape.Size());
}

template <typename P>
std::unique_ptr<Kernel> CreateRange(const KernelArgs& a) {
  const P& p = a.param<P>();
  return MakeRange(a, p.start, p.step, p.repeat);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, init_ops) {
  r.Add("_zeros", cuda::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("_npi_zeros", cuda::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("zeros_like", cuda::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("_ones", cuda::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("_npi_ones", cuda::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("ones_like", cuda::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("_full", cuda::CreateValueFill<FullParam>).DTypes(dtypes::kAny);
  r.Add("_npi_full", cuda::CreateValueFill<NumpyFullParam>).DTypes(dtypes::kAny);
  r.Add("_npi_full_like", cuda::CreateValueFill<FullLikeParam>).DTypes(dtypes::kAny);
  r.Add("_arange", cuda::CreateRange<RangeParam>).DTypes(dtypes::kAny);
  r.Add("_npi_arange", cuda::CreateRange<NumpyRangeParam>).DTypes(dtypes::kAny);
  r.Add("_contrib_arange_like", cuda::CreateRange<RangeLikeParam>).DTypes(dtypes::kAny);
}

}  // namespace mxserve
