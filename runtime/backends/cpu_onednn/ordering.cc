// SPDX-License-Identifier: Apache-2.0
// topk / sort / argsort and argmax / argmin in plain C++.
//
// The sorts reproduce MXNet's CPU TopKSort exactly, ties and NaN included: per row, an index
// array 0..n-1 is ordered with std::sort (or std::partial_sort of the first k when k * 8 <= n)
// under the comparison `v[a] < v[b]` (`>` for descending). Neither is stable, so equal keys come
// out in the order libstdc++'s introsort / heap select leaves them, which is what MXNet returns.
//
// argmax / argmin follow mshadow's reduce_with_axis: start from the lowest (highest) finite
// value, replace on `!(best >= v)` (`!(best <= v)`) while the best is not NaN, so the first NaN
// wins and ties keep the first index.
#include "ops/ordering.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu_onednn/index_loops.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

/// The type values are compared in: the element type, float for the 16-bit floats.
template <typename T>
using KeyOf =
    std::conditional_t<std::is_same_v<T, HalfBits> || std::is_same_v<T, Bf16Bits>, float, T>;

template <typename T>
KeyOf<T> Key(T v) {
  if constexpr (std::is_same_v<T, HalfBits> || std::is_same_v<T, Bf16Bits>) {
    return static_cast<float>(ToDouble(v));
  } else {
    return v;
  }
}

/// An index written in the index dtype.
template <typename IT>
IT IndexAs(int64_t i) {
  return FromDouble<IT>(static_cast<double>(i));
}

template <typename T, typename IT>
class TopKKernel final : public Kernel {
 public:
  TopKKernel(const SortGeometry& g, TopKParam::Ret ret, bool ascend)
      : g_(g), ret_(ret), ascend_(ascend) {}

  size_t ScratchpadBytes() const override { return IndexOffset() + Count() * sizeof(int64_t); }

  void Run(const RunArgs& args) const override {
    using K = KeyOf<T>;
    const T* x = static_cast<const T*>(args.in[0]);
    const int64_t rows = g_.outer * g_.inner, n = g_.n, k = g_.k, inner = g_.inner;
    K* keys_all = static_cast<K*>(args.scratchpad);
    int64_t* idx_all =
        reinterpret_cast<int64_t*>(static_cast<char*>(args.scratchpad) + IndexOffset());
    const bool full_sort = k * 8 > n;
    using Ret = TopKParam::Ret;
    if (ret_ == Ret::kMask) std::memset(args.out[0], 0, static_cast<size_t>(rows * n) * sizeof(T));
#pragma omp parallel for if (rows * n > (1 << 14))
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t o = r / inner, t = r % inner;
      const int64_t base = o * n * inner + t;
      K* keys = keys_all + r * n;
      int64_t* idx = idx_all + r * n;
      for (int64_t j = 0; j < n; ++j) {
        keys[j] = Key(x[base + j * inner]);
        idx[j] = j;
      }
      if (ascend_) {
        auto less = [keys](const int64_t& a, const int64_t& b) { return keys[a] < keys[b]; };
        full_sort ? std::sort(idx, idx + n, less) : std::partial_sort(idx, idx + k, idx + n, less);
      } else {
        auto greater = [keys](const int64_t& a, const int64_t& b) { return keys[a] > keys[b]; };
        full_sort ? std::sort(idx, idx + n, greater)
                  : std::partial_sort(idx, idx + k, idx + n, greater);
      }
      const int64_t out_base = o * k * inner + t;
      switch (ret_) {
        case Ret::kMask: {
          T* m = static_cast<T*>(args.out[0]);
          for (int64_t j = 0; j < k; ++j) m[base + idx[j] * inner] = FromDouble<T>(1.0);
          break;
        }
        case Ret::kIndices: {
          IT* oi = static_cast<IT*>(args.out[0]);
          for (int64_t j = 0; j < k; ++j) oi[out_base + j * inner] = IndexAs<IT>(idx[j]);
          break;
        }
        case Ret::kValue:
        case Ret::kBoth: {
          T* ov = static_cast<T*>(args.out[0]);
          for (int64_t j = 0; j < k; ++j) ov[out_base + j * inner] = x[base + idx[j] * inner];
          if (ret_ == Ret::kBoth) {
            IT* oi = static_cast<IT*>(args.out[1]);
            for (int64_t j = 0; j < k; ++j) oi[out_base + j * inner] = IndexAs<IT>(idx[j]);
          }
          break;
        }
      }
    }
  }
  std::string Describe() const override { return "ref:topk"; }

 private:
  size_t Count() const { return static_cast<size_t>(g_.outer * g_.inner * g_.n); }
  // The keys come first; the index array starts at the next 8-byte boundary.
  size_t IndexOffset() const { return (Count() * sizeof(KeyOf<T>) + 7) / 8 * 8; }

  SortGeometry g_;      ///< rows, sorted length, kept count
  TopKParam::Ret ret_;  ///< what the outputs hold
  bool ascend_;         ///< smallest first
};

class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::string What(const KernelArgs& a) { return a.node.def->name() + " node '" + a.node.name + "'"; }

