// SPDX-License-Identifier: Apache-2.0
// slice, slice_axis and slice_like as one strided gather in plain C++ (oneDNN memory
// descriptors cannot express negative strides). Trailing axes that are copied whole are merged
// into one contiguous block, so the common cases (slicing leading axes, step 1 on the last
// axis) become one memcpy per output row.
#include "ops/slice.h"

#include <cstring>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

class SliceKernel final : public Kernel {
 public:
  SliceKernel(const TensorDesc& in, const SliceWindow& w) {
    const int ndim = in.shape.ndim();
    const int64_t elem = static_cast<int64_t>(DTypeSize(in.dtype));
    // Merge trailing axes read whole (start 0, step 1, full size) into the block size.
    int m = ndim;
    block_ = elem;
    while (m > 0 && w.begin[m - 1] == 0 && w.step[m - 1] == 1 && w.out[m - 1] == in.shape[m - 1]) {
      block_ *= in.shape[m - 1];
      --m;
    }
    std::vector<int64_t> in_stride(ndim + 1, elem);
    for (int i = ndim - 1; i >= 0; --i) in_stride[i] = in_stride[i + 1] * in.shape[i];
    // in_stride[i] is now the byte size of axes [i, ndim); shift to get each axis' stride.
    base_ = 0;
    for (int i = 0; i < m; ++i) {
      int64_t stride = in_stride[i + 1];
      base_ += w.begin[i] * stride;
      out_dims_.push_back(w.out[i]);
      src_stride_.push_back(stride * w.step[i]);
    }
    // A contiguous last axis (step 1) joins the block as well.
    if (m > 0 && w.step[m - 1] == 1) {
      block_ *= w.out[m - 1];
      out_dims_.pop_back();
      src_stride_.pop_back();
    }
    rows_ = 1;
    for (int64_t d : out_dims_) rows_ *= d;
  }

  void Run(const RunArgs& args) const override {
    const char* src = static_cast<const char*>(args.in[0]) + base_;
    char* dst = static_cast<char*>(args.out[0]);
    const int nd = static_cast<int>(out_dims_.size());
    const int64_t block = block_;
#pragma omp parallel for if (rows_ * block > (1 << 16))
    for (int64_t row = 0; row < rows_; ++row) {
      int64_t off = 0, rest = row;
      for (int k = nd - 1; k >= 0; --k) {
        off += (rest % out_dims_[k]) * src_stride_[k];
        rest /= out_dims_[k];
      }
      CopyBlock(dst + row * block, src + off, block);
    }
  }

  std::string Describe() const override { return "ref:strided_copy"; }

 private:
  // Small blocks (single elements) are copied by value; memcpy's call costs more than the copy.
  static void CopyBlock(char* dst, const char* src, int64_t n) {
    switch (n) {
      case 4:
        std::memcpy(dst, src, 4);
        break;
      case 2:
        std::memcpy(dst, src, 2);
        break;
      case 8:
        std::memcpy(dst, src, 8);
        break;
      default:
        std::memcpy(dst, src, static_cast<size_t>(n));
    }
  }

  std::vector<int64_t> out_dims_;     ///< output sizes of the axes iterated row by row
  std::vector<int64_t> src_stride_;   ///< input byte stride per iterated axis (step included, may be negative)
  int64_t base_ = 0;                  ///< byte offset of the first element read
  int64_t block_ = 0;                 ///< bytes copied contiguously per row
  int64_t rows_ = 0;                  ///< number of rows (product of out_dims_)
};

class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> MakeSlice(const KernelArgs& a, const SliceWindow& w) {
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor && a.out[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << a.node.op << " node '" << a.node.name << "': only row-major tensors are supported";
  if (w.out.Size() == 0) return std::make_unique<EmptyKernel>();
  return std::make_unique<SliceKernel>(a.in[0], w);
}

std::unique_ptr<Kernel> CreateSlice(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceParam>().Window(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateSliceAxis(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceAxisParam>().Window(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateSliceLike(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceLikeParam>().Window(a.in[0].shape, a.in[1].shape));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, slice) {
  r.Add("slice", cpu::CreateSlice).DTypes(dtypes::kAny);
  r.Add("slice_axis", cpu::CreateSliceAxis).DTypes(dtypes::kAny);
  r.Add("slice_like", cpu::CreateSliceLike).DTypes(dtypes::kAny);
}

}  // namespace mxserve
