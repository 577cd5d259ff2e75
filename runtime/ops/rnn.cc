// SPDX-License-Identifier: Apache-2.0
// RNN: a stack of num_layers recurrent layers over time-major data (T, N, I), each uni- or
// bidirectional, with every weight and bias in one flat vector. The shape rule publishes that
// vector's length so that a graph whose parameter shape is unknown still loads, and rejects a
// vector of any other length. MXNet 1.9.1 on CPU has no sequence_length support (its oneDNN path
// ignores the input, its plain path refuses it), so use_sequence_length is refused at load time.
// LSTM state clipping, which MXNet applies only through cuDNN (its CPU paths ignore or refuse
// it), follows cuDNN: the cell state is clipped after every step, before the output gate.
#include "ops/rnn.h"

#include <string>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

const char* ModeName(RnnMode m) {
  switch (m) {
    case RnnMode::kRnnRelu:
      return "rnn_relu";
    case RnnMode::kRnnTanh:
      return "rnn_tanh";
    case RnnMode::kLstm:
      return "lstm";
    case RnnMode::kGru:
      return "gru";
  }
  return "?";
}

void CheckInput(std::vector<Shape>& in, int i, const char* what, const Shape& want) {
  MXS_CHECK(!in[i].known() || in[i] == want)
      << what << " has shape " << in[i].ToString() << ", expected " << want.ToString();
  in[i] = want;
}

// Gluon layers exported without initial states make them with _zeros(shape=(L*D, 0, H)), whose
// 0 MXNet fills in from this operator: an initial state with batch size 0 means zeros.
void CheckState(std::vector<Shape>& in, int i, const char* what, const Shape& want) {
  const Shape& s = in[i];
  if (s.known() && s.ndim() == 3 && s[0] == want[0] && s[1] == 0 && s[2] == want[2]) return;
  CheckInput(in, i, what, want);
}

void InferShape(const RnnParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known()) << "the shape of data is unknown";
  MXS_CHECK(data.ndim() == 3) << "data must be (sequence length, batch size, input size), got "
                              << data.ToString();
  const int64_t batch = data[1], input_size = data[2];
  const int64_t layers = p.num_layers * p.directions();
  const int64_t expected = p.ParamSize(input_size);
  MXS_CHECK(!in[1].known() || in[1] == Shape{expected})
      << "parameters has shape " << in[1].ToString() << ", expected (" << expected
      << ",) for mode=" << ModeName(p.mode) << ", num_layers=" << p.num_layers
      << ", bidirectional=" << (p.bidirectional ? "True" : "False")
      << ", state_size=" << p.state_size
      << (p.projection_size ? ", projection_size=" + std::to_string(*p.projection_size) : "")
      << " and input size " << input_size;
  in[1] = Shape{expected};
  CheckState(in, 2, "state", Shape{layers, batch, p.out_size()});
  if (p.mode == RnnMode::kLstm) CheckState(in, 3, "state_cell", Shape{layers, batch, p.state_size});
  out[0] = Shape{data[0], batch, p.directions() * p.out_size()};
  if (p.state_outputs) {
    out[1] = Shape{layers, batch, p.out_size()};
    if (p.mode == RnnMode::kLstm) out[2] = Shape{layers, batch, p.state_size};
  }
}

void InferType(const RnnParam&, std::vector<DType>& in, std::vector<DType>& out) {
  MXS_CHECK(in[0] != DType::kUnknown) << "the dtype of data is unknown";
  for (DType& d : in) {
    MXS_CHECK(d == DType::kUnknown || d == in[0]) << "every input must have the dtype of data ("
                                                  << DTypeName(in[0]) << "), got " << DTypeName(d);
    d = in[0];
  }
  for (DType& d : out) d = in[0];
}

void InferConcatShape(const RnnParamConcatParam& p, std::vector<Shape>& in,
                      std::vector<Shape>& out) {
  for (int i = 0; i < p.num_args; ++i)
    MXS_CHECK(in[i].known()) << "input " << i << " has an unknown shape";
  const Shape& first = in[0];
  MXS_CHECK(first.ndim() >= 1) << "zero-dimensional arrays cannot be concatenated";
  const int axis = NormalizeAxis(p.dim, first.ndim());
  MXS_CHECK_CODE(axis == 0, kUnsupported) << "only dim=0 is supported, got dim=" << p.dim;
  std::vector<int64_t> o = first.dims();
  o[0] = 0;
  for (int i = 0; i < p.num_args; ++i) {
    const Shape& s = in[i];
    bool same = s.ndim() == first.ndim();
    for (int k = 1; same && k < s.ndim(); ++k) same = s[k] == first[k];
    MXS_CHECK(same) << "input " << i << " has shape " << s.ToString()
                    << ", which does not match input 0 " << first.ToString() << " outside dim 0";
    o[0] += s[0];
  }
  out[0] = Shape(o);
}

}  // namespace

