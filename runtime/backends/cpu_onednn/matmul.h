// SPDX-License-Identifier: Apache-2.0
// MatmulKernel: one oneDNN matmul over strided views of the node's tensors, shared by dot,
// batch_dot and the interleaved attention products. An operand is a view (dims and strides in
// elements, the planned dtype) starting some bytes into an input or output; a parameter operand
// is prepacked once into the primitive's preferred format. Operands whose planned dtype differs
// from the compute dtype (bfloat16 mode), and views that are not packed matrices (the attention
// heads), are copied densely into the scratchpad before the product; a destination view that is
// not packed is written densely there and scattered afterwards.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/cpu_onednn/engine.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {

/// One matmul operand as the kernel finds it at run time.
struct MatmulOperand {
  int index = 0;                   ///< input index (output index for the destination)
  dnnl::memory::desc view;         ///< logical dims, element strides and planned dtype
  size_t offset = 0;               ///< bytes from the tensor's start to the view's first element
  const NDArray* constant = nullptr;  ///< the bound parameter, prepacked at bind time when set
};

/// Describes `dims` with element `strides` and the planned `dtype`.
inline dnnl::memory::desc StridedDesc(const dnnl::memory::dims& dims, const dnnl::memory::dims& strides,
                                      DType dtype) {
  return dnnl::memory::desc(dims, ToDnnl(dtype), strides);
}

class MatmulKernel final : public Kernel {
 public:
  /// Builds dst = src x weights (+ bias) with `attr`'s post-ops, computing in `compute`
  /// (f32 or bf16). `weights_cache` holds prepacked parameters; bias, if present, is float32.
  MatmulKernel(const std::string& what, const MatmulOperand& src, const MatmulOperand& weights,
               const MatmulOperand* bias, const MatmulOperand& dst, dnnl::memory::data_type compute,
               dnnl::primitive_attr attr, WeightCache* weights_cache)
      : what_(what), src_(src), weights_(weights), dst_(dst), has_bias_(bias != nullptr) {
    if (bias) bias_ = *bias;
    CallOneDnn(what_, [&] {
      const auto src_md = Operand(src_, compute, 0);
      dnnl::memory::desc w_md;
      if (weights_.constant) {
        w_md = dnnl::memory::desc(weights_.view.get_dims(), compute, dnnl::memory::format_tag::any);
      } else {
        w_md = Operand(weights_, compute, 1);
      }
      dnnl::memory::desc dst_md = dst_.view;
      if (!Compact(dst_md)) {
        // Written densely into the scratchpad, then scattered into the view.
        stage_dst_ = true;
        const auto dims = dst_md.get_dims();
        dense_dst_ = dnnl::memory::desc(dims, dst_md.get_data_type(), dnnl::memory::format_tag::abc);
        dst_offset_ = Align(stage_bytes_);
        stage_bytes_ = dst_offset_ + dense_dst_.get_size();
        dst_md = dense_dst_;
      }
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc pd;
      if (has_bias_) {
        pd = dnnl::matmul::primitive_desc(Engine(), src_md, w_md, bias_.view, dst_md, attr);
      } else {
        pd = dnnl::matmul::primitive_desc(Engine(), src_md, w_md, dst_md, attr);
      }
      if (weights_.constant) {
        const NDArray* w = weights_.constant;
        std::string key = WeightKey(*w, pd.weights_desc()) + ":v" + std::to_string(weights_.offset);
        for (auto d : weights_.view.get_strides()) key += "," + std::to_string(d);
        packed_ = weights_cache->GetOrCreate(key, [&] {
          return ReorderToBuffer(static_cast<const char*>(w->data->data()) + weights_.offset, weights_.view,
                                 pd.weights_desc());
        });
      }
      prim_src_ = pd.src_desc();
      prim_w_ = pd.weights_desc();
      scratch_md_ = pd.scratchpad_desc();
      scratch_offset_ = Align(stage_bytes_);
      impl_ = pd.impl_info_str();
      prim_ = dnnl::matmul(pd);
      if (stage_[0]) stage_reorder_[0] = dnnl::reorder(pd_view(src_), pd_dense(0));
      if (stage_[1]) stage_reorder_[1] = dnnl::reorder(pd_view(weights_), pd_dense(1));
      if (stage_dst_) dst_reorder_ = dnnl::reorder(pd_mem(dense_dst_), pd_view(dst_));
    });
  }

