// SPDX-License-Identifier: Apache-2.0
// RNN on cuDNN's RNN API: one cudnnRNNForward in inference mode runs every layer and direction
// of the stack (LSTM, LSTMP, GRU, ReLU and tanh cells; LSTM cell clipping). cuDNN keeps its
// weights in a weight space of its own layout, so at bind time the bound parameter vector is
// repacked on the host: every matrix and bias of MXNet's packing (per layer and direction i2h,
// h2h and h2r, then all biases bx and bh) is copied to the place cudnnGetRNNWeightParams reports
// for it in a device weight space, which is uploaded once through the WeightCache together with
// the per-batch-item sequence lengths cuDNN reads on the device (all the sequence length).
// MXNet's gate order is cuDNN's (LSTM i, f, g, o; GRU r, z, n) and cuDNN's GRU adds the
// recurrent bias of the new gate before the reset gate scales it, as MXNet's does. Data stay in
// MXNet's (T, N, C) layout, which is cuDNN's sequence-major one. Refused (run on the CPU):
// bfloat16, a parameter vector computed in the graph, lstm_state_clip_nan=True and a projection
// not smaller than state_size (cuDNN then has none).
#include "ops/rnn.h"

#include <cuda_fp16.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/cudnn_desc.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/dtype_adapter.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

size_t Align(size_t n) { return (n + 255) / 256 * 256; }

/// cuDNN's linear-layer number of the LSTM recurrent projection.
constexpr int kProjectionId = 8;

/// One matrix or bias vector: its first element in MXNet's parameter vector and in cuDNN's
/// weight space, and its length (both store it contiguously, row-major).
struct WeightPiece {
  int64_t src = 0;
  int64_t dst = 0;
  int64_t count = 0;
};

/// Where one layer and direction's weights start in MXNet's parameter vector: i2h (G*H, In),
/// h2h (G*H, R) and, with a projection, h2r (P, H) one after another, each layer and direction
/// after the previous ones; after all weights, the biases bx (G*H) and bh (G*H) in the same order.
struct MxOffsets {
  int64_t i2h = 0, h2h = 0, h2r = 0, bx = 0, bh = 0;
};

MxOffsets OffsetsOf(const RnnParam& p, int64_t input_size, int64_t layer, int64_t dir) {
  const int64_t gh = p.gates() * p.state_size;
  int64_t start = 0, all = 0;
  for (int64_t l = 0; l < p.num_layers; ++l) {
    if (l < layer) start += p.directions() * p.WeightSize(l, input_size);
    all += p.directions() * p.WeightSize(l, input_size);
  }
  start += dir * p.WeightSize(layer, input_size);
  MxOffsets o;
  o.i2h = start;
  o.h2h = o.i2h + gh * p.LayerInput(layer, input_size);
  o.h2r = o.h2h + gh * p.out_size();
  o.bx = all + (layer * p.directions() + dir) * 2 * gh;
  o.bh = o.bx + gh;
  return o;
}

/// One matrix (and its bias) as MXNet packs it and as cuDNN numbers it within a pseudo-layer.
struct MxMatrix {
  int lin_id = 0;         ///< cuDNN's linLayerID
  int64_t rows = 0;       ///< output features
  int64_t cols = 0;       ///< input features
  int64_t weight = 0;     ///< first element of the matrix in MXNet's vector
  int64_t bias = -1;      ///< first element of its bias (rows elements), or -1 (the projection)
};

/// The matrices of layer `layer`, direction `dir`. Gate g of the input weights is cuDNN's
/// linear layer g, of the recurrent weights G + g: both libraries order the gates alike.
std::vector<MxMatrix> MatricesOf(const RnnParam& p, int64_t input_size, int64_t layer,
                                 int64_t dir) {
  const MxOffsets o = OffsetsOf(p, input_size, layer, dir);
  const int64_t h = p.state_size, g_count = p.gates();
  const int64_t in = p.LayerInput(layer, input_size), r = p.out_size();
  std::vector<MxMatrix> m;
  for (int64_t g = 0; g < g_count; ++g) {
    m.push_back({static_cast<int>(g), h, in, o.i2h + g * h * in, o.bx + g * h});
    m.push_back({static_cast<int>(g_count + g), h, r, o.h2h + g * h * r, o.bh + g * h});
  }
  if (p.projection_size) m.push_back({kProjectionId, r, h, o.h2r, -1});
  return m;
}

