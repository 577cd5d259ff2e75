// SPDX-License-Identifier: Apache-2.0
// RNN on oneDNN's lstm_forward (with weights_projection for LSTMP), lbr_gru_forward and
// vanilla_rnn_forward. MXNet stacks bidirectional layers on the concat of both directions, which
// a multi-layer oneDNN primitive does not do, so each bidirectional layer is one
// bidirectional_concat primitive; unidirectional layers share one primitive once their input size
// equals the output width (all but possibly the first). Groups pass their output through two
// scratchpad buffers. The flat MXNet parameter vector is repacked once at bind time into each
// group's oneDNN weights (gate order converted for GRU: MXNet r, z, n; oneDNN u, r, n) and fused
// biases, shared through the WeightCache. An LSTM with cell clipping, which oneDNN has no
// attribute for, runs on a plain reference kernel (gemms through dnnl_sgemm, then the cell).
#include "ops/rnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

constexpr size_t kAlign = 64;

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Where one layer/direction's weights and biases sit in MXNet's parameter vector: for each layer
// and direction i2h (G*H, In), h2h (G*H, R) and, with a projection, h2r (P, H); after every
// weight, for each layer and direction the biases bx (G*H) and bh (G*H).
struct PackedOffsets {
  int64_t i2h = 0;  ///< first element of i2h
  int64_t h2h = 0;  ///< first element of h2h
  int64_t h2r = 0;  ///< first element of h2r (projection only)
  int64_t bx = 0;   ///< first element of the input bias
  int64_t bh = 0;   ///< first element of the recurrent bias
};

PackedOffsets Offsets(const RnnParam& p, int64_t input_size, int64_t layer, int64_t dir) {
  const int64_t gh = p.gates() * p.state_size;
  const int64_t d = p.directions();
  int64_t base = 0;
  for (int64_t l = 0; l < layer; ++l) base += d * p.WeightSize(l, input_size);
  base += dir * p.WeightSize(layer, input_size);
  PackedOffsets o;
  o.i2h = base;
  o.h2h = base + gh * p.LayerInput(layer, input_size);
  o.h2r = o.h2h + gh * p.out_size();
  int64_t weights = 0;
  for (int64_t l = 0; l < p.num_layers; ++l) weights += d * p.WeightSize(l, input_size);
  o.bx = weights + (layer * d + dir) * 2 * gh;
  o.bh = o.bx + gh;
  return o;
}

// MXNet gate of oneDNN gate g: GRU swaps the first two (r, z -> u, r); LSTM and vanilla agree.
int64_t MxGate(RnnMode mode, int64_t g) { return mode == RnnMode::kGru && g < 2 ? 1 - g : g; }

// The (G*H, cols) blocks starting at `starts` (one per layer and direction), as one ldgoi
// (L, D, cols, G, H) array in oneDNN's gate order.
Buffer GatherGoi(const float* w, const RnnParam& p, const std::vector<int64_t>& starts,
                 int64_t cols) {
  const int64_t h = p.state_size, g_count = p.gates();
  Buffer out(sizeof(float) * starts.size() * g_count * h * cols);
  float* dst = out.as<float>();
  for (size_t d = 0; d < starts.size(); ++d)
    for (int64_t g = 0; g < g_count; ++g) {
      const float* src = w + starts[d] + MxGate(p.mode, g) * h * cols;
      std::memcpy(dst + (d * g_count + g) * h * cols, src, sizeof(float) * h * cols);
    }
  return out;
}

// oneDNN's bias (1, D, Gb, H): bx + bh per gate; LBR-GRU keeps the two biases of the new gate
// apart (Gb = 4: u, r, n from the input, n from the state) because the reset gate scales only
// the recurrent one.
Buffer FuseBias(const float* w, const RnnParam& p, int64_t input_size, int64_t layer) {
  const int64_t h = p.state_size, g_count = p.gates();
  const int64_t gb = p.mode == RnnMode::kGru ? 4 : g_count;
  Buffer out(sizeof(float) * p.directions() * gb * h);
  float* dst = out.as<float>();
  for (int64_t d = 0; d < p.directions(); ++d) {
    const PackedOffsets o = Offsets(p, input_size, layer, d);
    float* b = dst + d * gb * h;
    for (int64_t g = 0; g < g_count; ++g) {
      const float* bx = w + o.bx + MxGate(p.mode, g) * h;
      const float* bh = w + o.bh + MxGate(p.mode, g) * h;
      for (int64_t k = 0; k < h; ++k) {
        if (p.mode == RnnMode::kGru && g == 2) {
          b[2 * h + k] = bx[k];
          b[3 * h + k] = bh[k];
        } else {
          b[g * h + k] = bx[k] + bh[k];
        }
      }
    }
  }
  return out;
}

