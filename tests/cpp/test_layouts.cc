// SPDX-License-Identifier: Apache-2.0
// The channels-last arithmetic of the CUDA backend and the host fallback, checked without a GPU:
// the element strides and memory-order axis splits of backends/layouts.h against the NHWC order
// written out from first principles, the layout conversion (as a strided copy and on the host),
// a convolution weight in cuDNN's NHWC filter order, the CUDA Pooling kernel's per-element
// arithmetic (backends/cuda/pool_window.h) in all four input/output layout pairs against the CPU
// Pooling kernel, itself checked against MXNet by the oracle tests, and the broadcast strides of
// the binary kernels (backends/cuda/broadcast_strides.h) with each operand and the output in
// either layout against numpy broadcasting written out.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "backends/cuda/broadcast_strides.h"
#include "backends/cuda/pool_window.h"
#include "backends/layouts.h"
#include "one_node.h"

using namespace mxserve;
using namespace mxserve::cuda;
using namespace mxserve::testing;

namespace {

int failures = 0;

void Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  ++failures;
}

/// The logical coordinates of row-major element i of `s`.
std::vector<int64_t> Coords(const Shape& s, int64_t i) {
  std::vector<int64_t> x(s.ndim());
  for (int d = s.ndim() - 1; d >= 0; --d) {
    x[d] = i % s[d];
    i /= s[d];
  }
  return x;
}

/// Where logical coordinates x of `s` lie in channels-last memory: row-major over
/// (N, spatial..., C).
int64_t NhwcOffset(const Shape& s, const std::vector<int64_t>& x) {
  int64_t off = x[0];
  for (int d = 2; d < s.ndim(); ++d) off = off * s[d] + x[d];
  return off * s[1] + x[1];
}

int64_t Dot(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  int64_t r = 0;
  for (size_t i = 0; i < a.size(); ++i) r += a[i] * b[i];
  return r;
}

/// `v` (row-major) stored in `layout`.
std::vector<float> Store(const Shape& s, const std::vector<float>& v, Layout layout) {
  if (layout == Layout::kRowMajor) return v;
  std::vector<float> out(v.size());
  for (int64_t i = 0; i < s.Size(); ++i) out[NhwcOffset(s, Coords(s, i))] = v[i];
  return out;
}

/// The copy of a (src, dst) view pair as the CUDA strided copy does it: simplified first, then
/// y[dst offset of i] = x[src offset of i] for every index i of the index space.
void HostCopy(const std::pair<StridedView, StridedView>& views, const float* x, float* y) {
  const auto [src, dst] = SimplifiedPair(views.first, views.second);
  const int64_t n = src.Size();
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, so = src.offset, dof = dst.offset;
    for (int d = static_cast<int>(src.dims.size()) - 1; d >= 0; --d) {
      const int64_t k = rest % src.dims[d];
      rest /= src.dims[d];
      so += k * src.strides[d];
      dof += k * dst.strides[d];
    }
    y[dof] = x[so];
  }
}

void CheckStridesAndSplits(const Shape& s) {
  const std::string what = "layout of " + s.ToString();
  const auto cl = LayoutStrides(s, Layout::kChannelsLast);
  const auto rm = LayoutStrides(s, Layout::kRowMajor);
  const auto mem = MemoryDims(s, Layout::kChannelsLast);
  if (Shape(mem).Size() != s.Size() || mem.back() != s[1]) Fail(what + ": memory dims");
  std::vector<AxisSplit> splits;
  for (int axis = 0; axis < s.ndim(); ++axis) {
    splits.push_back(MemorySplit(s, axis, Layout::kChannelsLast));
    const AxisSplit& a = splits.back();
    if (a.outer * a.n * a.inner != s.Size() || a.n != s[axis])
      Fail(what + ": split of axis " + std::to_string(axis));
    const AxisSplit r = MemorySplit(s, axis, Layout::kRowMajor);
    if (r.outer != ShapeProduct(s, 0, axis) || r.inner != ShapeProduct(s, axis + 1, s.ndim()))
      Fail(what + ": row-major split of axis " + std::to_string(axis));
  }
  for (int64_t i = 0; i < s.Size(); ++i) {
    const auto x = Coords(s, i);
    const int64_t off = NhwcOffset(s, x);
    if (Dot(rm, x) != i) return Fail(what + ": row-major strides");
    if (Dot(cl, x) != off) return Fail(what + ": channels-last strides");
    for (int axis = 0; axis < s.ndim(); ++axis)
      if ((off / splits[axis].inner) % splits[axis].n != x[axis])
        return Fail(what + ": element's index along axis " + std::to_string(axis));
  }
}

