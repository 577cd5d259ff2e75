// SPDX-License-Identifier: Apache-2.0
// topk / sort / argsort and argmax / argmin / argmax_channel (and the _npi_ forms) with one
// thread per row: a row is the n elements along the sorted (searched) axis, `inner` apart, of
// one (outer, inner) position. The sorts (rows of up to kMaxSortRow elements) copy the row's
// keys (float32 for the 16-bit floats) and an index array 0..n-1 to the scratchpad and order the
// indices with row_sort.cuh, which reproduces the CPU kernel's std::sort (std::partial_sort of
// the first k when k * 8 <= n) move for move, so tied keys and NaN come out in the CPU's order.
// The searches are the CPU kernel's loops: the legacy one from the lowest (highest) finite value
// replacing on `!(best >= v)` while the best is not NaN, the numpy one from -inf (+inf)
// replacing on a strict improvement.
#include "ops/ordering.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/row_sort.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// Runs the statements with T the device element type of `dtype`; false for other dtypes.
template <typename Fn>
bool VisitDeviceType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: fn(float{}); return true;
    case DType::kFloat64: fn(double{}); return true;
    case DType::kFloat16: fn(__half{}); return true;
    case DType::kBfloat16: fn(__nv_bfloat16{}); return true;
    case DType::kInt8: fn(int8_t{}); return true;
    case DType::kUint8: fn(uint8_t{}); return true;
    case DType::kInt32: fn(int32_t{}); return true;
    case DType::kInt64: fn(int64_t{}); return true;
    default: return false;
  }
}

template <typename T>
constexpr bool kIsHalf = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

/// The type values are compared in: the element type, float for the 16-bit floats.
template <typename T>
using KeyOf = std::conditional_t<kIsHalf<T>, float, T>;

template <typename T>
__device__ __forceinline__ KeyOf<T> KeyAt(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, __half>) {
    return __half2float(p[i]);
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __bfloat162float(p[i]);
  } else {
    return p[i];
  }
}

/// `v` (an index or 1) in storage type T with static_cast semantics: through double, the
/// 16-bit floats through float32 with round to nearest even.
template <typename T>
__device__ __forceinline__ T FromIndex(int64_t v) {
  if constexpr (std::is_same_v<T, __half>) {
    return __float2half_rn(static_cast<float>(static_cast<double>(v)));
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __float2bfloat16_rn(static_cast<float>(static_cast<double>(v)));
  } else {
    return static_cast<T>(static_cast<double>(v));
  }
}

/// Largest index a dtype stores exactly through FromIndex without leaving its range.
int64_t MaxIndexOf(DType t) {
  switch (t) {
    case DType::kInt8: return std::numeric_limits<int8_t>::max();
    case DType::kUint8: return std::numeric_limits<uint8_t>::max();
    case DType::kInt32: return std::numeric_limits<int32_t>::max();
    default: return std::numeric_limits<int64_t>::max();
  }
}

/// The CPU comparison of two indices by their keys: `<` ascending, `>` descending.
template <typename K, bool kAscend>
struct KeyBefore {
  const K* keys;
  __host__ __device__ bool operator()(int32_t a, int32_t b) const {
    return kAscend ? keys[a] < keys[b] : keys[a] > keys[b];
  }
};

struct RowDims {
  int64_t rows;   ///< outer * inner
  int64_t n;      ///< sorted length
  int64_t k;      ///< kept elements
  int64_t inner;  ///< stride of the sorted axis
};

/// Longest row one thread sorts; longer rows run on the host.
constexpr int64_t kMaxSortRow = 65536;
/// IntroSort's segment stack for such rows (2^16 elements), kept small in the thread's stack.
constexpr int kRowSortStack = SortStackFor(16);
static_assert(kMaxSortRow == int64_t{1} << 16, "kRowSortStack follows kMaxSortRow");

template <typename T, typename IT, bool kAscend>
__global__ void TopKKernel(const T* x, void* out0, void* out1, KeyOf<T>* keys_all,
                           int32_t* idx_all, TopKParam::Ret ret, RowDims d) {
  using K = KeyOf<T>;
  using Ret = TopKParam::Ret;
  MXS_GRID_STRIDE(r, d.rows) {
    const int64_t o = r / d.inner, t = r % d.inner, n = d.n, k = d.k, inner = d.inner;
    const int64_t base = o * n * inner + t;
    K* keys = keys_all + r * n;
    int32_t* idx = idx_all + r * n;
    for (int64_t j = 0; j < n; ++j) {
      keys[j] = KeyAt(x, base + j * inner);
      idx[j] = static_cast<int32_t>(j);
    }
    const KeyBefore<K, kAscend> before{keys};
    if (k * 8 > n) {
      IntroSort<kRowSortStack>(idx, n, before);
    } else {
      PartialSort(idx, k, n, before);
    }
    const int64_t out_base = o * k * inner + t;
    if (ret == Ret::kMask) {
      T* m = static_cast<T*>(out0);
      for (int64_t j = 0; j < n; ++j) m[base + j * inner] = FromIndex<T>(0);
      for (int64_t j = 0; j < k; ++j) m[base + idx[j] * inner] = FromIndex<T>(1);
    } else if (ret == Ret::kIndices) {
      IT* oi = static_cast<IT*>(out0);
      for (int64_t j = 0; j < k; ++j) oi[out_base + j * inner] = FromIndex<IT>(idx[j]);
    } else {
      T* ov = static_cast<T*>(out0);
      for (int64_t j = 0; j < k; ++j) ov[out_base + j * inner] = x[base + idx[j] * inner];
      if (ret == Ret::kBoth) {
        IT* oi = static_cast<IT*>(out1);
        for (int64_t j = 0; j < k; ++j) oi[out_base + j * inner] = FromIndex<IT>(idx[j]);
      }
    }
  }
}