// Consecutive layers run by one primitive: its descriptors and prepacked weights.
struct LayerGroup {
  int64_t first = 0;                                 ///< first layer of the group
  dnnl::primitive prim;                              ///< lstm / lbr_gru / vanilla_rnn forward
  dnnl::memory::desc src, src_iter, src_iter_c;      ///< tnc input and ldnc initial states
  dnnl::memory::desc dst, dst_iter, dst_iter_c;      ///< tnc output, ldnc final states or empty
  dnnl::memory::desc w_layer, w_iter, w_proj, bias;  ///< the primitive's weight descriptors
  std::shared_ptr<const Buffer> w_layer_data;        ///< prepacked i2h weights
  std::shared_ptr<const Buffer> w_iter_data;         ///< prepacked h2h weights
  std::shared_ptr<const Buffer> w_proj_data;         ///< prepacked h2r weights (LSTMP)
  std::shared_ptr<const Buffer> bias_data;           ///< fused biases
  dnnl::memory::desc scratch;                        ///< the primitive's scratchpad
  std::string impl;                                  ///< oneDNN's implementation name
};

// Per-context memory objects of every group, rebound to the call's pointers.
struct RnnState final : KernelState {
  std::vector<std::vector<dnnl::memory>> mems;              ///< per group, in Slot order
  std::vector<std::unordered_map<int, dnnl::memory>> maps;  ///< per group: execute arguments
};

// Argument slots of a group, in the order RnnState keeps their memories.
enum Slot {
  kSrc,
  kSrcIter,
  kSrcIterC,
  kDst,
  kDstIter,
  kDstIterC,
  kWLayer,
  kWIter,
  kWProj,
  kBias,
  kScratch
};
constexpr int kArgs[] = {DNNL_ARG_SRC_LAYER,     DNNL_ARG_SRC_ITER,     DNNL_ARG_SRC_ITER_C,
                         DNNL_ARG_DST_LAYER,     DNNL_ARG_DST_ITER,     DNNL_ARG_DST_ITER_C,
                         DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER, DNNL_ARG_WEIGHTS_PROJECTION,
                         DNNL_ARG_BIAS,          DNNL_ARG_SCRATCHPAD};

class RnnOneDnn final : public Kernel {
 public:
  RnnOneDnn(std::string what, const RnnParam& p, int64_t steps, int64_t batch,
            std::vector<LayerGroup> groups)
      : what_(std::move(what)), p_(p), groups_(std::move(groups)) {
    buffer_bytes_ = AlignUp(sizeof(float) * steps * batch * p.directions() * p.out_size());
    for (const LayerGroup& g : groups_)
      scratch_bytes_ = std::max(scratch_bytes_, g.scratch.get_size());
    state_stride_ = p.directions() * batch * p.out_size();
    cell_stride_ = p.directions() * batch * p.state_size;
  }

