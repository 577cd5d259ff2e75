// SPDX-License-Identifier: Apache-2.0
// The public Predictor API over Model, Plan and Executor.
#include "mxserve/predictor.h"

#include "backends/backend_table.h"
#include "backends/host_fallback.h"
#include "exec/executor.h"
#include "exec/model.h"
#include "exec/plan.h"
#include "graph/ndarray_file.h"
#include "graph/symbol_json.h"
#include "ops/registry.h"

namespace mxserve {

std::shared_ptr<const Model> LoadModel(const std::string& symbol_json, const std::string& params) {
  return LoadModel(symbol_json, params.data(), params.size());
}

std::shared_ptr<const Model> LoadModel(const std::string& symbol_json, const void* params, size_t params_size) {
  auto model = std::make_shared<Model>();
  model->graph = ReadSymbolJson(symbol_json);
  ResolveOps(model->graph);
  // An empty params blob means a graph without parameters.
  NDArrayList list;
  if (params_size > 0) list = LoadNDArrayList(static_cast<const uint8_t*>(params), params_size);
  for (auto& kv : list) {
    std::string name = kv.first;
    if (name.rfind("arg:", 0) == 0 || name.rfind("aux:", 0) == 0) name = name.substr(4);
    MXS_CHECK(!name.empty()) << "params file holds an array without a name";
    model->param_bytes += kv.second.nbytes();
    model->params[name] = std::move(kv.second);
  }
  return model;
}

std::shared_ptr<Predictor> Predictor::Create(std::shared_ptr<const Model> model, const BindOptions& options) {
  MXS_CHECK(model != nullptr) << "failed to bind: no model";
  std::shared_ptr<Predictor> p(new Predictor());
  p->model_ = model;
  p->options_ = options;
  const Backend& backend = BindBackend(options.device);
  // oneDNN sizes a primitive's parallel decomposition by the thread count current when it is
  // created, and runs that many threads whatever the caller sets later; so kernels are created
  // with the thread count the calls will use.
  const int threads = options.num_threads > 0 ? options.num_threads : backend.DefaultThreads();
  Backend::ThreadScope scope = backend.EnterBind(threads);
  p->exec_ = std::make_unique<Executor>(BuildPlan(model, options), threads);
  return p;
}

Predictor::~Predictor() = default;

std::shared_ptr<Predictor> Predictor::Reshape(const std::vector<std::pair<std::string, Shape>>& shapes) const {
  BindOptions opt = options_;
  for (const auto& kv : shapes) {
    bool found = false;
    for (auto& cur : opt.input_shapes)
      if (cur.first == kv.first) {
        cur.second = kv.second;
        found = true;
      }
    MXS_CHECK_CODE(found, kNotFound) << "failed to reshape: '" << kv.first << "' is not an input";
  }
  return Create(model_, opt);
}

const std::vector<TensorInfo>& Predictor::inputs() const { return exec_->plan().inputs; }
const std::vector<TensorInfo>& Predictor::outputs() const { return exec_->plan().outputs; }

void Predictor::Forward(const void* const* inputs, void* const* outputs, const MonitorFn* monitor) const {
  exec_->Run(inputs, outputs, monitor);
}

PredictorInfo Predictor::info() const {
  const Plan& p = exec_->plan();
  PredictorInfo info;
  for (const Step& s : p.steps) {
    const Node& n = p.graph.nodes[s.node];
    info.op_counts[n.def->name()]++;
    info.kernels.emplace_back(n.name, s.kernel ? s.kernel->Describe() : "alias");
    if (s.kernel && IsHostFallback(*s.kernel)) info.host_fallback.push_back(n.name);
  }
  info.parameter_bytes = model_->param_bytes;
  info.prepacked_weight_bytes = model_->weights->bytes();
  info.device_weight_bytes = model_->weights->device_bytes();
  info.activation_bytes = p.arena_bytes;
  info.scratchpad_bytes = p.scratchpad_bytes;
  info.num_threads = exec_->num_threads();
  info.backend = p.backend->name();
  info.device = p.backend->device_name();
  info.replayed_calls = exec_->replayed_calls();
  info.recording_error = exec_->recording_error();
  return info;
}

std::vector<std::string> SupportedOperators() {
  std::vector<std::string> out;
  for (const OpDef* d : OpRegistry::Global().Defs()) {
    out.push_back(d->name());
    for (const auto& a : d->aliases()) out.push_back(a);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mxserve