/// Byte offset of the index array in the scratchpad: after the keys, 8-byte aligned.
size_t IndexOffset(int64_t count, size_t key_bytes) {
  return (static_cast<size_t>(count) * key_bytes + 7) / 8 * 8;
}

template <typename T, typename IT>
class TopKCuda final : public Kernel {
 public:
  TopKCuda(const RowDims& d, TopKParam::Ret ret, bool ascend) : d_(d), ret_(ret), ascend_(ascend) {}

  size_t ScratchpadBytes() const override {
    return IndexOffset(d_.rows * d_.n, sizeof(KeyOf<T>)) +
           static_cast<size_t>(d_.rows * d_.n) * sizeof(int32_t);
  }

  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const T* x = static_cast<const T*>(args.in[0]);
    auto* keys = static_cast<KeyOf<T>*>(args.scratchpad);
    auto* idx = reinterpret_cast<int32_t*>(static_cast<char*>(args.scratchpad) +
                                           IndexOffset(d_.rows * d_.n, sizeof(KeyOf<T>)));
    void* out1 = ret_ == TopKParam::Ret::kBoth ? args.out[1] : nullptr;
    if (ascend_) {
      TopKKernel<T, IT, true>
          <<<GridFor(d_.rows), kThreads, 0, s>>>(x, args.out[0], out1, keys, idx, ret_, d_);
    } else {
      TopKKernel<T, IT, false>
          <<<GridFor(d_.rows), kThreads, 0, s>>>(x, args.out[0], out1, keys, idx, ret_, d_);
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:topk"; }

 private:
  RowDims d_;
  TopKParam::Ret ret_;  ///< what the outputs hold
  bool ascend_;         ///< smallest first
};

class EmptyCuda final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "cuda:empty"; }
};