  size_t ScratchpadBytes() const override {
    return (groups_.size() > 1 ? 2 * buffer_bytes_ : 0) + scratch_bytes_;
  }
  std::string Describe() const override { return groups_[0].impl; }

  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<RnnState>();
    CallOneDnn(what_, [&] {
      for (const LayerGroup& g : groups_) {
        const dnnl::memory::desc* descs[] = {&g.src,      &g.src_iter,   &g.src_iter_c, &g.dst,
                                             &g.dst_iter, &g.dst_iter_c, &g.w_layer,    &g.w_iter,
                                             &g.w_proj,   &g.bias,       &g.scratch};
        const Buffer* constants[kScratch + 1] = {};
        constants[kWLayer] = g.w_layer_data.get();
        constants[kWIter] = g.w_iter_data.get();
        constants[kWProj] = g.w_proj_data.get();
        constants[kBias] = g.bias_data.get();
        std::vector<dnnl::memory> mems;
        std::unordered_map<int, dnnl::memory> map;
        for (int s = 0; s <= kScratch; ++s) {
          if (descs[s]->get_size() == 0) {
            mems.emplace_back();
            continue;
          }
          void* handle = constants[s] ? constants[s]->data() : DNNL_MEMORY_NONE;
          mems.emplace_back(*descs[s], Engine(), handle);
          map.emplace(kArgs[s], mems.back());
        }
        st->mems.push_back(std::move(mems));
        st->maps.push_back(std::move(map));
      }
    });
    return st;
  }

  void Run(const RunArgs& args) const override {
    auto* st = static_cast<RnnState*>(args.state);
    auto& stream = static_cast<CpuStream*>(args.stream)->get();
    char* scratch = static_cast<char*>(args.scratchpad);
    const bool staged = groups_.size() > 1;
    void* buffers[2] = {scratch, scratch + buffer_bytes_};
    void* prim_scratch = scratch + (staged ? 2 * buffer_bytes_ : 0);
    const bool lstm = p_.mode == RnnMode::kLstm;
    const auto* hx = static_cast<const float*>(args.in[2]);
    const auto* cx = lstm ? static_cast<const float*>(args.in[3]) : nullptr;
    auto* hy = p_.state_outputs ? static_cast<float*>(args.out[1]) : nullptr;
    auto* cy = p_.state_outputs && lstm ? static_cast<float*>(args.out[2]) : nullptr;
    const size_t num = groups_.size();
    CallOneDnn(what_, [&] {
      for (size_t k = 0; k < num; ++k) {
        std::vector<dnnl::memory>& m = st->mems[k];
        auto set = [&](int slot, const void* ptr) {
          if (m[slot]) m[slot].set_data_handle(const_cast<void*>(ptr));
        };
        const int64_t l = groups_[k].first;
        set(kSrc, k == 0 ? args.in[0] : buffers[(k - 1) % 2]);
        set(kDst, k == num - 1 ? args.out[0] : buffers[k % 2]);
        set(kSrcIter, hx + l * state_stride_);
        if (lstm) set(kSrcIterC, cx + l * cell_stride_);
        if (hy) set(kDstIter, hy + l * state_stride_);
        if (cy) set(kDstIterC, cy + l * cell_stride_);
        set(kScratch, prim_scratch);
        groups_[k].prim.execute(stream, st->maps[k]);
      }
    });
  }

 private:
  std::string what_;
  RnnParam p_;
  std::vector<LayerGroup> groups_;
  size_t buffer_bytes_ = 0;   // one layer-output buffer between groups
  size_t scratch_bytes_ = 0;  // largest primitive scratchpad
  int64_t state_stride_ = 0;  // elements of one layer's hidden states (D, N, R)
  int64_t cell_stride_ = 0;   // elements of one layer's cell states (D, N, H)
};

