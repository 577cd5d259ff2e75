// SPDX-License-Identifier: Apache-2.0
// The public C++ API of the mxserve runtime, used by predict_api/ and the Python binding.
//
// A Model is an exported MXNet network (symbol JSON + parameters) loaded once and never changed.
// A Predictor binds a Model to input shapes: it runs the graph passes, infers every shape and
// dtype, creates the kernels (prepacking weights) and plans activation memory. Predictor::Forward
// is thread-safe: concurrent calls each take their own execution context (activation arena,
// scratchpad, backend stream) from a pool, while weights and kernels are shared and immutable.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/device.h"
#include "base/dtype.h"
#include "base/error.h"
#include "base/shape.h"

namespace mxserve {

class Model;
class Executor;

/// Loads a model from symbol JSON text and the bytes of a params file (either may come from a
/// file read by the caller). Validates the graph and resolves every operator; throws Error.
std::shared_ptr<const Model> LoadModel(const std::string& symbol_json, const std::string& params);
/// The same, reading the params file's `params_size` bytes at `params` (not kept after the call).
std::shared_ptr<const Model> LoadModel(const std::string& symbol_json, const void* params, size_t params_size);

/// Name, shape and dtype of one input or output.
struct TensorInfo {
  std::string name;   ///< input variable name, or output entry name ("fc1_output")
  Shape shape;        ///< complete shape
  DType dtype;        ///< element type
};

/// How to bind a model.
struct BindOptions {
  std::vector<std::pair<std::string, Shape>> input_shapes;  ///< every graph input, in order
  std::map<std::string, DType> input_dtypes;  ///< defaults to float32 (or the graph's __dtype__)
  std::vector<std::string> outputs;  ///< internal entries to return instead of the graph heads
  int num_threads = 0;               ///< intra-op threads per call; 0 = MXSERVE_NUM_THREADS or all cores
  Device device;                     ///< where to run (ParseDevice: "cpu", "cuda:0", "gpu(1)")
  DType compute_dtype = DType::kFloat32;  ///< kBfloat16: bfloat16 activations and weights inside,
                                          ///< float32 inputs and outputs (ParseComputeDType;
                                          ///< the backend checks that the machine runs it)
  bool optimize = true;  ///< run the graph passes and channels-last/bfloat16 storage; false keeps
                         ///< one step per node with row-major float data, as a monitor expects
};

/// Summary for Predictor::info().
struct PredictorInfo {
  std::map<std::string, int> op_counts;       ///< operator name -> number of nodes bound
  size_t parameter_bytes = 0;                 ///< bytes of the model's parameters
  size_t prepacked_weight_bytes = 0;          ///< bytes of reordered weights shared by predictors
  size_t device_weight_bytes = 0;             ///< bytes of weights uploaded to the device
  size_t activation_bytes = 0;                ///< planned activation arena per execution context
  size_t scratchpad_bytes = 0;                ///< scratchpad per execution context
  int num_threads = 0;                        ///< intra-op threads per call
  std::string backend;                        ///< the backend's name ("cpu_onednn")
  std::string device;                         ///< the device ("cpu(0)")
  std::vector<std::pair<std::string, std::string>> kernels;  ///< node name -> implementation
  std::vector<std::string> host_fallback;     ///< nodes a device backend runs on the host
  uint64_t replayed_calls = 0;                ///< calls so far that replayed a recorded CUDA graph
  std::string recording_error;  ///< why a call could not be recorded ("" if none failed)
};

/// Called after each node during Forward with each output's name, description and data.
using MonitorFn = std::function<void(const std::string& node, const TensorInfo& out, const void* data)>;

class Predictor {
 public:
  /// Binds `model`; throws Error (naming the node) if shapes, dtypes or parameters do not fit.
  static std::shared_ptr<Predictor> Create(std::shared_ptr<const Model> model, const BindOptions& options);
  ~Predictor();

  /// A predictor for new input shapes; shares the model and its prepacked weights.
  std::shared_ptr<Predictor> Reshape(const std::vector<std::pair<std::string, Shape>>& shapes) const;

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  const BindOptions& options() const { return options_; }
  const std::shared_ptr<const Model>& model() const { return model_; }
  PredictorInfo info() const;

  /// Runs the graph. `inputs[i]` points to inputs()[i]'s row-major data, `outputs[i]` to room for
  /// outputs()[i]. Thread-safe; the pointers are only used during the call. `monitor`, if not
  /// null, sees every node's outputs as they are computed.
  void Forward(const void* const* inputs, void* const* outputs, const MonitorFn* monitor = nullptr) const;

 private:
  Predictor() = default;
  std::shared_ptr<const Model> model_;
  BindOptions options_;
  std::unique_ptr<Executor> exec_;
};

/// Names of every operator (and alias) the runtime supports, sorted.
std::vector<std::string> SupportedOperators();

}  // namespace mxserve
