// SPDX-License-Identifier: Apache-2.0
// take, pick, batch_take, one_hot and gather_nd on CUDA: one thread per output element finds the
// data element it copies (or, for one_hot, whether it is the on value), elements moved as 1, 2,
// 4 or 8 bytes. Indices are read in their own dtype and converted as the CPU kernel converts
// them (static_cast to int64, floats truncated, NaN and values beyond int64 becoming INT64_MIN
// as on x86-64), then clipped or wrapped; take's mode='raise' wraps, as on the CPU.
#include "ops/indexing.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"
#include "ops/index_math.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxIndexed = 8;

template <typename I>
__host__ __device__ __forceinline__ int64_t IndexOf(I v) {
  return static_cast<int64_t>(v);
}
template <>
__host__ __device__ __forceinline__ int64_t IndexOf(float v) {
  return TruncIndex(v);
}
template <>
__host__ __device__ __forceinline__ int64_t IndexOf(double v) {
  return TruncIndex(v);
}
template <>
__host__ __device__ __forceinline__ int64_t IndexOf(__half v) {
  return TruncIndex(__half2float(v));
}

/// Clipped to [0, size - 1], or taken modulo size (wrap and raise).
__host__ __device__ __forceinline__ int64_t Resolve(int64_t j, int64_t size, bool clip) {
  if (clip) return j <= 0 ? 0 : (j >= size ? size - 1 : j);
  j %= size;
  return j < 0 ? j + size : j;
}

/// take: out[h, p, t] = a[h, index(p), t].
struct TakeGeom {
  int64_t n = 0;        ///< output elements
  int64_t size = 1;     ///< size of the indexed axis
  int64_t tail = 1;     ///< elements after the indexed axis
  int64_t num_idx = 1;  ///< number of indices
  bool clip = true;
};

template <typename I>
__host__ __device__ __forceinline__ int64_t TakeSource(const I* idx, const TakeGeom& g,
                                                       int64_t i) {
  const int64_t t = i % g.tail, r = i / g.tail;
  const int64_t p = r % g.num_idx, h = r / g.num_idx;
  return (h * g.size + Resolve(IndexOf(idx[p]), g.size, g.clip)) * g.tail + t;
}

/// pick: out[l, t] = a[l, index(l, t), t]; batch_take is pick on the last axis, clipped.
struct PickGeom {
  int64_t n = 0;      ///< output elements (lead * trail)
  int64_t size = 1;   ///< size of the picked axis
  int64_t trail = 1;  ///< elements after it
  bool clip = true;
};

template <typename I>
__host__ __device__ __forceinline__ int64_t PickSource(const I* idx, const PickGeom& g,
                                                       int64_t i) {
  const int64_t l = i / g.trail, t = i % g.trail;
  return (l * g.size + Resolve(IndexOf(idx[i]), g.size, g.clip)) * g.trail + t;
}

/// gather_nd: out[b, e] = data[idx[0, b], ..., idx[m - 1, b], e].
struct GatherGeom {
  int64_t n = 0;        ///< output elements
  int64_t blocks = 1;   ///< gathered blocks (index columns)
  int64_t block = 1;    ///< elements per block
  int m = 1;            ///< indexed axes
  int64_t sizes[kMaxIndexed] = {};
  int64_t strides[kMaxIndexed] = {};  ///< in blocks
};

/// One index offset by the axis size before the modulo, as the CPU: float and double indices
/// add in their own precision, the others add to the truncated index (wrapping as int64).
template <typename I>
__host__ __device__ __forceinline__ int64_t Shifted(I v, int64_t size) {
  return static_cast<int64_t>(static_cast<uint64_t>(IndexOf(v)) + static_cast<uint64_t>(size));
}
template <>
__host__ __device__ __forceinline__ int64_t Shifted(float v, int64_t size) {
  return TruncIndex(v + static_cast<float>(size));
}
template <>
__host__ __device__ __forceinline__ int64_t Shifted(double v, int64_t size) {
  return TruncIndex(v + static_cast<double>(size));
}

template <typename I>
__host__ __device__ __forceinline__ int64_t GatherSource(const I* idx, const GatherGeom& g,
                                                         int64_t i) {
  const int64_t b = i / g.block, e = i % g.block;
  int64_t off = 0;
  for (int j = 0; j < g.m; ++j) {
    int64_t v = Shifted(idx[j * g.blocks + b], g.sizes[j]) % g.sizes[j];
    if (v < 0) v += g.sizes[j];
    off += g.strides[j] * v;
  }
  return off * g.block + e;
}

template <typename I, typename E>
__global__ void TakeKernel(const E* a, const I* idx, E* out, TakeGeom g) {
  MXS_GRID_STRIDE(i, g.n) { out[i] = a[TakeSource(idx, g, i)]; }
}

template <typename I, typename E>
__global__ void PickKernel(const E* a, const I* idx, E* out, PickGeom g) {
  MXS_GRID_STRIDE(i, g.n) { out[i] = a[PickSource(idx, g, i)]; }
}