/// Copies every piece of `params` (float32 or float16) into the host image `space` of the
/// weight space, converting to `to` (float32 or float16).
void Repack(const void* params, DType from, const std::vector<WeightPiece>& pieces, DType to,
            void* space) {
  auto read = [&](int64_t i) {
    return from == DType::kFloat32 ? static_cast<const float*>(params)[i]
                                   : __half2float(static_cast<const __half*>(params)[i]);
  };
  for (const WeightPiece& w : pieces)
    for (int64_t k = 0; k < w.count; ++k) {
      const float v = read(w.src + k);
      if (to == DType::kFloat32) {
        static_cast<float*>(space)[w.dst + k] = v;
      } else {
        static_cast<__half*>(space)[w.dst + k] = __float2half_rn(v);
      }
    }
}

int ToInt(int64_t v, const std::string& what) {
  MXS_CHECK_CODE(v >= 1 && v <= std::numeric_limits<int>::max(), kUnsupported)
      << "failed to plan " << what << ": size " << v << " is outside cuDNN's RNN range";
  return static_cast<int>(v);
}

/// Throws unless cuDNN accepted the bind-time call `call`: kUnsupported for a configuration
/// cuDNN's RNN does not take, which then runs on the CPU.
void Accept(cudnnStatus_t s, const std::string& what, const char* call) {
  if (s == CUDNN_STATUS_SUCCESS) return;
  if (CudnnOutOfMemory(s)) ThrowCudnnError(s, call);
  MXS_THROW(kUnsupported) << "failed to plan " << what << ": cuDNN refuses the RNN in " << call
                          << " (" << cudnnGetErrorString(s) << ")";
}

/// True when `d` describes `rows` x `cols` elements stored row-major without gaps (unit
/// dimensions anywhere).
bool IsPacked(cudnnTensorDescriptor_t d, int64_t rows, int64_t cols) {
  cudnnDataType_t type;
  int nb = 0, dims[8] = {}, strides[8] = {};
  if (cudnnGetTensorNdDescriptor(d, 8, &type, &nb, dims, strides) != CUDNN_STATUS_SUCCESS)
    return false;
  std::vector<int64_t> want;
  if (rows != 1) want.push_back(rows);
  if (cols != 1) want.push_back(cols);
  std::vector<int64_t> got, got_strides;
  for (int i = 0; i < nb; ++i)
    if (dims[i] != 1) {
      got.push_back(dims[i]);
      got_strides.push_back(strides[i]);
    }
  if (got != want) return false;
  int64_t expect = 1;
  for (int i = static_cast<int>(got.size()) - 1; i >= 0; --i) {
    if (got_strides[i] != expect) return false;
    expect *= got[i];
  }
  return true;
}

template <typename T, cudnnStatus_t (*Destroy)(T)>
struct Deleter {
  void operator()(T d) const { Destroy(d); }
};
using RnnDesc = std::unique_ptr<cudnnRNNStruct,
                                Deleter<cudnnRNNDescriptor_t, cudnnDestroyRNNDescriptor>>;
using RnnDataDesc = std::unique_ptr<
    cudnnRNNDataStruct, Deleter<cudnnRNNDataDescriptor_t, cudnnDestroyRNNDataDescriptor>>;
using DropoutDesc = std::unique_ptr<
    cudnnDropoutStruct, Deleter<cudnnDropoutDescriptor_t, cudnnDestroyDropoutDescriptor>>;
using TensorDesc3 = std::unique_ptr<cudnnTensorStruct,
                                    Deleter<cudnnTensorDescriptor_t, cudnnDestroyTensorDescriptor>>;

TensorDesc3 NewTensor() {
  cudnnTensorDescriptor_t d = nullptr;
  MXS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
  return TensorDesc3(d);
}

/// A packed (a, b, c) tensor descriptor, as cuDNN takes the hidden and cell states.
TensorDesc3 StateTensor(int a, int b, int c, cudnnDataType_t type) {
  TensorDesc3 d = NewTensor();
  const int dims[3] = {a, b, c}, strides[3] = {b * c, c, 1};
  MXS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(d.get(), type, 3, dims, strides));
  return d;
}

/// Sequence-major (T, N, C) data with every sequence T steps long.
RnnDataDesc SequenceData(cudnnDataType_t type, int steps, int batch, int features,
                         const std::string& what) {
  cudnnRNNDataDescriptor_t d = nullptr;
  MXS_CUDNN_CHECK(cudnnCreateRNNDataDescriptor(&d));
  RnnDataDesc owned(d);
  const std::vector<int> lengths(batch, steps);
  Accept(cudnnSetRNNDataDescriptor(d, type, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_UNPACKED, steps,
                                   batch, features, lengths.data(), nullptr),
         what, "cudnnSetRNNDataDescriptor");
  return owned;
}

