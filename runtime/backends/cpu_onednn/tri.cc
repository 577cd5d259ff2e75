// SPDX-License-Identifier: Apache-2.0
// _npi_tril, _npi_triu and _npi_diag as byte copies (any dtype) on row-major tensors.
#include "ops/tri.h"

#include <cstring>

#include "backends/backend.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

/// tril / triu over (batch, rows, cols) matrices; a 1-D input is one row repeated (row stride 0).
class TriKernel final : public Kernel {
 public:
  TriKernel(const TensorDesc& in, const TensorDesc& out, int64_t k, bool lower)
      : elem_(DTypeSize(out.dtype)), k_(k), lower_(lower) {
    const Shape& o = out.shape;
    rows_ = o[o.ndim() - 2];
    cols_ = o[o.ndim() - 1];
    batch_ = rows_ * cols_ == 0 ? 0 : o.Size() / (rows_ * cols_);
    in_row_stride_ = in.shape.ndim() == 1 ? 0 : cols_;
  }

  void Run(const RunArgs& args) const override {
    const char* src = static_cast<const char*>(args.in[0]);
    char* dst = static_cast<char*>(args.out[0]);
    const int64_t n = batch_ * rows_;
    const size_t e = elem_;
#pragma omp parallel for if (n * cols_ > (1 << 15))
    for (int64_t br = 0; br < n; ++br) {
      const int64_t b = br / rows_, r = br % rows_;
      const char* in_row = src + (b * rows_ * in_row_stride_ + r * in_row_stride_) * e;
      char* out_row = dst + br * cols_ * e;
      // Columns [lo, hi) are kept.
      int64_t lo = lower_ ? 0 : std::min(std::max<int64_t>(r + k_, 0), cols_);
      int64_t hi = lower_ ? std::min(std::max<int64_t>(r + k_ + 1, 0), cols_) : cols_;
      std::memset(out_row, 0, cols_ * e);
      if (hi > lo) std::memcpy(out_row + lo * e, in_row + lo * e, (hi - lo) * e);
    }
  }
  std::string Describe() const override { return "ref:tri"; }

 private:
  size_t elem_;
  int64_t k_;
  bool lower_;  ///< tril (true) or triu
  int64_t batch_ = 0, rows_ = 0, cols_ = 0;
  int64_t in_row_stride_ = 0;  ///< input elements between rows: cols, or 0 for a 1-D input
};

/// diag: a 2-D input gives out[i] = in[i + max(-k, 0), i + max(k, 0)]; a 1-D input gives a zero
/// matrix with in[i] at (i + max(-k, 0), i + max(k, 0)).
class DiagKernel final : public Kernel {
 public:
  DiagKernel(const TensorDesc& in, const TensorDesc& out, int64_t k)
      : elem_(DTypeSize(out.dtype)), k_(k) {
    extract_ = in.shape.ndim() == 2;
    len_ = extract_ ? out.shape[0] : in.shape[0];
    cols_ = extract_ ? in.shape[1] : out.shape[1];
    out_bytes_ = out.nbytes();
  }
  void Run(const RunArgs& args) const override {
    const char* src = static_cast<const char*>(args.in[0]);
    char* dst = static_cast<char*>(args.out[0]);
    const int64_t r0 = k_ < 0 ? -k_ : 0, c0 = k_ > 0 ? k_ : 0;
    if (!extract_) std::memset(dst, 0, out_bytes_);
    for (int64_t i = 0; i < len_; ++i) {
      const int64_t m = (r0 + i) * cols_ + c0 + i;
      if (extract_) {
        std::memcpy(dst + i * elem_, src + m * elem_, elem_);
      } else {
        std::memcpy(dst + m * elem_, src + i * elem_, elem_);
      }
    }
  }
  std::string Describe() const override { return "ref:diag"; }

 private:
  size_t elem_;
  int64_t k_;
  bool extract_ = true;  ///< 2-D input (take the diagonal) or 1-D (build the matrix)
  int64_t len_ = 0;      ///< diagonal length
  int64_t cols_ = 0;     ///< columns of the matrix side
  size_t out_bytes_ = 0;
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

void CheckRowMajor(const KernelArgs& a) {
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor && a.out[0].layout == Layout::kRowMajor,
                 kUnsupported)
      << "failed to plan " << a.node.def->name() << " node '" << a.node.name
      << "': needs row-major tensors";
}

std::unique_ptr<Kernel> CreateTri(const KernelArgs& a) {
  CheckRowMajor(a);
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  return std::make_unique<TriKernel>(a.in[0], a.out[0], a.param<TriParam>().k,
                                     a.node.def->name() == "_npi_tril");
}

std::unique_ptr<Kernel> CreateDiag(const KernelArgs& a) {
  CheckRowMajor(a);
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  return std::make_unique<DiagKernel>(a.in[0], a.out[0], a.param<TriParam>().k);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, tri) {
  r.Add("_npi_tril", cpu::CreateTri).DTypes(dtypes::kAny);
  r.Add("_npi_triu", cpu::CreateTri).DTypes(dtypes::kAny);
  r.Add("_npi_diag", cpu::CreateDiag).DTypes(dtypes::kAny);
}

}  // namespace mxserve
