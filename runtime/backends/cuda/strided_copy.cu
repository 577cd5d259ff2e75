// SPDX-License-Identifier: Apache-2.0
// StridedCopy: the view pair is simplified on the host at bind time and checked to stay inside
// both tensors; the device kernel gives each thread one row-major index (grid-stride loop),
// turns it into an input and an output element through the strides and copies the element as
// an unsigned integer of its size, so every dtype of 1, 2, 4 or 8 bytes is handled.
#include "backends/cuda/strided_copy.h"

#include <algorithm>
#include <utility>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"
#include "graph/graph.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename T>
__global__ void StridedCopyKernel(const T* x, T* y, StridedCopy c) {
  MXS_GRID_STRIDE(i, c.n) {
    int64_t rest = i, src = c.in_offset, dst = c.out_offset;
    for (int d = c.ndim - 1; d >= 0; --d) {
      const int64_t j = rest % c.dims[d];
      rest /= c.dims[d];
      src += j * c.in_strides[d];
      dst += j * c.out_strides[d];
    }
    y[dst] = x[src];
  }
}

// Whether every element `v` reaches lies in [0, size); an empty view reaches none.
bool Inside(const StridedView& v, int64_t size) {
  if (v.Size() == 0) return true;
  int64_t lo = v.offset, hi = v.offset;
  for (size_t k = 0; k < v.dims.size(); ++k) {
    const int64_t span = (v.dims[k] - 1) * v.strides[k];
    lo += std::min<int64_t>(span, 0);
    hi += std::max<int64_t>(span, 0);
  }
  return lo >= 0 && hi < size;
}

bool CopyableElement(size_t elem) { return elem == 1 || elem == 2 || elem == 4 || elem == 8; }

/// Copies for each output (gather) or each input (scatter), all of one element size.
class StridedCopyCuda final : public Kernel {
 public:
  StridedCopyCuda(std::vector<StridedCopy> copies, size_t elem, bool scatter, std::string name)
      : copies_(std::move(copies)), elem_(elem), scatter_(scatter), name_(std::move(name)) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    for (size_t k = 0; k < copies_.size(); ++k) {
      if (scatter_)
        LaunchStridedCopy(copies_[k], elem_, args.in[k], args.out[0], s);
      else
        LaunchStridedCopy(copies_[k], elem_, args.in[0], args.out[k], s);
    }
  }
  std::string Describe() const override { return "cuda:" + name_; }

 private:
  std::vector<StridedCopy> copies_;  ///< one per output (gather) or per input (scatter)
  size_t elem_;                      ///< bytes per element
  bool scatter_;                     ///< copy k reads input k into output 0
  std::string name_;                 ///< the operator family, for Describe()
};

size_t CheckedElement(const KernelArgs& a) {
  const size_t elem = DTypeSize(a.in[0].dtype);
  MXS_CHECK_CODE(CopyableElement(elem), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": " << DTypeName(a.in[0].dtype)
      << " elements on CUDA (1, 2, 4 or 8 bytes are copied)";
  for (const TensorDesc& t : a.out)
    MXS_CHECK_CODE(t.dtype == a.in[0].dtype, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": an output of " << DTypeName(t.dtype)
        << " from an input of " << DTypeName(a.in[0].dtype);
  return elem;
}

}  // namespace

StridedCopy MakeStridedCopy(const KernelArgs& a, const StridedView& src, int64_t in_size,
                            const StridedView& dst, int64_t out_size) {
  MXS_CHECK_CODE(Inside(src, in_size) && Inside(dst, out_size), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": a strided view reaches outside its tensor";
  const std::pair<StridedView, StridedView> p = SimplifiedPair(src, dst);
  const int ndim = static_cast<int>(p.first.dims.size());
  MXS_CHECK_CODE(ndim <= kMaxCopyDims, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": a strided copy of " << ndim
      << " dims on CUDA (at most " << kMaxCopyDims << ")";
  StridedCopy c;
  c.ndim = ndim;
  for (int k = 0; k < kMaxCopyDims; ++k) {
    c.dims[k] = k < ndim ? p.first.dims[k] : 1;
    c.in_strides[k] = k < ndim ? p.first.strides[k] : 0;
    c.out_strides[k] = k < ndim ? p.second.strides[k] : 0;
  }
  c.in_offset = p.first.offset;
  c.out_offset = p.second.offset;
  c.n = p.first.Size();
  return c;
}

void LaunchStridedCopy(const StridedCopy& c, size_t elem, const void* x, void* y,
                       cudaStream_t s) {
  if (c.n == 0) return;
  const unsigned grid = GridFor(c.n);
  switch (elem) {
    case 1:
      StridedCopyKernel<<<grid, kThreads, 0, s>>>(static_cast<const uint8_t*>(x),
                                                  static_cast<uint8_t*>(y), c);
      break;
    case 2:
      StridedCopyKernel<<<grid, kThreads, 0, s>>>(static_cast<const uint16_t*>(x),
                                                  static_cast<uint16_t*>(y), c);
      break;
    case 4:
      StridedCopyKernel<<<grid, kThreads, 0, s>>>(static_cast<const uint32_t*>(x),
                                                  static_cast<uint32_t*>(y), c);
      break;
    default:
      StridedCopyKernel<<<grid, kThreads, 0, s>>>(static_cast<const uint64_t*>(x),
                                                  static_cast<uint64_t*>(y), c);
      break;
  }
  MXS_CUDA_CHECK_LAUNCH();
}

std::unique_ptr<Kernel> MakeGatherCuda(const KernelArgs& a, const std::vector<StridedView>& views,
                                       const std::string& name) {
  const size_t elem = CheckedElement(a);
  MXS_CHECK_CODE(views.size() == a.out.size(), kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << views.size() << " views for "
      << a.out.size() << " outputs";
  std::vector<StridedCopy> copies;
  for (size_t k = 0; k < views.size(); ++k) {
    const int64_t n = a.out[k].shape.Size();
    MXS_CHECK_CODE(views[k].Size() == n, kInternal)
        << "failed to plan " << NodeDesc(a.node) << ": a view of " << views[k].Size()
        << " elements for output " << k << " of " << n;
    copies.push_back(MakeStridedCopy(a, views[k], a.in[0].shape.Size(),
                                     RowMajorView(views[k].dims), n));
  }
  return std::make_unique<StridedCopyCuda>(std::move(copies), elem, false, name);
}

std::unique_ptr<Kernel> MakeScatterCuda(const KernelArgs& a, const std::vector<StridedView>& slots,
                                        const std::string& name) {
  const size_t elem = CheckedElement(a);
  MXS_CHECK_CODE(slots.size() == a.in.size(), kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << slots.size() << " slots for "
      << a.in.size() << " inputs";
  std::vector<StridedCopy> copies;
  for (size_t k = 0; k < slots.size(); ++k) {
    const int64_t n = a.in[k].shape.Size();
    MXS_CHECK_CODE(a.in[k].dtype == a.in[0].dtype && slots[k].Size() == n, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": input " << k << " ("
        << a.in[k].shape.ToString() << " " << DTypeName(a.in[k].dtype)
        << ") does not fit its slot";
    copies.push_back(MakeStridedCopy(a, RowMajorView(slots[k].dims), n, slots[k],
                                     a.out[0].shape.Size()));
  }
  return std::make_unique<StridedCopyCuda>(std::move(copies), elem, true, name);
}

}  // namespace cuda
}  // namespace mxserve