cudnnRNNMode_t CellOf(RnnMode m) {
  switch (m) {
    case RnnMode::kRnnRelu: return CUDNN_RNN_RELU;
    case RnnMode::kRnnTanh: return CUDNN_RNN_TANH;
    case RnnMode::kLstm: return CUDNN_LSTM;
    case RnnMode::kGru: return CUDNN_GRU;
  }
  return CUDNN_LSTM;
}

const char* ModeName(RnnMode m) {
  switch (m) {
    case RnnMode::kRnnRelu: return "rnn_relu";
    case RnnMode::kRnnTanh: return "rnn_tanh";
    case RnnMode::kLstm: return "lstm";
    case RnnMode::kGru: return "gru";
  }
  return "?";
}

class RnnCuda final : public Kernel {
 public:
  RnnCuda(const KernelArgs& a, const RnnParam& p, const std::string& what) : p_(p) {
    dtype_ = a.in[0].dtype;
    MXS_CHECK_CODE(dtype_ == DType::kFloat32 || dtype_ == DType::kFloat16, kUnsupported)
        << "failed to plan " << what << ": cuDNN's RNN takes float32 or float16 data, not "
        << DTypeName(dtype_);
    for (size_t i = 0; i < a.in.size(); ++i) {
      MXS_CHECK_CODE(a.in[i].layout == Layout::kRowMajor, kUnsupported)
          << "failed to plan " << what << ": the CUDA backend takes row-major data";
      if (i != 1) {
        MXS_CHECK_CODE(a.in[i].dtype == dtype_, kUnsupported)
            << "failed to plan " << what << ": input " << i << " is " << DTypeName(a.in[i].dtype)
            << ", the data " << DTypeName(dtype_);
      }
    }
    for (const TensorDesc& t : a.out)
      MXS_CHECK_CODE(t.layout == Layout::kRowMajor && t.dtype == dtype_, kUnsupported)
          << "failed to plan " << what << ": every output must be row-major "
          << DTypeName(dtype_);
    MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
        << "failed to plan " << what << ": the parameter vector must be a bound parameter, "
           "not computed";
    const NDArray& params = *a.constants[1];
    MXS_CHECK_CODE(params.dtype == DType::kFloat32 || params.dtype == DType::kFloat16,
                   kUnsupported)
        << "failed to plan " << what << ": parameters of dtype " << DTypeName(params.dtype);
    MXS_CHECK_CODE(!p.clip_nan, kUnsupported)
        << "failed to plan " << what << ": lstm_state_clip_nan=True (the CUDA backend clips "
           "with NaN propagated only)";
    // cuDNN switches the projection off when projSize equals hiddenSize.
    MXS_CHECK_CODE(!p.projection_size || *p.projection_size < p.state_size, kUnsupported)
        << "failed to plan " << what << ": cuDNN projects only to fewer features than "
           "state_size";

    const int steps = ToInt(a.in[0].shape[0], what), batch = ToInt(a.in[0].shape[1], what);
    const int64_t input_size = a.in[0].shape[2];
    const int in = ToInt(input_size, what), hidden = ToInt(p.state_size, what);
    const int out = ToInt(p.out_size(), what), layers = ToInt(p.num_layers, what);
    const int dirs = static_cast<int>(p.directions());
    MXS_CHECK_CODE(params.shape.Size() == p.ParamSize(input_size), kInternal)
        << "failed to plan " << what << ": " << params.shape.Size() << " parameters, expected "
        << p.ParamSize(input_size);
    has_hx_ = a.in[2].shape.Size() > 0;
    lstm_ = p.mode == RnnMode::kLstm;
    has_cx_ = lstm_ && a.in[3].shape.Size() > 0;

    const cudnnDataType_t type = CudnnType(dtype_);
    const int device = CurrentDevice();
    std::lock_guard<std::mutex> lock(CudnnBindMutex());
    cudnnHandle_t handle = CudnnBindHandle(device);

    cudnnDropoutDescriptor_t dropout = nullptr;
    MXS_CUDNN_CHECK(cudnnCreateDropoutDescriptor(&dropout));
    dropout_.reset(dropout);
    // Dropout between layers is inactive at inference: probability 0, no generator states.
    MXS_CUDNN_CHECK(cudnnSetDropoutDescriptor(dropout, handle, 0.f, nullptr, 0, 0));
    cudnnRNNDescriptor_t rnn = nullptr;
    MXS_CUDNN_CHECK(cudnnCreateRNNDescriptor(&rnn));
    rnn_.reset(rnn);
    // float32 accumulates with FMA math (TF32 only where asked for), float16 on tensor cores in
    // float32.
    const cudnnMathType_t math = ConvMathFor(dtype_);
    Accept(cudnnSetRNNDescriptor_v8(rnn, CUDNN_RNN_ALGO_STANDARD, CellOf(p.mode),
                                    CUDNN_RNN_DOUBLE_BIAS,
                                    p.bidirectional ? CUDNN_BIDIRECTIONAL : CUDNN_UNIDIRECTIONAL,
                                    CUDNN_LINEAR_INPUT, type, CUDNN_DATA_FLOAT, math, in, hidden,
                                    p.projection_size ? out : hidden, layers, dropout,
                                    CUDNN_RNN_PADDED_IO_ENABLED),
           what, "cudnnSetRNNDescriptor_v8");
    if (p.clip_min) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      // The _v8 form states the NaN handling: a NaN cell state stays NaN, as on the CPU.
      Accept(cudnnRNNSetClip_v8(rnn, CUDNN_RNN_CLIP_MINMAX, CUDNN_PROPAGATE_NAN, *p.clip_min,
                                *p.clip_max),
             what, "cudnnRNNSetClip_v8");
#pragma GCC diagnostic pop
    }