template <typename I, typename E>
__global__ void GatherNdKernel(const E* a, const I* idx, E* out, GatherGeom g) {
  MXS_GRID_STRIDE(i, g.n) { out[i] = a[GatherSource(idx, g, i)]; }
}

/// one_hot over n = indices * depth outputs: on where the index names the element's column.
template <typename I, typename E>
__global__ void OneHotKernel(const I* idx, E* out, int64_t n, int64_t depth, E on, E off) {
  MXS_GRID_STRIDE(i, n) { out[i] = IndexOf(idx[i / depth]) == i % depth ? on : off; }
}

/// Calls fn(I{}) with the device type of index dtype t (bool read as its byte).
template <typename Fn>
void VisitIndex(DType t, Fn&& fn) {
  switch (t) {
    case DType::kFloat32: fn(float{}); break;
    case DType::kFloat64: fn(double{}); break;
    case DType::kFloat16: fn(__half{}); break;
    case DType::kInt32: fn(int32_t{}); break;
    case DType::kInt64: fn(int64_t{}); break;
    case DType::kInt8: fn(int8_t{}); break;
    default: fn(uint8_t{}); break;  // uint8 and bool
  }
}

/// Calls fn(E{}) with an unsigned carrier of `bytes` bytes (1, 2, 4 or 8).
template <typename Fn>
void VisitElem(size_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1: fn(uint8_t{}); break;
    case 2: fn(uint16_t{}); break;
    case 4: fn(uint32_t{}); break;
    default: fn(uint64_t{}); break;
  }
}

enum class Kind { kTake, kPick, kGatherNd, kOneHot };

/// What one indexing node runs: its operator's geometry (the others unused).
struct IndexPlan {
  Kind kind = Kind::kTake;
  DType index = DType::kInt32;         ///< index dtype
  size_t elem = 4;                     ///< bytes per data / output element
  const char* name = "";               ///< operator name for Describe()
  int64_t n_out = 0;                   ///< output elements
  TakeGeom take;
  PickGeom pick;
  GatherGeom gather;
  int64_t depth = 1;                   ///< one_hot's new axis
  uint64_t on_bits = 0, off_bits = 0;  ///< one_hot's values in the output dtype, low bytes
};

class IndexingCuda final : public Kernel {
 public:
  explicit IndexingCuda(const IndexPlan& p) : p_(p) {}
  void Run(const RunArgs& args) const override {
    const IndexPlan& p = p_;
    if (p.n_out == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(p.n_out);
    VisitIndex(p.index, [&](auto iv) {
      using I = decltype(iv);
      VisitElem(p.elem, [&](auto ev) {
        using E = decltype(ev);
        switch (p.kind) {
          case Kind::kTake:
            TakeKernel<<<grid, kThreads, 0, s>>>(static_cast<const E*>(args.in[0]),
                                                 static_cast<const I*>(args.in[1]),
                                                 static_cast<E*>(args.out[0]), p.take);
            break;
          case Kind::kPick:
            PickKernel<<<grid, kThreads, 0, s>>>(static_cast<const E*>(args.in[0]),
                                                 static_cast<const I*>(args.in[1]),
                                                 static_cast<E*>(args.out[0]), p.pick);
            break;
          case Kind::kGatherNd:
            GatherNdKernel<<<grid, kThreads, 0, s>>>(static_cast<const E*>(args.in[0]),
                                                     static_cast<const I*>(args.in[1]),
                                                     static_cast<E*>(args.out[0]), p.gather);
            break;
          case Kind::kOneHot: {
            E on, off;
            std::memcpy(&on, &p.on_bits, sizeof(E));
            std::memcpy(&off, &p.off_bits, sizeof(E));
            OneHotKernel<<<grid, kThreads, 0, s>>>(static_cast<const I*>(args.in[0]),
                                                   static_cast<E*>(args.out[0]), p.n_out,
                                                   p.depth, on, off);
            break;
          }
        }
      });
    });
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return std::string("cuda:") + p_.name; }

 private:
  IndexPlan p_;
};

/// The index dtypes the CPU kernel reads (bfloat16 it refuses).
bool IsIndexDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kInt32 || t == DType::kInt64 || t == DType::kInt8 || t == DType::kUint8 ||
         t == DType::kBool;
}

IndexPlan Plan(const KernelArgs& a, Kind kind, int index_input, size_t elem, const char* name) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[index_input].dtype;
  MXS_CHECK_CODE(IsIndexDType(t), kUnsupported)
      << what << ": indices of dtype " << DTypeName(t) << " have no CUDA kernel";
  MXS_CHECK_CODE(elem == 1 || elem == 2 || elem == 4 || elem == 8, kUnsupported)
      << what << ": elements of " << elem << " bytes have no CUDA kernel";
  IndexPlan p;
  p.kind = kind;
  p.index = t;
  p.elem = elem;
  p.name = name;
  p.n_out = a.out[0].shape.Size();
  return p;
}