// The primitive of layers [first, first + count), which all have the same input size.
LayerGroup CreateGroup(const KernelArgs& a, const RnnParam& p, int64_t first, int64_t count) {
  const NDArray& w = *a.constants[1];
  const float* wp = w.data->as<float>();
  const int64_t steps = a.in[0].shape[0], batch = a.in[0].shape[1], input_size = a.in[0].shape[2];
  const int64_t d = p.directions(), h = p.state_size, r = p.out_size(), g = p.gates();
  const int64_t in = p.LayerInput(first, input_size);
  const bool lstm = p.mode == RnnMode::kLstm;
  LayerGroup G;
  G.first = first;
  G.src = dnnl::memory::desc({steps, batch, in}, dt::f32, tag::tnc);
  G.dst = dnnl::memory::desc({steps, batch, d * r}, dt::f32, tag::tnc);
  // Empty initial states (batch size 0, see ops/rnn.cc) are left out: oneDNN then starts from 0.
  const dnnl::memory::desc state_md({count, d, batch, r}, dt::f32, tag::ldnc);
  const dnnl::memory::desc cell_md({count, d, batch, h}, dt::f32, tag::ldnc);
  if (a.in[2].shape.Size() > 0) G.src_iter = state_md;
  if (lstm && a.in[3].shape.Size() > 0) G.src_iter_c = cell_md;
  if (p.state_outputs) {
    G.dst_iter = state_md;
    if (lstm) G.dst_iter_c = cell_md;
  }
  const dims w_layer_dims{count, d, in, g, h}, w_iter_dims{count, d, r, g, h};
  const dims w_proj_dims{count, d, h, r};
  dnnl::memory::desc w_layer_any(w_layer_dims, dt::f32, tag::any);
  dnnl::memory::desc w_iter_any(w_iter_dims, dt::f32, tag::any);
  dnnl::memory::desc w_proj_any;
  if (p.projection_size) w_proj_any = dnnl::memory::desc(w_proj_dims, dt::f32, tag::any);
  G.bias = dnnl::memory::desc({count, d, p.mode == RnnMode::kGru ? 4 : g, h}, dt::f32, tag::ldgo);
  const auto prop = dnnl::prop_kind::forward_inference;
  const auto dir = p.bidirectional ? dnnl::rnn_direction::bidirectional_concat
                                   : dnnl::rnn_direction::unidirectional_left2right;
  const dnnl::primitive_attr attr = DefaultAttr();
  auto take = [&](const auto& pd) {
    G.w_layer = pd.weights_layer_desc();
    G.w_iter = pd.weights_iter_desc();
    G.scratch = pd.scratchpad_desc();
    G.impl = pd.impl_info_str();
  };
  if (lstm) {
    dnnl::lstm_forward::primitive_desc pd(Engine(), prop, dir, G.src, G.src_iter, G.src_iter_c,
                                          w_layer_any, w_iter_any, dnnl::memory::desc(), w_proj_any,
                                          G.bias, G.dst, G.dst_iter, G.dst_iter_c, attr);
    G.prim = dnnl::lstm_forward(pd);
    take(pd);
    if (p.projection_size) G.w_proj = pd.weights_projection_desc();
  } else if (p.mode == RnnMode::kGru) {
    dnnl::lbr_gru_forward::primitive_desc pd(Engine(), prop, dir, G.src, G.src_iter, w_layer_any,
                                             w_iter_any, G.bias, G.dst, G.dst_iter, attr);
    G.prim = dnnl::lbr_gru_forward(pd);
    take(pd);
  } else {
    const auto act =
        p.mode == RnnMode::kRnnRelu ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_tanh;
    dnnl::vanilla_rnn_forward::primitive_desc pd(Engine(), prop, act, dir, G.src, G.src_iter,
                                                 w_layer_any, w_iter_any, G.bias, G.dst, G.dst_iter,
                                                 attr);
    G.prim = dnnl::vanilla_rnn_forward(pd);
    take(pd);
  }
  // The packed formats oneDNN picks may depend on the batch and sequence length, hence the key.
  const std::string key = ":rnn:l" + std::to_string(first) + "+" + std::to_string(count) + ":t" +
                          std::to_string(steps) + ":n" + std::to_string(batch) + ":m" +
                          std::to_string(static_cast<int>(p.mode));
  std::vector<int64_t> i2h, h2h, h2r;
  for (int64_t l = first; l < first + count; ++l)
    for (int64_t k = 0; k < d; ++k) {
      const PackedOffsets o = Offsets(p, input_size, l, k);
      i2h.push_back(o.i2h);
      h2h.push_back(o.h2h);
      h2r.push_back(o.h2r);
    }
  G.w_layer_data = a.weights->GetOrCreate(WeightKey(w, G.w_layer) + key + ":layer", [&] {
    Buffer user = GatherGoi(wp, p, i2h, in);
    return ReorderToBuffer(user.data(), {w_layer_dims, dt::f32, tag::ldgoi}, G.w_layer);
  });
  G.w_iter_data = a.weights->GetOrCreate(WeightKey(w, G.w_iter) + key + ":iter", [&] {
    Buffer user = GatherGoi(wp, p, h2h, r);
    return ReorderToBuffer(user.data(), {w_iter_dims, dt::f32, tag::ldgoi}, G.w_iter);
  });
  if (p.projection_size) {
    G.w_proj_data = a.weights->GetOrCreate(WeightKey(w, G.w_proj) + key + ":proj", [&] {
      // h2r is (P, H) per layer and direction: oneDNN's ldoi once they are side by side.
      Buffer user(sizeof(float) * h2r.size() * r * h);
      for (size_t k = 0; k < h2r.size(); ++k)
        std::memcpy(user.as<float>() + k * r * h, wp + h2r[k], sizeof(float) * r * h);
      return ReorderToBuffer(user.data(), {w_proj_dims, dt::f32, tag::ldoi}, G.w_proj);
    });
  }
  G.bias_data = a.weights->GetOrCreate(WeightKey(w, G.bias) + key + ":bias", [&] {
    const size_t per = G.bias.get_size() / count;
    Buffer out(G.bias.get_size());
    for (int64_t l = 0; l < count; ++l) {
      Buffer one = FuseBias(wp, p, input_size, first + l);
      std::memcpy(static_cast<char*>(out.data()) + l * per, one.data(), per);
    }
    return out;
  });
  return G;
}