  size_t ScratchpadBytes() const override { return scratch_offset_ + scratch_md_.get_size(); }
  std::string Describe() const override { return impl_; }

  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<State>();
    CallOneDnn(what_, [&] {
      st->src_view = dnnl::memory(src_.view, Engine(), DNNL_MEMORY_NONE);
      st->w_view = dnnl::memory(weights_.view, Engine(), DNNL_MEMORY_NONE);
      st->src = dnnl::memory(prim_src_, Engine(), DNNL_MEMORY_NONE);
      st->w = dnnl::memory(prim_w_, Engine(),
                           packed_ ? const_cast<void*>(packed_->data()) : DNNL_MEMORY_NONE);
      st->dst = dnnl::memory(stage_dst_ ? dense_dst_ : dst_.view, Engine(), DNNL_MEMORY_NONE);
      st->dst_view = dnnl::memory(dst_.view, Engine(), DNNL_MEMORY_NONE);
      st->map = {{DNNL_ARG_SRC, st->src}, {DNNL_ARG_WEIGHTS, st->w}, {DNNL_ARG_DST, st->dst}};
      if (has_bias_) {
        st->bias = dnnl::memory(bias_.view, Engine(), DNNL_MEMORY_NONE);
        st->map.emplace(DNNL_ARG_BIAS, st->bias);
      }
      if (scratch_md_.get_size() > 0) {
        st->scratch = dnnl::memory(scratch_md_, Engine(), DNNL_MEMORY_NONE);
        st->map.emplace(DNNL_ARG_SCRATCHPAD, st->scratch);
      }
    });
    return st;
  }

  void Run(const RunArgs& args) const override {
    auto* st = static_cast<State*>(args.state);
    auto& stream = static_cast<CpuStream*>(args.stream)->get();
    auto* scratch = static_cast<char*>(args.scratchpad);
    CallOneDnn(what_, [&] {
      void* src = Ptr(args.in[src_.index], src_.offset);
      if (stage_[0]) {
        st->src_view.set_data_handle(src);
        st->src.set_data_handle(scratch + stage_offset_[0]);
        stage_reorder_[0].execute(stream, st->src_view, st->src);
      } else {
        st->src.set_data_handle(src);
      }
      if (!packed_) {
        void* w = Ptr(args.in[weights_.index], weights_.offset);
        if (stage_[1]) {
          st->w_view.set_data_handle(w);
          st->w.set_data_handle(scratch + stage_offset_[1]);
          stage_reorder_[1].execute(stream, st->w_view, st->w);
        } else {
          st->w.set_data_handle(w);
        }
      }
      void* dst = static_cast<char*>(args.out[dst_.index]) + dst_.offset;
      st->dst.set_data_handle(stage_dst_ ? scratch + dst_offset_ : dst);
      if (has_bias_) st->bias.set_data_handle(Ptr(args.in[bias_.index], bias_.offset));
      if (scratch_md_.get_size() > 0) st->scratch.set_data_handle(scratch + scratch_offset_);
      prim_.execute(stream, st->map);
      if (stage_dst_) {
        st->dst_view.set_data_handle(dst);
        dst_reorder_.execute(stream, st->dst, st->dst_view);
      }
    });
  }

 private:
  struct State final : KernelState {
    dnnl::memory src_view, w_view, src, w, dst, dst_view, bias, scratch;
    std::unordered_map<int, dnnl::memory> map;  ///< the primitive's arguments (handles set per call)
  };

  static size_t Align(size_t n) { return (n + 63) / 64 * 64; }
  // True when the matrices of a (batch, rows, cols) view are packed one after the other, each
  // row-major or column-major: oneDNN's fast (brgemm) matmul kernels take those as they are,
  // while interleaved views (the attention heads) fall back to a slow strided GEMM, so they
  // are copied first.
  static bool Compact(const dnnl::memory::desc& md) {
    const auto d = md.get_dims();
    const auto st = md.get_strides();
    if (d.size() != 3) return true;
    const bool row_major = st[2] == 1 && st[1] == d[2];
    const bool col_major = st[1] == 1 && st[2] == d[1];
    return (row_major || col_major) && (d[0] == 1 || st[0] == d[1] * d[2]);
  }
  static void* Ptr(const void* p, size_t offset) {
    return const_cast<char*>(static_cast<const char*>(p)) + offset;
  }
  static dnnl::memory pd_mem(const dnnl::memory::desc& md) { return dnnl::memory(md, Engine(), DNNL_MEMORY_NONE); }
  dnnl::memory pd_view(const MatmulOperand& o) const { return pd_mem(o.view); }
  dnnl::memory pd_dense(int i) const { return pd_mem(dense_[i]); }

  // The descriptor the primitive reads for operand `i`: the view itself, or a dense copy in the
  // compute dtype staged in the scratchpad.
  dnnl::memory::desc Operand(const MatmulOperand& o, dnnl::memory::data_type compute, int i) {
    if (o.view.get_data_type() == compute && Compact(o.view)) return o.view;
    stage_[i] = true;
    const auto dims = o.view.get_dims();
    dnnl::memory::dims strides(dims.size(), 1);
    for (int k = static_cast<int>(dims.size()) - 2; k >= 0; --k) strides[k] = strides[k + 1] * dims[k + 1];
    dense_[i] = dnnl::memory::desc(dims, compute, strides);
    stage_offset_[i] = Align(stage_bytes_);
    stage_bytes_ = stage_offset_[i] + dense_[i].get_size();
    return dense_[i];
  }

  std::string what_;
  MatmulOperand src_, weights_, bias_, dst_;
  bool has_bias_ = false;
  bool stage_[2] = {false, false};        ///< operand converted into the scratchpad first
  dnnl::memory::desc dense_[2];           ///< the converted copies' descriptors
  size_t stage_offset_[2] = {0, 0};       ///< where the converted copies live in the scratchpad
  size_t stage_bytes_ = 0;                ///< scratchpad bytes of the converted copies
  dnnl::reorder stage_reorder_[2];        ///< view -> dense copy, per staged operand
  bool stage_dst_ = false;                ///< the product is written densely, then scattered
  dnnl::memory::desc dense_dst_;          ///< its dense descriptor
  size_t dst_offset_ = 0;                 ///< where it lives in the scratchpad
  dnnl::reorder dst_reorder_;             ///< dense product -> destination view
  dnnl::memory::desc prim_src_, prim_w_;  ///< what the primitive reads
  dnnl::memory::desc scratch_md_;         ///< the primitive's own scratchpad
  size_t scratch_offset_ = 0;             ///< where it starts in the kernel's scratchpad
  std::shared_ptr<const Buffer> packed_;  ///< prepacked parameter weights, or null
  dnnl::matmul prim_;
  std::string impl_;
};

}  // namespace cpu
}  // namespace mxserve