/// Data and output of one dtype, the elements the kernel copies.
size_t DataElem(const KernelArgs& a) {
  MXS_CHECK_CODE(a.out[0].dtype == a.in[0].dtype, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the output must have the data's dtype";
  return DTypeSize(a.in[0].dtype);
}

std::unique_ptr<Kernel> CreateTake(const KernelArgs& a) {
  const TakeParam& p = a.param<TakeParam>();
  const Shape& s = a.in[0].shape;
  IndexPlan plan = Plan(a, Kind::kTake, 1, DataElem(a), "take");
  if (plan.n_out == 0) return std::make_unique<IndexingCuda>(plan);
  const int ax = NormalizeAxis(p.axis, s.ndim());
  plan.take.n = plan.n_out;
  plan.take.size = s[ax];
  plan.take.tail = ShapeProduct(s, ax + 1, s.ndim());
  plan.take.num_idx = a.in[1].shape.Size();
  plan.take.clip = p.mode == IndexMode::kClip;
  return std::make_unique<IndexingCuda>(plan);
}

std::unique_ptr<Kernel> CreatePick(const KernelArgs& a) {
  const PickParam& p = a.param<PickParam>();
  const Shape& s = a.in[0].shape;
  IndexPlan plan = Plan(a, Kind::kPick, 1, DataElem(a), "pick");
  if (plan.n_out == 0) return std::make_unique<IndexingCuda>(plan);
  const int ax = NormalizeAxis(*p.axis, s.ndim());
  MXS_CHECK_CODE(s[ax] > 0, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": picking from an empty axis";
  plan.pick.n = plan.n_out;
  plan.pick.size = s[ax];
  plan.pick.trail = ShapeProduct(s, ax + 1, s.ndim());
  plan.pick.clip = p.mode == IndexMode::kClip;
  return std::make_unique<IndexingCuda>(plan);
}

std::unique_ptr<Kernel> CreateBatchTake(const KernelArgs& a) {
  const Shape& s = a.in[0].shape;
  IndexPlan plan = Plan(a, Kind::kPick, 1, DataElem(a), "batch_take");
  if (plan.n_out == 0) return std::make_unique<IndexingCuda>(plan);
  plan.pick.n = plan.n_out;
  plan.pick.size = s[s.ndim() - 1];
  plan.pick.trail = 1;
  plan.pick.clip = true;
  MXS_CHECK_CODE(plan.pick.size > 0, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": taking from empty rows";
  return std::make_unique<IndexingCuda>(plan);
}

std::unique_ptr<Kernel> CreateOneHot(const KernelArgs& a) {
  const OneHotParam& p = a.param<OneHotParam>();
  const DType t = a.out[0].dtype;
  IndexPlan plan = Plan(a, Kind::kOneHot, 0, DTypeSize(t), "one_hot");
  const bool ok =
      ValueBits(t, p.on_value, &plan.on_bits) && ValueBits(t, p.off_value, &plan.off_bits);
  MXS_CHECK_CODE(ok, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": an output of dtype " << DTypeName(t)
      << " has no CUDA kernel";
  plan.depth = p.depth;
  return std::make_unique<IndexingCuda>(plan);
}

std::unique_ptr<Kernel> CreateGatherNd(const KernelArgs& a) {
  const Shape& d = a.in[0].shape;
  const Shape& idx = a.in[1].shape;
  IndexPlan plan = Plan(a, Kind::kGatherNd, 1, DataElem(a), "gather_nd");
  if (plan.n_out == 0) return std::make_unique<IndexingCuda>(plan);
  const int m = static_cast<int>(idx[0]);
  MXS_CHECK_CODE(m <= kMaxIndexed, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": more than " << kMaxIndexed
      << " indexed axes have no CUDA kernel";
  GatherGeom& g = plan.gather;
  g.m = m;
  int64_t stride = 1;
  for (int j = m - 1; j >= 0; --j) {
    g.sizes[j] = d[j];
    g.strides[j] = stride;
    stride *= d[j];
    MXS_CHECK_CODE(d[j] > 0, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": gathering from an empty axis";
  }
  g.n = plan.n_out;
  g.block = ShapeProduct(d, m, d.ndim());
  g.blocks = idx.Size() / m;
  return std::make_unique<IndexingCuda>(plan);
}

}  // namespace
}  // namespace cuda

// Data elements are moved as bytes; the indices are read in the dtypes the CPU kernel reads.
MXS_REGISTER_KERNELS(cuda, indexing) {
  r.Add("take", cuda::CreateTake).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("pick", cuda::CreatePick).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("batch_take", cuda::CreateBatchTake).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
  r.Add("one_hot", cuda::CreateOneHot).DTypes(dtypes::kValue);
  r.Add("gather_nd", cuda::CreateGatherNd).DTypes(dtypes::kAny).Input(1, dtypes::kValue);
}

}  // namespace mxserve
