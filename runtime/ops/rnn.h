// SPDX-License-Identifier: Apache-2.0
// The fused recurrent operator RNN (_npx_rnn) and _rnn_param_concat, which gluon uses to pack
// the per-layer weights into RNN's one parameter vector (MXNet src/operator/rnn-inl.h RNNParam,
// GetRnnParamSize; src/operator/nn/concat.cc).
#pragma once

#include <cstdint>
#include <optional>

#include "graph/graph.h"

namespace mxserve {

/// The recurrence of each layer.
enum class RnnMode : int { kRnnRelu = 0, kRnnTanh = 1, kLstm = 2, kGru = 3 };

struct RnnParam {
  RnnMode mode = RnnMode::kLstm;           ///< cell type
  int64_t state_size = 0;                  ///< H: hidden (and cell) state features per layer
  int64_t num_layers = 0;                  ///< L: stacked layers
  bool bidirectional = false;              ///< two directions per layer, outputs concatenated
  bool state_outputs = false;              ///< also output the final states hy (and cy for LSTM)
  std::optional<int64_t> projection_size;  ///< P: LSTM with a recurrent projection (LSTMP)
  std::optional<double> clip_min;          ///< lower bound of the LSTM cell state
  std::optional<double> clip_max;          ///< upper bound of the LSTM cell state
  bool clip_nan = false;                   ///< a NaN cell state becomes clip_min instead of NaN

  static RnnParam Parse(const AttrMap& attrs);

  int64_t directions() const { return bidirectional ? 2 : 1; }
  /// Gates per cell: 4 (LSTM), 3 (GRU), 1 (vanilla).
  int64_t gates() const;
  /// Features of each direction's output and hidden state: P with a projection, else H.
  int64_t out_size() const { return projection_size ? *projection_size : state_size; }
  /// Inputs: data, parameters, state, and state_cell for LSTM.
  int num_inputs() const { return mode == RnnMode::kLstm ? 4 : 3; }
  int num_outputs() const { return state_outputs ? (mode == RnnMode::kLstm ? 3 : 2) : 1; }
  /// Input features of layer `layer`: `input_size` for the first, else directions * out_size.
  int64_t LayerInput(int64_t layer, int64_t input_size) const {
    return layer == 0 ? input_size : directions() * out_size();
  }
  /// Length of the parameter vector for data with `input_size` features (GetRnnParamSize).
  int64_t ParamSize(int64_t input_size) const;
  /// Elements of one direction's weights in layer `layer`: i2h (G*H, In), h2h (G*H, out_size)
  /// and, with a projection, h2r (P, H); they follow each other in the parameter vector.
  int64_t WeightSize(int64_t layer, int64_t input_size) const;
};

/// _rnn_param_concat: Concat of 1-D arrays along dim 0 (gluon's packing of RNN parameters).
struct RnnParamConcatParam {
  int num_args = 0;  ///< number of inputs
  int dim = 0;       ///< concatenation axis; only 0 is used for the parameter vector

  static RnnParamConcatParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