template <typename P>
std::unique_ptr<Kernel> CreateTopK(const KernelArgs& a) {
  const TopKParam& p = a.param<P>();
  const SortGeometry g = p.Geometry(a.in[0].shape);
  if (a.in[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const DType index_dtype = p.ret_typ == TopKParam::Ret::kIndices ? a.out[0].dtype
                            : p.ret_typ == TopKParam::Ret::kBoth  ? a.out[1].dtype
                                                                  : DType::kInt64;
  std::unique_ptr<Kernel> k;
  VisitValueDType(a.in[0].dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, bool>) {
      VisitValueDType(index_dtype, [&](auto i) {
        using IT = decltype(i);
        if constexpr (!std::is_same_v<IT, bool>)
          k = std::make_unique<TopKKernel<T, IT>>(g, p.ret_typ, p.is_ascend);
      });
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported) << "failed to plan " << What(a) << ": input dtype "
                                             << DTypeName(a.in[0].dtype) << " is not supported";
  return k;
}

/// -inf (+inf), or the lowest (highest) value of an integer type.
template <typename K, bool kLow>
K InfKey() {
  if constexpr (std::is_floating_point_v<K>) {
    return kLow ? -std::numeric_limits<K>::infinity() : std::numeric_limits<K>::infinity();
  } else {
    return kLow ? std::numeric_limits<K>::lowest() : std::numeric_limits<K>::max();
  }
}

/// mshadow's initial value of a max (min) search: the lowest (highest) finite value.
template <typename K, bool kMax>
K SearchInit(bool half) {
  if constexpr (std::is_floating_point_v<K>) {
    if (half) return kMax ? K(-65504.0) : K(65504.0);
    return kMax ? -std::numeric_limits<K>::max() : std::numeric_limits<K>::max();
  } else {
    return kMax ? std::numeric_limits<K>::min() : std::numeric_limits<K>::max();
  }
}

template <typename T, typename OT, bool kMax>
class ArgExtremumKernel final : public Kernel {
 public:
  ArgExtremumKernel(const SortGeometry& g, bool numpy) : g_(g), numpy_(numpy) {}

  void Run(const RunArgs& args) const override {
    using K = KeyOf<T>;
    const T* x = static_cast<const T*>(args.in[0]);
    OT* y = static_cast<OT*>(args.out[0]);
    const int64_t rows = g_.outer * g_.inner, n = g_.n, inner = g_.inner;
    const bool half = std::is_same_v<T, HalfBits>;
#pragma omp parallel for if (rows * n > (1 << 15))
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t base = (r / inner) * n * inner + r % inner;
      int64_t best_i = 0;
      if (numpy_) {
        // numpy (mshadow_op::argmax/argmin): from (-inf, 0) (or +inf), replace on a strict
        // improvement, so NaN never wins and a row without one keeps index 0.
        K best = InfKey<K, kMax>();
        for (int64_t j = 0; j < n; ++j) {
          const K v = Key(x[base + j * inner]);
          if (kMax ? best < v : best > v) {
            best = v;
            best_i = j;
          }
        }
      } else {
        K best = SearchInit<K, kMax>(half);
        for (int64_t j = 0; j < n; ++j) {
          const K v = Key(x[base + j * inner]);
          const K before = best;
          if (!IsNan(best) && !(kMax ? best >= v : best <= v)) best = v;
          if (before != best && !IsNan(before)) best_i = j;
        }
      }
      if constexpr (std::is_same_v<OT, int64_t>) {
        y[r] = best_i;
      } else {
        y[r] = FromDouble<OT>(static_cast<double>(static_cast<int>(best_i)));
      }
    }
  }
  std::string Describe() const override { return "ref:arg_extremum"; }

 private:
  template <typename K>
  static bool IsNan(K v) {
    if constexpr (std::is_floating_point_v<K>) {
      return std::isnan(v);
    } else {
      return false;
    }
  }

  SortGeometry g_;  ///< rows and searched length
  bool numpy_;      ///< _npi_ form: int64 output and numpy's comparison
};

template <typename P, bool kMax>
std::unique_ptr<Kernel> CreateArgExtremum(const KernelArgs& a) {
  const ArgExtremumParam& p = a.param<P>();
  const SortGeometry g = p.Geometry(a.in[0].shape);
  std::unique_ptr<Kernel> k;
  VisitValueDType(a.in[0].dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, Bf16Bits>) {
      if (p.numpy) {
        k = std::make_unique<ArgExtremumKernel<T, int64_t, kMax>>(g, true);
      } else {
        k = std::make_unique<ArgExtremumKernel<T, T, kMax>>(g, false);
      }
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported) << "failed to plan " << What(a) << ": input dtype "
                                             << DTypeName(a.in[0].dtype) << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, ordering) {
  r.Add("topk", cpu::CreateTopK<TopKParam>).DTypes(dtypes::kValue);
  r.Add("sort", cpu::CreateTopK<SortParam>).DTypes(dtypes::kValue);
  r.Add("argsort", cpu::CreateTopK<ArgSortParam>).DTypes(dtypes::kValue);
  r.Add("argmax", cpu::CreateArgExtremum<ArgExtremumParam, true>).DTypes(dtypes::kValue);
  r.Add("argmin", cpu::CreateArgExtremum<ArgExtremumParam, false>).DTypes(dtypes::kValue);
  r.Add("argmax_channel", cpu::CreateArgExtremum<ArgmaxChannelParam, true>).DTypes(dtypes::kValue);
  r.Add("_npi_argmax", cpu::CreateArgExtremum<NumpyArgExtremumParam, true>).DTypes(dtypes::kValue);
  r.Add("_npi_argmin", cpu::CreateArgExtremum<NumpyArgExtremumParam, false>).DTypes(dtypes::kValue);
}

}  // namespace mxserve