    x_ = SequenceData(type, steps, batch, in, what);
    y_ = SequenceData(type, steps, batch, dirs * out, what);
    h_ = StateTensor(layers * dirs, batch, out, type);
    c_ = StateTensor(layers * dirs, batch, hidden, type);
    size_t reserve = 0;
    Accept(cudnnGetRNNTempSpaceSizes(handle, rnn, CUDNN_FWD_MODE_INFERENCE, x_.get(),
                                     &workspace_, &reserve),
           what, "cudnnGetRNNTempSpaceSizes");
    Accept(cudnnGetRNNWeightSpaceSize(handle, rnn, &space_bytes_), what,
           "cudnnGetRNNWeightSpaceSize");

    const std::string config =
        std::string(ModeName(p.mode)) + ":i" + std::to_string(in) + ":h" +
        std::to_string(hidden) + ":p" + std::to_string(p.projection_size ? out : 0) + ":l" +
        std::to_string(layers) + ":d" + std::to_string(dirs) + ":" + DTypeName(dtype_);
    const std::string key = "cuda:" + std::to_string(device) + " rnn weight space " +
                            std::to_string(reinterpret_cast<uintptr_t>(params.data.get())) +
                            ":" + config;
    space_ = CachedOnDevice(a, key, [&] {
      DeviceMemory space = AllocateOn(device, space_bytes_);
      const std::vector<WeightPiece> pieces = Pieces(handle, space.data(), input_size, what);
      std::vector<char> image(space_bytes_, 0);
      Repack(params.data->data(), params.dtype, pieces, dtype_, image.data());
      CopyHostToDevice(space.data(), image.data(), space_bytes_);
      return space;
    });
    const std::string lengths_key = "cuda:" + std::to_string(device) + " rnn sequence lengths " +
                                    std::to_string(steps) + "x" + std::to_string(batch);
    lengths_ = CachedOnDevice(a, lengths_key, [&] {
      const std::vector<int32_t> lengths(batch, steps);
      return CopyToDevice(lengths.data(), lengths.size() * sizeof(int32_t), device);
    });
  }

  size_t ScratchpadBytes() const override { return Align(workspace_); }

  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    const bool states = p_.state_outputs;
    MXS_CUDNN_CHECK(cudnnRNNForward(
        s.cudnn(), rnn_.get(), CUDNN_FWD_MODE_INFERENCE, lengths_.as<int32_t>(), x_.get(),
        args.in[0], y_.get(), args.out[0], h_.get(), has_hx_ ? args.in[2] : nullptr,
        states ? args.out[1] : nullptr, c_.get(), has_cx_ ? args.in[3] : nullptr,
        states && lstm_ ? args.out[2] : nullptr, space_bytes_, space_.data(), workspace_,
        workspace_ != 0 ? args.scratchpad : nullptr, 0, nullptr));
  }

  std::string Describe() const override {
    return std::string("cuda:cudnn_rnn:") + ModeName(p_.mode);
  }
  /// The parameter vector (input 1) is repacked into cuDNN's weight space at bind.
  bool ReadsInput(size_t i) const override { return i != 1; }

 private:
  /// Where each matrix and bias of MXNet's vector goes in the weight space at `space`, as
  /// cudnnGetRNNWeightParams reports it; refuses a layout that is not a plain row-major copy.
  std::vector<WeightPiece> Pieces(cudnnHandle_t handle, void* space, int64_t input_size,
                                  const std::string& what) const {
    const size_t elem = DTypeSize(dtype_);
    TensorDesc3 m_desc = NewTensor(), b_desc = NewTensor();
    auto offset = [&](void* addr, int64_t count) {
      const char* base = static_cast<const char*>(space);
      const char* at = static_cast<const char*>(addr);
      MXS_CHECK_CODE(addr != nullptr && at >= base &&
                         static_cast<size_t>(at - base) % elem == 0 &&
                         static_cast<size_t>(at - base) + count * elem <= space_bytes_,
                     kUnsupported)
          << "failed to plan " << what << ": cuDNN reports a weight outside its weight space";
      return static_cast<int64_t>((at - base) / elem);
    };
    std::vector<WeightPiece> pieces;
    int64_t total = 0;
    for (int64_t l = 0; l < p_.num_layers; ++l)
      for (int64_t d = 0; d < p_.directions(); ++d) {
        const int pseudo = static_cast<int>(l * p_.directions() + d);
        for (const MxMatrix& m : MatricesOf(p_, input_size, l, d)) {
          void* m_addr = nullptr;
          void* b_addr = nullptr;
          MXS_CUDNN_CHECK(cudnnGetRNNWeightParams(handle, rnn_.get(), pseudo, space_bytes_,
                                                  space, m.lin_id, m_desc.get(), &m_addr,
                                                  b_desc.get(), &b_addr));
          MXS_CHECK_CODE(IsPacked(m_desc.get(), m.rows, m.cols), kUnsupported)
              << "failed to plan " << what << ": cuDNN's matrix " << m.lin_id
              << " of pseudo-layer " << pseudo << " is not a packed " << m.rows << "x" << m.cols
              << " row-major matrix";
          pieces.push_back({m.weight, offset(m_addr, m.rows * m.cols), m.rows * m.cols});
          total += m.rows * m.cols;
          if (m.bias < 0) continue;
          MXS_CHECK_CODE(IsPacked(b_desc.get(), m.rows, 1), kUnsupported)
              << "failed to plan " << what << ": cuDNN's bias " << m.lin_id << " of pseudo-layer "
              << pseudo << " does not have " << m.rows << " packed elements";
          pieces.push_back({m.bias, offset(b_addr, m.rows), m.rows});
          total += m.rows;
        }
      }
    MXS_CHECK_CODE(total == p_.ParamSize(input_size), kInternal)
        << "failed to plan " << what << ": " << total << " of "
        << p_.ParamSize(input_size) << " parameters placed";
    return pieces;
  }

  RnnParam p_;
  DType dtype_ = DType::kFloat32;
  bool lstm_ = false;
  bool has_hx_ = false, has_cx_ = false;  ///< initial states given (batch size 0: zeros)
  DropoutDesc dropout_;
  RnnDesc rnn_;
  RnnDataDesc x_, y_;                     ///< (T, N, In) and (T, N, D * R)
  TensorDesc3 h_, c_;                     ///< (L * D, N, R) and (L * D, N, H)
  size_t workspace_ = 0;                  ///< cuDNN's inference workspace
  size_t space_bytes_ = 0;                ///< the weight space
  DeviceMemory space_;                    ///< the repacked weights
  DeviceMemory lengths_;                  ///< N int32 sequence lengths, all T
};

std::unique_ptr<Kernel> CreateRnn(const KernelArgs& a) {
  return std::make_unique<RnnCuda>(a, a.param<RnnParam>(), "RNN node '" + a.node.name + "'");
}

}  // namespace
}  // namespace cuda

// float16 mode runs RNN in float16; bfloat16 mode leaves its activations float32 (the kernel
// takes float32 and float16 only).
MXS_REGISTER_KERNELS(cuda, rnn) {
  r.Add("RNN", cuda::Adapted(cuda::CreateRnn), Backend::kRowMajorOnly, Backend::kFp16Converting)
      .DTypes(DTypeSet{DType::kFloat32, DType::kFloat16});
}

}  // namespace mxserve