void CheckConversion(const Shape& s) {
  const std::string what = "conversion of " + s.ToString();
  const std::vector<float> v = Values(s, 3);
  std::vector<float> cl(v.size(), NAN), back(v.size(), NAN);
  HostCopy(LayoutConversion(s, Layout::kRowMajor, Layout::kChannelsLast), v.data(), cl.data());
  if (cl != Store(s, v, Layout::kChannelsLast)) Fail(what + " to channels-last");
  HostCopy(LayoutConversion(s, Layout::kChannelsLast, Layout::kRowMajor), cl.data(), back.data());
  if (back != v) Fail(what + " back to row-major");
  std::vector<float> host(v.size(), NAN);
  ConvertLayout(v.data(), host.data(), s, sizeof(float), Layout::kRowMajor, Layout::kChannelsLast);
  if (host != cl) Fail(what + " on the host");
  ConvertLayout(cl.data(), host.data(), s, sizeof(float), Layout::kChannelsLast, Layout::kRowMajor);
  if (host != v) Fail(what + " back on the host");
}

/// cuDNN's NHWC filter order (K, spatial..., C / groups), written out, of weight `w`
/// (K, C / groups, spatial...): element (k, c, r...) at (k * window + r) * C + c.
void CheckWeight(const Shape& w, bool coincide) {
  const std::string what = "NHWC filter order of " + w.ToString();
  const std::vector<float> v = Values(w, 5);
  std::vector<float> got(v.size(), NAN), want(v.size(), NAN);
  ConvertLayout(v.data(), got.data(), w, sizeof(float), Layout::kRowMajor, Layout::kChannelsLast);
  const int64_t k = w[0], c = w[1], window = ShapeProduct(w, 2, w.ndim());
  for (int64_t o = 0; o < k; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t r = 0; r < window; ++r)
        want[(o * window + r) * c + i] = v[(o * c + i) * window + r];
  if (got != want) Fail(what);
  if (LayoutsCoincide(w) != coincide) Fail(what + ": LayoutsCoincide");
  if (coincide && got != v) Fail(what + ": bytes moved");
}

/// One Pooling node in every pair of input and output layouts against the CPU kernel.
void CheckPooling(const std::map<std::string, std::string>& attrs, const Shape& in) {
  std::string what = "Pooling " + in.ToString();
  for (const auto& [k, v] : attrs) what += " " + k + "=" + v;
  std::vector<std::vector<float>> inputs;
  Shape out;
  const std::vector<float> want =
      CpuOutput(OneNode{"Pooling", attrs, {{"data", in}}}, &inputs, &out);
  const PoolingParam p = PoolingParam::Parse(attrs);
  for (Layout il : {Layout::kRowMajor, Layout::kChannelsLast})
    for (Layout ol : {Layout::kRowMajor, Layout::kChannelsLast}) {
      const std::string pair = what + (il == Layout::kChannelsLast ? " nhwc->" : " nchw->") +
                               (ol == Layout::kChannelsLast ? "nhwc" : "nchw");
      PoolWindow w;
      if (!PoolWindowOf(p, in, out, il, ol, &w)) return Fail(pair + ": no window");
      if (w.size() != out.Size()) return Fail(pair + ": output size");
      const std::vector<float> x = Store(in, inputs[0], il);
      std::vector<float> y(want.size());
      for (int64_t i = 0; i < w.size(); ++i)
        y[i] = PoolElement(w, i, [&](int64_t k) { return x.at(k); });
      const std::vector<float> expect = Store(out, want, ol);
      for (size_t i = 0; i < y.size(); ++i)
        if (!(std::fabs(y[i] - expect[i]) <= 1e-5f + 1e-5f * std::fabs(expect[i]))) {
          Fail(pair + ": element " + std::to_string(i) + " is " + std::to_string(y[i]) +
               ", the CPU kernel gives " + std::to_string(expect[i]));
          break;
        }
    }
}

bool CanBeChannelsLast(const Shape& s) { return s.ndim() >= 3 && s.ndim() <= 5; }

