// SPDX-License-Identifier: Apache-2.0
// take, pick, batch_take, one_hot and gather_nd in plain C++. Data elements are moved as raw
// bytes; indices are read in their own dtype and truncated to integers as MXNet does
// (static_cast<int64_t>), then clipped or wrapped. Indices MXNet rejects at run time (take with
// mode='raise', gather_nd outside [-size, size)) cannot fail here and are wrapped.
#include "ops/indexing.h"

#include <cstring>
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

int64_t Resolve(int64_t j, int64_t size, IndexMode mode) {
  if (mode == IndexMode::kClip) return j <= 0 ? 0 : (j >= size ? size - 1 : j);
  j %= size;
  return j < 0 ? j + size : j;
}

std::string What(const KernelArgs& a) { return a.node.def->name() + " node '" + a.node.name + "'"; }

class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

/// Builds Kernel<IT>(args...) for the index dtype `dtype`; kUnsupported for others.
template <template <typename> class KernelT, typename... Args>
std::unique_ptr<Kernel> ForIndexDType(const KernelArgs& a, DType dtype, Args&&... args) {
  std::unique_ptr<Kernel> k;
  VisitValueDType(dtype, [&](auto i) {
    using IT = decltype(i);
    if constexpr (!std::is_same_v<IT, Bf16Bits>) k = std::make_unique<KernelT<IT>>(args...);
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << What(a) << ": indices of dtype " << DTypeName(dtype)
      << " are not supported";
  return k;
}

// take: out[h, p, t] = a[h, index(p), t] with blocks of `tail` elements copied at once.
template <typename IT>
class TakeKernel final : public Kernel {
 public:
  TakeKernel(int64_t head, int64_t size, int64_t tail, int64_t num_idx, size_t elem, IndexMode mode)
      : head_(head), size_(size), tail_bytes_(tail * elem), num_idx_(num_idx), mode_(mode) {}
  void Run(const RunArgs& args) const override {
    const char* a = static_cast<const char*>(args.in[0]);
    const IT* idx = static_cast<const IT*>(args.in[1]);
    char* out = static_cast<char*>(args.out[0]);
    const int64_t total = head_ * num_idx_;
#pragma omp parallel for if (total * tail_bytes_ > (1 << 18))
    for (int64_t r = 0; r < total; ++r) {
      const int64_t h = r / num_idx_, p = r % num_idx_;
      const int64_t j = Resolve(ToIndex(idx[p]), size_, mode_);
      std::memcpy(out + r * tail_bytes_, a + (h * size_ + j) * tail_bytes_,
                  static_cast<size_t>(tail_bytes_));
    }
  }
  std::string Describe() const override { return "ref:take"; }

 private:
  int64_t head_;        ///< product of the axes before the indexed one
  int64_t size_;        ///< size of the indexed axis
  int64_t tail_bytes_;  ///< bytes of one slice after the indexed axis
  int64_t num_idx_;     ///< number of indices
  IndexMode mode_;      ///< clip or wrap
};

std::unique_ptr<Kernel> CreateTake(const KernelArgs& a) {
  const TakeParam& p = a.param<TakeParam>();
  const Shape& s = a.in[0].shape;
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const int ax = NormalizeAxis(p.axis, s.ndim());
  return ForIndexDType<TakeKernel>(a, a.in[1].dtype, ShapeProduct(s, 0, ax), s[ax],
                                   ShapeProduct(s, ax + 1, s.ndim()), a.in[1].shape.Size(),
                                   DTypeSize(a.in[0].dtype), p.mode);
}

// pick: out[l, t] = a[l, index(l, t), t]; batch_take is pick on the last axis with clipping.
template <typename IT>
class PickKernel final : public Kernel {
 public:
  PickKernel(int64_t lead, int64_t size, int64_t trail, size_t elem, IndexMode mode)
      : lead_(lead), size_(size), trail_(trail), elem_(elem), mode_(mode) {}
  void Run(const RunArgs& args) const override {
    VisitElemSize(elem_, [&](auto v) {
      using VT = decltype(v);
      const VT* a = static_cast<const VT*>(args.in[0]);
      const IT* idx = static_cast<const IT*>(args.in[1]);
      VT* out = static_cast<VT*>(args.out[0]);
      const int64_t n = lead_ * trail_;
#pragma omp parallel for if (n > (1 << 15))
      for (int64_t i = 0; i < n; ++i) {
        const int64_t l = i / trail_, t = i % trail_;
        const int64_t j = Resolve(ToIndex(idx[i]), size_, mode_);
        out[i] = a[(l * size_ + j) * trail_ + t];
      }
    });
  }
  std::string Describe() const override { return "ref:pick"; }

 private:
  int64_t lead_;    ///< product of the axes before the picked one
  int64_t size_;    ///< size of the picked axis
  int64_t trail_;   ///< product of the axes after it
  size_t elem_;     ///< bytes per data element
  IndexMode mode_;  ///< clip or wrap
};

std::unique_ptr<Kernel> CreatePick(const KernelArgs& a) {
  const PickParam& p = a.param<PickParam>();
  const Shape& s = a.in[0].shape;
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const int ax = NormalizeAxis(*p.axis, s.ndim());
  MXS_CHECK(s[ax] > 0) << "cannot pick from axis " << ax << " of size 0";
  return ForIndexDType<PickKernel>(a, a.in[1].dtype, ShapeProduct(s, 0, ax), s[ax],
                                   ShapeProduct(s, ax + 1, s.ndim()), DTypeSize(a.in[0].dtype),
                                   p.mode);
}

std::unique_ptr<Kernel> CreateBatchTake(const KernelArgs& a) {
  const Shape& s = a.in[0].shape;
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const int64_t m = s[s.ndim() - 1];
  return ForIndexDType<PickKernel>(a, a.in[1].dtype, s.Size() / m, m, int64_t{1},
                                   DTypeSize(a.in[0].dtype), IndexMode::kClip);
}

template <typename IT>
class OneHotKernel final : public Kernel {
 public:
  OneHotKernel(int64_t n, int64_t depth, uint64_t on, uint64_t off, size_t elem)
      : n_(n), depth_(depth), on_(on), off_(off), elem_(elem) {}
  void Run(const RunArgs& args) const override {
    const IT* idx = static_cast<const IT*>(args.in[0]);
    char* out = static_cast<char*>(args.out[0]);
    FillPattern(out, &off_, elem_, n_ * depth_);
    for (int64_t i = 0; i < n_; ++i) {
      const int64_t j = ToIndex(idx[i]);
      if (j >= 0 && j < depth_) std::memcpy(out + (i * depth_ + j) * elem_, &on_, elem_);
    }
  }
  std::string Describe() const override { return "ref:one_hot"; }

 private:
  int64_t n_;      ///< number of indices
  int64_t depth_;  ///< size of the new axis
  uint64_t on_;    ///< on_value as output-dtype bytes
  uint64_t off_;   ///< off_value as output-dtype bytes
  size_t elem_;    ///< bytes per output element
};

std::unique_ptr<Kernel> CreateOneHot(const KernelArgs& a) {
  const OneHotParam& p = a.param<OneHotParam>();
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  uint64_t on = 0, off = 0;
  VisitValueDType(a.out[0].dtype, [&](auto t) {
    using T = decltype(t);
    T vo = FromDouble<T>(p.on_value), vf = FromDouble<T>(p.off_value);
    std::memcpy(&on, &vo, sizeof(T));
    std::memcpy(&off, &vf, sizeof(T));
  });
  return ForIndexDType<OneHotKernel>(a, a.in[0].dtype, a.in[0].shape.Size(), p.depth, on, off,
                                     DTypeSize(a.out[0].dtype));
}

// gather_nd: out[i, :] = data[idx[0, i], ..., idx[m-1, i], :]. As in MXNet each index is offset
// by the axis size before the modulo (in float arithmetic for float indices), so that -size..-1
// count from the end.
template <typename IT>
class GatherNdKernel final : public Kernel {
 public:
  GatherNdKernel(std::vector<int64_t> sizes, std::vector<int64_t> strides, int64_t n,
                 int64_t block_bytes)
      : sizes_(std::move(sizes)), strides_(std::move(strides)), n_(n), block_bytes_(block_bytes) {}
  void Run(const RunArgs& args) const override {
    const char* d = static_cast<const char*>(args.in[0]);
    const IT* idx = static_cast<const IT*>(args.in[1]);
    char* out = static_cast<char*>(args.out[0]);
    const int m = static_cast<int>(sizes_.size());
#pragma omp parallel for if (n_ * block_bytes_ > (1 << 18))
    for (int64_t i = 0; i < n_; ++i) {
      int64_t off = 0;
      for (int j = 0; j < m; ++j) {
        int64_t v;
        if constexpr (std::is_floating_point_v<IT>) {
          v = static_cast<int64_t>(idx[j * n_ + i] + static_cast<IT>(sizes_[j]));
        } else {
          v = ToIndex(idx[j * n_ + i]) + sizes_[j];
        }
        v %= sizes_[j];
        if (v < 0) v += sizes_[j];
        off += strides_[j] * v;
      }
      std::memcpy(out + i * block_bytes_, d + off * block_bytes_,
                  static_cast<size_t>(block_bytes_));
    }
  }
  std::string Describe() const override { return "ref:gather_nd"; }

 private:
  std::vector<int64_t> sizes_;    ///< sizes of the indexed axes
  std::vector<int64_t> strides_;  ///< strides of the indexed axes, in blocks
  int64_t n_;                     ///< number of gathered blocks
  int64_t block_bytes_;           ///< bytes of one block (the axes after the indexed ones)
};

std::unique_ptr<Kernel> CreateGatherNd(const KernelArgs& a) {
  const Shape& d = a.in[0].shape;
  const Shape& idx = a.in[1].shape;
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const int m = static_cast<int>(idx[0]);
  std::vector<int64_t> sizes(m), strides(m);
  int64_t stride = 1;
  for (int j = m - 1; j >= 0; --j) {
    sizes[j] = d[j];
    strides[j] = stride;
    stride *= d[j];
  }
  for (int64_t s : sizes)
    MXS_CHECK(s > 0) << "cannot gather from an axis of size 0 in " << d.ToString();
  const int64_t block =
      ShapeProduct(d, m, d.ndim()) * static_cast<int64_t>(DTypeSize(a.in[0].dtype));
  return ForIndexDType<GatherNdKernel>(a, a.in[1].dtype, sizes, strides, idx.Size() / m, block);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, indexing) {
  r.Add("take", cpu::CreateTake).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("pick", cpu::CreatePick).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("batch_take", cpu::CreateBatchTake).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("one_hot", cpu::CreateOneHot).DTypes(dtypes::kValue);
  r.Add("gather_nd", cpu::CreateGatherNd).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
}

}  // namespace mxserve