int64_t RnnParam::gates() const {
  switch (mode) {
    case RnnMode::kLstm:
      return 4;
    case RnnMode::kGru:
      return 3;
    default:
      return 1;
  }
}

int64_t RnnParam::WeightSize(int64_t layer, int64_t input_size) const {
  const int64_t gh = gates() * state_size;
  int64_t size = gh * (LayerInput(layer, input_size) + out_size());
  if (projection_size) size += *projection_size * state_size;
  return size;
}

int64_t RnnParam::ParamSize(int64_t input_size) const {
  int64_t size = 0;
  for (int64_t l = 0; l < num_layers; ++l) size += directions() * WeightSize(l, input_size);
  return size + num_layers * directions() * 2 * gates() * state_size;
}

RnnParam RnnParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RnnParam p;
  MXS_CHECK(r.Has("mode")) << "required attribute 'mode' is missing";
  const std::string mode = r.Enum("mode", "", {"rnn_relu", "rnn_tanh", "lstm", "gru"});
  p.mode = mode == "rnn_relu"   ? RnnMode::kRnnRelu
           : mode == "rnn_tanh" ? RnnMode::kRnnTanh
           : mode == "lstm"     ? RnnMode::kLstm
                                : RnnMode::kGru;
  p.state_size = r.Int("state_size");
  p.num_layers = r.Int("num_layers");
  p.bidirectional = r.Bool("bidirectional", false);
  p.state_outputs = r.Bool("state_outputs", false);
  p.projection_size = r.OptInt("projection_size");
  p.clip_min = r.OptFloat("lstm_state_clip_min");
  p.clip_max = r.OptFloat("lstm_state_clip_max");
  p.clip_nan = r.Bool("lstm_state_clip_nan", false);
  const bool use_sequence_length = r.Bool("use_sequence_length", false);
  const double dropout = r.Float("p", 0.0);  // dropout between layers, inactive at inference
  r.Finish();
  MXS_CHECK(p.state_size > 0) << "state_size must be positive, got " << p.state_size;
  MXS_CHECK(p.num_layers > 0) << "num_layers must be positive, got " << p.num_layers;
  MXS_CHECK(dropout >= 0.0 && dropout < 1.0) << "p must be in [0, 1), got " << dropout;
  if (p.projection_size) {
    MXS_CHECK(p.mode == RnnMode::kLstm)
        << "projection_size is only supported for LSTM, not mode=" << mode;
    MXS_CHECK(*p.projection_size > 0)
        << "projection_size must be positive, got " << *p.projection_size;
    // MXNet's CPU LSTMP kernel writes its per-step projection into the hy output.
    MXS_CHECK_CODE(p.state_outputs, kUnsupported)
        << "projection_size needs state_outputs=True (MXNet's CPU kernel crashes without it)";
  }
  if (p.clip_min || p.clip_max) {
    MXS_CHECK(p.mode == RnnMode::kLstm)
        << "state clipping is only supported for LSTM, not mode=" << mode;
    MXS_CHECK(p.clip_min && p.clip_max)
        << "lstm_state_clip_min and lstm_state_clip_max must be specified together";
    MXS_CHECK(*p.clip_max >= *p.clip_min)
        << "lstm_state_clip_max (" << *p.clip_max << ") must be at least lstm_state_clip_min ("
        << *p.clip_min << ")";
  }
  MXS_CHECK_CODE(!use_sequence_length, kUnsupported)
      << "use_sequence_length=True is not supported: MXNet 1.9.1 handles sequence_length only "
         "with cuDNN (on CPU it is ignored or refused: 'only available for cuDNN version >= 7.2')";
  return p;
}

RnnParamConcatParam RnnParamConcatParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RnnParamConcatParam p;
  p.num_args = static_cast<int>(r.Int("num_args"));
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  p.dim = static_cast<int>(r.Int("dim", 1));
  r.Finish();
  return p;
}

MXS_REGISTER_OPS(rnn) {
  r.Add("RNN")
      .Aliases({"_npx_rnn"})
      .Param<RnnParam>()
      .NumInputs<RnnParam>([](const RnnParam& p) { return p.num_inputs(); })
      .NumOutputs<RnnParam>([](const RnnParam& p) { return p.num_outputs(); })
      .InputNames<RnnParam>([](const RnnParam& p) {
        std::vector<std::string> names{"data", "parameters", "state"};
        if (p.mode == RnnMode::kLstm) names.push_back("state_cell");
        return names;
      })
      .InferShape(InferShape)
      .InferType(InferType);
  r.Add("_rnn_param_concat")
      .Aliases({"_npi_rnn_param_concat"})
      .Param<RnnParamConcatParam>()
      .NumInputs<RnnParamConcatParam>([](const RnnParamConcatParam& p) { return p.num_args; })
      .InputNames<RnnParamConcatParam>([](const RnnParamConcatParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferConcatShape);
}

}  // namespace mxserve