// LSTM with the cell state clipped to [clip_min, clip_max] after every step (cuDNN's
// cudnnRNNSetClip), which oneDNN cannot express. Each layer and direction computes the input
// projections of all steps in one gemm, then per step the recurrent gemm and the cell.
class LstmReference final : public Kernel {
 public:
  LstmReference(const RnnParam& p, const KernelArgs& a)
      : p_(p),
        t_(a.in[0].shape[0]),
        n_(a.in[0].shape[1]),
        i_(a.in[0].shape[2]),
        empty_state_(a.in[2].shape.Size() == 0),
        empty_cell_(a.in[3].shape.Size() == 0),
        params_(a.constants[1]->data) {
    const int64_t steps = t_, batch = n_;
    const int64_t h = p.state_size, r = p.out_size(), d = p.directions();
    const int64_t sizes[kBuffers] = {steps * batch * d * r,
                                     steps * batch * d * r,
                                     steps * batch * 4 * h,
                                     batch * 4 * h,
                                     batch * h,
                                     batch * h,
                                     batch * r};
    std::copy(sizes, sizes + kBuffers, sizes_);
    for (int64_t s : sizes_) bytes_ += AlignUp(sizeof(float) * s);
  }
  size_t ScratchpadBytes() const override { return bytes_; }
  std::string Describe() const override { return "ref:lstm_clip"; }

  void Run(const RunArgs& args) const override {
    const int64_t h = p_.state_size, r = p_.out_size(), d = p_.directions(), g4 = 4 * h;
    float* bufs[kBuffers];
    char* s = static_cast<char*>(args.scratchpad);
    for (int b = 0; b < kBuffers; ++b) {
      bufs[b] = reinterpret_cast<float*>(s);
      s += AlignUp(sizeof(float) * sizes_[b]);
    }
    float* layer_out[2] = {bufs[0], bufs[1]};
    float* xw = bufs[2];
    float* gates = bufs[3];
    float* c = bufs[4];
    float* cell_h = bufs[5];
    float* zeros = bufs[6];
    std::memset(zeros, 0, sizeof(float) * n_ * r);
    const float* w = params_->as<float>();
    const float lo = static_cast<float>(*p_.clip_min), hi = static_cast<float>(*p_.clip_max);
    const bool clip_nan = p_.clip_nan;
    // Empty initial states (batch size 0, see ops/rnn.cc) are zeros.
    const auto* hx = empty_state_ ? nullptr : static_cast<const float*>(args.in[2]);
    const auto* cx = empty_cell_ ? nullptr : static_cast<const float*>(args.in[3]);
    float* hy = p_.state_outputs ? static_cast<float*>(args.out[1]) : nullptr;
    float* cy = p_.state_outputs ? static_cast<float*>(args.out[2]) : nullptr;
    const float* x = static_cast<const float*>(args.in[0]);
    for (int64_t l = 0; l < p_.num_layers; ++l) {
      const int64_t in = p_.LayerInput(l, i_);
      float* y = l == p_.num_layers - 1 ? static_cast<float*>(args.out[0]) : layer_out[l % 2];
      for (int64_t k = 0; k < d; ++k) {
        const PackedOffsets o = Offsets(p_, i_, l, k);
        const int64_t sidx = l * d + k;
        // xw = x * i2h^T for every step.
        dnnl_sgemm('N', 'T', t_ * n_, g4, in, 1.0f, x, in, w + o.i2h, in, 0.0f, xw, g4);
        if (cx) {
          std::memcpy(c, cx + sidx * n_ * h, sizeof(float) * n_ * h);
        } else {
          std::memset(c, 0, sizeof(float) * n_ * h);
        }
        const float* h_prev = hx ? hx + sidx * n_ * r : zeros;
        int64_t h_ld = r;
        for (int64_t i = 0; i < t_; ++i) {
          const int64_t t = k == 1 ? t_ - 1 - i : i;
          dnnl_sgemm('N', 'T', n_, g4, r, 1.0f, h_prev, h_ld, w + o.h2h, r, 0.0f, gates, g4);
          const float* xt = xw + t * n_ * g4;
#pragma omp parallel for if (n_ * h > 4096)
          for (int64_t jk = 0; jk < n_ * h; ++jk) {
            const int64_t j = jk / h, q = jk % h;
            auto pre = [&](int64_t gate) {
              return xt[j * g4 + gate * h + q] + gates[j * g4 + gate * h + q] +
                     w[o.bx + gate * h + q] + w[o.bh + gate * h + q];
            };
            const float ig = 1.0f / (1.0f + std::exp(-pre(0)));
            const float fg = 1.0f / (1.0f + std::exp(-pre(1)));
            const float gg = std::tanh(pre(2));
            const float og = 1.0f / (1.0f + std::exp(-pre(3)));
            float ct = fg * c[jk] + ig * gg;
            if (std::isnan(ct)) {
              if (clip_nan) ct = lo;
            } else {
              ct = std::min(std::max(ct, lo), hi);
            }
            c[jk] = ct;
            cell_h[jk] = og * std::tanh(ct);
          }
          float* yt = y + t * n_ * d * r + k * r;
          if (p_.projection_size) {
            dnnl_sgemm('N', 'T', n_, r, h, 1.0f, cell_h, h, w + o.h2r, h, 0.0f, yt, d * r);
          } else {
            for (int64_t j = 0; j < n_; ++j)
              std::memcpy(yt + j * d * r, cell_h + j * h, sizeof(float) * h);
          }
          h_prev = yt;
          h_ld = d * r;
        }
        if (hy) {
          for (int64_t j = 0; j < n_; ++j)
            std::memcpy(hy + sidx * n_ * r + j * r, h_prev + j * h_ld, sizeof(float) * r);
          std::memcpy(cy + sidx * n_ * h, c, sizeof(float) * n_ * h);
        }
      }
      x = y;
    }
  }