/// lhs * 10 + rhs broadcast to `out` (numpy rules) through MakeBroadcastStrides and
/// BroadcastOperands, in every combination of layouts, against the broadcast written out over
/// logical coordinates.
void CheckBroadcast(const Shape& lhs, const Shape& rhs, const Shape& out) {
  const std::vector<float> a = Values(lhs, 1), b = Values(rhs, 2);
  std::vector<float> want(out.Size());
  for (int64_t i = 0; i < out.Size(); ++i) {
    const auto x = Coords(out, i);
    auto at = [&](const Shape& s) {  // row-major element of `s` that logical x reads
      int64_t off = 0;
      for (int d = 0; d < s.ndim(); ++d) {
        const int64_t c = s[d] == 1 ? 0 : x[out.ndim() - s.ndim() + d];
        off = off * s[d] + c;
      }
      return off;
    };
    want[i] = a[at(lhs)] * 10 + b[at(rhs)];
  }
  for (Layout la : {Layout::kRowMajor, Layout::kChannelsLast})
    for (Layout lb : {Layout::kRowMajor, Layout::kChannelsLast})
      for (Layout lo : {Layout::kRowMajor, Layout::kChannelsLast}) {
        if ((la == Layout::kChannelsLast && !CanBeChannelsLast(lhs)) ||
            (lb == Layout::kChannelsLast && !CanBeChannelsLast(rhs)) ||
            (lo == Layout::kChannelsLast && !CanBeChannelsLast(out)))
          continue;
        const std::string what = "broadcast " + lhs.ToString() + " x " + rhs.ToString() + " (" +
                                 std::to_string(static_cast<int>(la)) +
                                 std::to_string(static_cast<int>(lb)) +
                                 std::to_string(static_cast<int>(lo)) + ")";
        BroadcastStrides s;
        if (!MakeBroadcastStrides(TensorDesc{lhs, DType::kFloat32, la},
                                  TensorDesc{rhs, DType::kFloat32, lb},
                                  TensorDesc{out, DType::kFloat32, lo}, &s))
          return Fail(what + ": no strides");
        const std::vector<float> x = Store(lhs, a, la), y = Store(rhs, b, lb);
        std::vector<float> got(want.size(), NAN);
        for (int64_t i = 0; i < out.Size(); ++i) {
          int64_t ia, ib;
          BroadcastOperands(s, i, &ia, &ib);
          got[i] = x.at(ia) * 10 + y.at(ib);
        }
        if (got != Store(out, want, lo)) Fail(what);
      }
}

}  // namespace

int main() {
  for (const Shape& s :
       {Shape{2, 3, 5}, Shape{2, 4, 3, 5}, Shape{1, 3, 2, 3, 4}, Shape{3, 1, 4, 1}}) {
    CheckStridesAndSplits(s);
    CheckConversion(s);
  }
  CheckWeight(Shape{8, 4, 3, 3}, false);
  CheckWeight(Shape{6, 3, 5}, false);
  CheckWeight(Shape{4, 2, 3, 3, 3}, false);
  CheckWeight(Shape{8, 1, 3, 3}, true);   // depthwise
  CheckWeight(Shape{8, 16, 1, 1}, true);  // 1x1
  CheckPooling(
      {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"pool_type", "max"}},
      Shape{2, 3, 7, 6});
  CheckPooling({{"kernel", "(3, 3)"},
                {"stride", "(2, 2)"},
                {"pool_type", "max"},
                {"pooling_convention", "full"}},
               Shape{1, 4, 8, 7});
  CheckPooling({{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"pool_type", "avg"}}, Shape{2, 3, 5, 6});
  CheckPooling({{"kernel", "(3, 3)"},
                {"stride", "(2, 2)"},
                {"pad", "(1, 1)"},
                {"pool_type", "avg"},
                {"count_include_pad", "False"}},
               Shape{1, 5, 6, 6});
  CheckPooling({{"kernel", "(1, 1)"}, {"global_pool", "True"}, {"pool_type", "avg"}},
               Shape{2, 6, 4, 3});
  CheckPooling({{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "sum"}},
               Shape{1, 3, 4, 6});
  for (const char* pv : {"1", "2", "3"})
    CheckPooling({{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", pv}}, Shape{1, 2, 4, 5});
  CheckPooling({{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pool_type", "max"}}, Shape{2, 3, 9});
  CheckPooling({{"kernel", "(2, 2, 2)"}, {"stride", "(2, 2, 2)"}, {"pool_type", "avg"}},
               Shape{1, 2, 4, 4, 4});
  CheckBroadcast(Shape{2, 3, 4, 5}, Shape{2, 3, 1, 1}, Shape{2, 3, 4, 5});  // SE scale
  CheckBroadcast(Shape{2, 3, 1, 1}, Shape{2, 3, 4, 5}, Shape{2, 3, 4, 5});
  CheckBroadcast(Shape{2, 3, 4, 5}, Shape{3, 1, 1}, Shape{2, 3, 4, 5});  // per channel
  CheckBroadcast(Shape{2, 3, 4, 5}, Shape{5}, Shape{2, 3, 4, 5});
  CheckBroadcast(Shape{1, 3, 1, 5}, Shape{2, 1, 4, 1}, Shape{2, 3, 4, 5});  // both broadcast
  CheckBroadcast(Shape{2, 4, 3}, Shape{1, 4, 1}, Shape{2, 4, 3});
  CheckBroadcast(Shape{2, 2, 3, 2, 3}, Shape{2, 2, 1, 1, 1}, Shape{2, 2, 3, 2, 3});
  CheckBroadcast(Shape(std::vector<int64_t>{}), Shape{2, 3, 4, 5}, Shape{2, 3, 4, 5});  // scalar
  if (failures == 0) std::printf("layouts: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