template <typename P>
std::unique_ptr<Kernel> CreateTopK(const KernelArgs& a) {
  const TopKParam& p = a.param<P>();
  const SortGeometry g = p.Geometry(a.in[0].shape);
  if (a.in[0].shape.Size() == 0) return std::make_unique<EmptyCuda>();
  using Ret = TopKParam::Ret;
  const DType index_dtype = p.ret_typ == Ret::kIndices ? a.out[0].dtype
                            : p.ret_typ == Ret::kBoth  ? a.out[1].dtype
                                                       : DType::kInt64;
  MXS_CHECK_CODE(g.n <= kMaxSortRow, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel sorts rows of at most "
      << kMaxSortRow << " elements (one thread per row), not " << g.n;
  MXS_CHECK_CODE(g.n - 1 <= MaxIndexOf(index_dtype), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": indices up to " << g.n - 1
      << " do not fit the index dtype " << DTypeName(index_dtype);
  const RowDims d{g.outer * g.inner, g.n, g.k, g.inner};
  std::unique_ptr<Kernel> k;
  VisitDeviceType(a.in[0].dtype, [&](auto t) {
    using T = std::decay_t<decltype(t)>;
    VisitDeviceType(index_dtype, [&](auto i) {
      using IT = std::decay_t<decltype(i)>;
      if constexpr (!std::is_same_v<IT, __nv_bfloat16> && !std::is_same_v<IT, int8_t>)
        k = std::make_unique<TopKCuda<T, IT>>(d, p.ret_typ, p.is_ascend);
    });
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel does not take "
      << DTypeName(a.in[0].dtype) << " data with " << DTypeName(index_dtype) << " indices";
  return k;
}

/// -inf (+inf), or the lowest (highest) value of an integer type.
template <typename K, bool kLow>
__device__ __forceinline__ K InfKey() {
  if constexpr (std::is_floating_point_v<K>) {
    return kLow ? -std::numeric_limits<K>::infinity() : std::numeric_limits<K>::infinity();
  } else {
    return kLow ? std::numeric_limits<K>::lowest() : std::numeric_limits<K>::max();
  }
}

/// The CPU's initial value of a legacy max (min) search: the lowest (highest) finite value,
/// +-65504 for float16.
template <typename T, bool kMax>
__device__ __forceinline__ KeyOf<T> SearchInit() {
  using K = KeyOf<T>;
  if constexpr (std::is_same_v<T, __half>) {
    return kMax ? -65504.f : 65504.f;
  } else if constexpr (std::is_floating_point_v<K>) {
    return kMax ? -std::numeric_limits<K>::max() : std::numeric_limits<K>::max();
  } else {
    return kMax ? std::numeric_limits<K>::min() : std::numeric_limits<K>::max();
  }
}

template <typename K>
__device__ __forceinline__ bool IsNanKey(K v) {
  if constexpr (std::is_floating_point_v<K>) {
    return v != v;
  } else {
    return false;
  }
}

/// One thread per row; OT is int64 for the numpy forms, else the input's type.
template <typename T, typename OT, bool kMax, bool kNumpy>
__global__ void ArgExtremumKernel(const T* x, OT* y, RowDims d) {
  using K = KeyOf<T>;
  MXS_GRID_STRIDE(r, d.rows) {
    const int64_t base = (r / d.inner) * d.n * d.inner + r % d.inner;
    int64_t best_i = 0;
    if constexpr (kNumpy) {
      K best = InfKey<K, kMax>();
      for (int64_t j = 0; j < d.n; ++j) {
        const K v = KeyAt(x, base + j * d.inner);
        if (kMax ? best < v : best > v) {
          best = v;
          best_i = j;
        }
      }
    } else {
      K best = SearchInit<T, kMax>();
      for (int64_t j = 0; j < d.n; ++j) {
        const K v = KeyAt(x, base + j * d.inner);
        const K before = best;
        if (!IsNanKey(best) && !(kMax ? best >= v : best <= v)) best = v;
        if (before != best && !IsNanKey(before)) best_i = j;
      }
    }
    if constexpr (std::is_same_v<OT, int64_t>) {
      y[r] = best_i;
    } else {
      y[r] = FromIndex<OT>(static_cast<int>(best_i));
    }
  }
}

template <typename T, typename OT, bool kMax, bool kNumpy>
class ArgExtremumCuda final : public Kernel {
 public:
  explicit ArgExtremumCuda(const RowDims& d) : d_(d) {}
  void Run(const RunArgs& args) const override {
    if (d_.rows == 0) return;
    cudaStream_t s = StreamOf(args).get();
    ArgExtremumKernel<T, OT, kMax, kNumpy><<<GridFor(d_.rows), kThreads, 0, s>>>(
        static_cast<const T*>(args.in[0]), static_cast<OT*>(args.out[0]), d_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return kMax ? "cuda:argmax" : "cuda:argmin"; }

 private:
  RowDims d_;
};

template <typename P, bool kMax>
std::unique_ptr<Kernel> CreateArgExtremum(const KernelArgs& a) {
  const ArgExtremumParam& p = a.param<P>();
  const SortGeometry g = p.Geometry(a.in[0].shape);
  const DType t = a.in[0].dtype;
  // The legacy forms write the index in the input's dtype, through int.
  MXS_CHECK_CODE(p.numpy || g.n - 1 <= std::min<int64_t>(MaxIndexOf(t), INT32_MAX),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": indices up to " << g.n - 1
      << " do not fit the output dtype " << DTypeName(t);
  const RowDims d{g.outer * g.inner, g.n, 1, g.inner};
  std::unique_ptr<Kernel> k;
  VisitDeviceType(t, [&](auto v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (!std::is_same_v<T, __nv_bfloat16>) {
      if (p.numpy) {
        k = std::make_unique<ArgExtremumCuda<T, int64_t, kMax, true>>(d);
      } else {
        k = std::make_unique<ArgExtremumCuda<T, T, kMax, false>>(d);
      }
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel does not take "
      << DTypeName(t) << " data";
  return k;
}

/// The data dtypes the kernels take (bfloat16 only for the sorts, as on the CPU).
constexpr DTypeSet kOrderingTypes{DType::kFloat32, DType::kFloat64, DType::kFloat16,
                                  DType::kBfloat16, DType::kInt8,   DType::kUint8,
                                  DType::kInt32,   DType::kInt64};

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, ordering) {
  using cuda::kOrderingTypes;
  r.Add("topk", cuda::CreateTopK<TopKParam>).DTypes(kOrderingTypes);
  r.Add("sort", cuda::CreateTopK<SortParam>).DTypes(kOrderingTypes);
  r.Add("argsort", cuda::CreateTopK<ArgSortParam>).DTypes(kOrderingTypes);
  r.Add("argmax", cuda::CreateArgExtremum<ArgExtremumParam, true>).DTypes(kOrderingTypes);
  r.Add("argmin", cuda::CreateArgExtremum<ArgExtremumParam, false>).DTypes(kOrderingTypes);
  r.Add("argmax_channel", cuda::CreateArgExtremum<ArgmaxChannelParam, true>)
      .DTypes(kOrderingTypes);
  r.Add("_npi_argmax", cuda::CreateArgExtremum<NumpyArgExtremumParam, true>)
      .DTypes(kOrderingTypes);
  r.Add("_npi_argmin", cuda::CreateArgExtremum<NumpyArgExtremumParam, false>)
      .DTypes(kOrderingTypes);
}

}  // namespace mxserve