 private:
  RnnParam p_;
  int64_t t_, n_, i_;
  bool empty_state_, empty_cell_;  // initial states given with batch size 0: zeros
  std::shared_ptr<const Buffer> params_;
  static constexpr int kBuffers = 7;
  // Elements of each scratch buffer: two layer outputs, the input gemm of every step, the
  // recurrent gemm, the cell state, the cell output and a zero initial state.
  int64_t sizes_[kBuffers] = {};
  size_t bytes_ = 0;
};

std::unique_ptr<Kernel> CreateRnn(const KernelArgs& a) {
  const auto& p = a.param<RnnParam>();
  const std::string what = "RNN node '" + a.node.name + "'";
  for (const TensorDesc& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 is supported, got " << DTypeName(t.dtype);
  MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
      << "the parameter vector must be a parameter, not computed";
  const int64_t steps = a.in[0].shape[0], batch = a.in[0].shape[1], input_size = a.in[0].shape[2];
  if (p.clip_min) return std::make_unique<LstmReference>(p, a);
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    // A multi-layer primitive feeds each layer the previous one's output of the same direction
    // and needs one input size for all its layers, so only unidirectional layers whose input
    // matches the output width share one.
    std::vector<LayerGroup> groups;
    if (p.bidirectional) {
      for (int64_t l = 0; l < p.num_layers; ++l) groups.push_back(CreateGroup(a, p, l, 1));
    } else if (input_size == p.out_size()) {
      groups.push_back(CreateGroup(a, p, 0, p.num_layers));
    } else {
      groups.push_back(CreateGroup(a, p, 0, 1));
      if (p.num_layers > 1) groups.push_back(CreateGroup(a, p, 1, p.num_layers - 1));
    }
    return std::make_unique<RnnOneDnn>(what, p, steps, batch, std::move(groups));
  });
}

// _rnn_param_concat along dim 0: the inputs' bytes one after another.
class ParamConcat final : public Kernel {
 public:
  explicit ParamConcat(std::vector<size_t> bytes) : bytes_(std::move(bytes)) {}
  std::string Describe() const override { return "ref:concat"; }
  void Run(const RunArgs& args) const override {
    char* dst = static_cast<char*>(args.out[0]);
    for (size_t i = 0; i < bytes_.size(); ++i) {
      std::memcpy(dst, args.in[i], bytes_[i]);
      dst += bytes_[i];
    }
  }

 private:
  std::vector<size_t> bytes_;
};

std::unique_ptr<Kernel> CreateParamConcat(const KernelArgs& a) {
  std::vector<size_t> bytes;
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == a.out[0].dtype, kUnsupported) << "inputs of different dtypes";
    bytes.push_back(t.nbytes());
  }
  return std::make_unique<ParamConcat>(std::move(bytes));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, rnn) {
  r.Add("RNN", cpu::CreateRnn);
  r.Add("_rnn_param_concat", cpu::CreateParamConcat).DTypes(dtypes::kAny);
}

}  // namespace mxserve
