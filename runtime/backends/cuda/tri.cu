// SPDX-License-Identifier: Apache-2.0
// _npi_tril, _npi_triu and _npi_diag on CUDA for row-major tensors of any dtype: one thread per
// output element copies its input element or writes zero, elements moved as 1, 2, 4 or 8 bytes.
// tril keeps column c of row r where c - r <= k, triu where c - r >= k (a 1-D input is its row
// repeated); diag reads the k-th diagonal of a matrix, or writes a vector onto it.
#include "ops/tri.h"

#include <cstdint>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct TriGeom {
  int64_t n = 0;           ///< output elements
  int64_t rows = 1, cols = 1;
  int64_t row_stride = 0;  ///< input elements between rows: cols, or 0 for a 1-D input
  int64_t k = 0;
  bool lower = true;
};

/// The input element output element i copies, or -1 for zero.
__host__ __device__ __forceinline__ int64_t TriSource(const TriGeom& g, int64_t i) {
  const int64_t c = i % g.cols, br = i / g.cols;
  const int64_t r = br % g.rows;
  const bool keep = g.lower ? c - r <= g.k : c - r >= g.k;
  return keep ? br * g.row_stride + c : -1;
}

struct DiagGeom {
  int64_t n = 0;      ///< output elements
  int64_t len = 0;    ///< diagonal length
  int64_t cols = 1;   ///< columns of the matrix side
  int64_t r0 = 0, c0 = 0;  ///< the diagonal's first row and column
  bool extract = true;     ///< 2-D input (read the diagonal) or 1-D (build the matrix)
};

__host__ __device__ __forceinline__ int64_t DiagSource(const DiagGeom& g, int64_t i) {
  if (g.extract) return (g.r0 + i) * g.cols + g.c0 + i;
  const int64_t d = i / g.cols - g.r0;
  return d >= 0 && d < g.len && i % g.cols == g.c0 + d ? d : -1;
}

template <typename E>
__global__ void TriKernel(const E* x, E* y, TriGeom g) {
  MXS_GRID_STRIDE(i, g.n) {
    const int64_t src = TriSource(g, i);
    y[i] = src >= 0 ? x[src] : E(0);
  }
}

template <typename E>
__global__ void DiagKernel(const E* x, E* y, DiagGeom g) {
  MXS_GRID_STRIDE(i, g.n) {
    const int64_t src = DiagSource(g, i);
    y[i] = src >= 0 ? x[src] : E(0);
  }
}

class TriCuda final : public Kernel {
 public:
  TriCuda(const TriGeom& tri, const DiagGeom& diag, bool is_diag, size_t elem)
      : tri_(tri), diag_(diag), is_diag_(is_diag), elem_(elem) {}
  void Run(const RunArgs& args) const override {
    if ((is_diag_ ? diag_.n : tri_.n) == 0) return;
    switch (elem_) {
      case 1: Launch<uint8_t>(args); break;
      case 2: Launch<uint16_t>(args); break;
      case 4: Launch<uint32_t>(args); break;
      default: Launch<uint64_t>(args); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return is_diag_ ? "cuda:diag" : "cuda:tri"; }

 private:
  template <typename E>
  void Launch(const RunArgs& args) const {
    const E* x = static_cast<const E*>(args.in[0]);
    E* y = static_cast<E*>(args.out[0]);
    cudaStream_t s = StreamOf(args).get();
    if (is_diag_)
      DiagKernel<<<GridFor(diag_.n), kThreads, 0, s>>>(x, y, diag_);
    else
      TriKernel<<<GridFor(tri_.n), kThreads, 0, s>>>(x, y, tri_);
  }

  TriGeom tri_;
  DiagGeom diag_;
  bool is_diag_;
  size_t elem_;
};

size_t Elem(const KernelArgs& a) {
  const size_t e = DTypeSize(a.out[0].dtype);
  MXS_CHECK_CODE(a.in[0].dtype == a.out[0].dtype && (e == 1 || e == 2 || e == 4 || e == 8),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": needs input and output of one dtype of "
      << "1, 2, 4 or 8 bytes";
  return e;
}

template <bool kLower>
std::unique_ptr<Kernel> CreateTri(const KernelArgs& a) {
  const size_t e = Elem(a);
  const Shape& o = a.out[0].shape;
  TriGeom g;
  g.n = o.Size();
  g.rows = o[o.ndim() - 2];
  g.cols = o[o.ndim() - 1];
  g.row_stride = a.in[0].shape.ndim() == 1 ? 0 : g.cols;
  g.k = a.param<TriParam>().k;
  g.lower = kLower;
  return std::make_unique<TriCuda>(g, DiagGeom{}, false, e);
}

std::unique_ptr<Kernel> CreateDiag(const KernelArgs& a) {
  const size_t e = Elem(a);
  const int64_t k = a.param<TriParam>().k;
  DiagGeom g;
  g.extract = a.in[0].shape.ndim() == 2;
  g.n = a.out[0].shape.Size();
  g.len = g.extract ? a.out[0].shape[0] : a.in[0].shape[0];
  g.cols = g.extract ? a.in[0].shape[1] : a.out[0].shape[1];
  g.r0 = k < 0 ? -k : 0;
  g.c0 = k > 0 ? k : 0;
  return std::make_unique<TriCuda>(TriGeom{}, g, true, e);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, tri) {
  r.Add("_npi_tril", cuda::CreateTri<true>).DTypes(dtypes::kAny);
  r.Add("_npi_triu", cuda::CreateTri<false>).DTypes(dtypes::kAny);
  r.Add("_npi_diag", cuda::CreateDiag).DTypes(dtypes::kAny);
}

}  // namespace mxserve
