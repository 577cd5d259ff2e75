// SPDX-License-Identifier: Apache-2.0
// MXNet's C predict API (include/mxnet/c_predict_api.h) on the mxserve runtime.
//
// A PredictorHandle is a PredictorState: a shared mxserve::Predictor (weights, plan, kernels;
// thread-safe) plus the handle's own input and output buffers, which is what MXNet's API
// exposes (SetInput copies in, Forward computes, GetOutput copies out). MXPredCreateMultiThread
// makes N states around one Predictor; MXPredReshape makes a new Predictor over the same Model,
// so both share the loaded and prepacked weights.
//
// Behaviour follows MXNet 1.9.1's src/c_api/c_predict_api.cc: `arg:`/`aux:` prefixes name the
// parameters, sizes are element counts checked against the bound shape, data is read and
// written in the tensor's own dtype, and an input shape given for a parameter only has to agree
// with it. Where MXNet would crash (NULL pointers, bad indices, MXPredGetOutputType writing
// out_dtype[out_index]) this library returns -1 or does the documented thing instead.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include "api_common.h"
#include "backends/backend_table.h"
#include "exec/compute_dtype.h"
#include "exec/model.h"
#include "exec/plan.h"
#include "graph/graph.h"
#include "graph/op_def.h"

namespace mxserve {
namespace capi {

namespace {

thread_local std::string last_error;

// Input shapes as given to MXPredCreate*/MXPredReshape, after checking the arrays.
std::vector<std::pair<std::string, Shape>> ReadShapes(uint32_t num_input_nodes, const char** input_keys,
                                                      const uint32_t* input_shape_indptr,
                                                      const uint32_t* input_shape_data) {
  std::vector<std::pair<std::string, Shape>> shapes;
  if (num_input_nodes == 0) return shapes;
  CHECK_ARG_NOT_NULL(input_keys);
  CHECK_ARG_NOT_NULL(input_shape_indptr);
  for (uint32_t i = 0; i < num_input_nodes; ++i) {
    MXS_CHECK(input_keys[i] != nullptr) << "input_keys[" << i << "] is NULL";
    uint32_t begin = input_shape_indptr[i], end = input_shape_indptr[i + 1];
    MXS_CHECK(begin <= end) << "input_shape_indptr is not increasing at " << i << " (" << begin << " > "
                            << end << ")";
    MXS_CHECK(end == begin || input_shape_data != nullptr) << "input_shape_data is NULL";
    std::vector<int64_t> dims(input_shape_data + begin, input_shape_data + end);
    Shape s(dims);
    // MXNet's C API reads shapes with legacy semantics: no dimensions, or a 0, means unknown.
    bool complete = !dims.empty();
    for (int64_t d : dims) complete = complete && d > 0;
    MXS_CHECK(complete) << "shape " << s.ToString() << " of input '" << input_keys[i]
                        << "' is incomplete (MXNet reads 0 and empty shapes as unknown)";
    // Throws naming the shape when the element count overflows or exceeds the addressable size.
    ShapeBytes(s, 1);
    shapes.emplace_back(input_keys[i], s);
  }
  return shapes;
}

// Drops shapes given for parameters: MXNet uses them only as hints, which must agree.
std::vector<std::pair<std::string, Shape>> InputShapesForBind(
    const Model& model, const std::vector<std::pair<std::string, Shape>>& given) {
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& kv : given) {
    auto p = model.params.find(kv.first);
    if (p == model.params.end()) {
      out.push_back(kv);
      continue;
    }
    MXS_CHECK(p->second.shape == kv.second)
        << "shape " << kv.second.ToString() << " given for '" << kv.first
        << "' does not match that parameter's shape " << p->second.shape.ToString() << " in the params file";
  }
  return out;
}

// Number of graph nodes (variables included) the outputs depend on: MXNet's step count.
int CountNodes(const Graph& g, const std::vector<TensorInfo>& outputs) {
  std::vector<bool> live(g.nodes.size(), false);
  for (const TensorInfo& o : outputs)
    for (uint32_t i = 0; i < g.nodes.size(); ++i)
      for (int k = 0; k < g.nodes[i].num_outputs; ++k)
        if (EntryName(g, NodeEntry{i, static_cast<uint32_t>(k)}) == o.name) live[i] = true;
  int count = 0;
  for (size_t i = g.nodes.size(); i-- > 0;) {
    if (!live[i]) continue;
    ++count;
    for (const NodeEntry& e : g.nodes[i].inputs) live[e.node] = true;
  }
  return count;
}

Buffer ZeroBuffer(size_t bytes) {
  Buffer b(bytes == 0 ? 1 : bytes);
  std::memset(b.data(), 0, b.size());
  return b;
}

std::unique_ptr<PredictorState> NewState(std::shared_ptr<const Model> model, std::shared_ptr<Predictor> pred) {
  auto st = std::make_unique<PredictorState>();
  st->model = std::move(model);
  st->predictor = std::move(pred);
  for (const TensorInfo& t : st->predictor->inputs()) {
    st->inputs.push_back(ZeroBuffer(ShapeBytes(t.shape, DTypeSize(t.dtype))));
    st->input_ptrs.push_back(st->inputs.back().data());
  }
  for (const TensorInfo& t : st->predictor->outputs()) {
    st->outputs.push_back(ZeroBuffer(ShapeBytes(t.shape, DTypeSize(t.dtype))));
    st->output_ptrs.push_back(st->outputs.back().data());
    std::vector<uint32_t> dims;
    for (int64_t d : t.shape.dims()) dims.push_back(static_cast<uint32_t>(d));
    st->output_shapes.push_back(std::move(dims));
  }
  const Graph& g = st->model->graph;
  for (const Node& n : g.nodes) {
    if (!n.is_variable() || st->model->params.count(n.name)) continue;
    bool bound = false;
    for (const TensorInfo& t : st->predictor->inputs()) bound = bound || t.name == n.name;
    if (!bound) st->ignored_inputs.push_back(n.name);
  }
  st->num_nodes = CountNodes(g, st->predictor->outputs());
  return st;
}

// The shared part of every MXPredCreate* function (MXNet's _CreatePartialOut).
void Create(const char* symbol_json_str, const void* param_bytes, int param_size, int dev_type, int dev_id,
            uint32_t num_input_nodes, const char** input_keys, const uint32_t* input_shape_indptr,
            const uint32_t* input_shape_data, uint32_t num_output_nodes, const char** output_keys,
            int num_handles, uint32_t num_provided_arg_dtypes, const char** provided_arg_dtype_names,
            const int* provided_arg_dtypes, PredictorHandle* out) {
  CHECK_ARG_NOT_NULL(symbol_json_str);
  CHECK_ARG_NOT_NULL(out);
  MXS_CHECK(param_size >= 0) << "param_size is negative (" << param_size << ")";
  MXS_CHECK(param_size == 0 || param_bytes != nullptr) << "param_bytes is NULL";
  const Device device = DeviceFromMXNet(dev_type, dev_id);
  try {
    BackendFor(device);  // an unavailable device fails before the model is read
  } catch (const Error& e) {
    throw Error(e.code(), "dev_type " + std::to_string(dev_type) + " (" +
                              (dev_type == 2 ? "gpu" : "cpu") + "), dev_id " +
                              std::to_string(dev_id) + ": " + e.what());
  }
  MXS_CHECK(num_handles >= 1) << "num_threads must be at least 1, got " << num_handles;
  auto shapes = ReadShapes(num_input_nodes, input_keys, input_shape_indptr, input_shape_data);

  std::shared_ptr<const Model> model = LoadModel(symbol_json_str, param_bytes, static_cast<size_t>(param_size));

  BindOptions opt;
  opt.device = device;
  opt.input_shapes = InputShapesForBind(*model, shapes);
  // The C ABI has no precision argument: MXSERVE_DTYPE=bfloat16 selects bfloat16 mode.
  if (const char* env = std::getenv("MXSERVE_DTYPE")) opt.compute_dtype = ParseComputeDType(env, "MXSERVE_DTYPE");
  if (num_provided_arg_dtypes > 0) {
    CHECK_ARG_NOT_NULL(provided_arg_dtype_names);
    CHECK_ARG_NOT_NULL(provided_arg_dtypes);
  }
  for (uint32_t i = 0; i < num_provided_arg_dtypes; ++i) {
    MXS_CHECK(provided_arg_dtype_names[i] != nullptr) << "provided_arg_dtype_names[" << i << "] is NULL";
    DType d = DTypeFromFlag(provided_arg_dtypes[i]);
    MXS_CHECK(d != DType::kUnknown) << "unknown dtype " << provided_arg_dtypes[i] << " for '"
                                    << provided_arg_dtype_names[i]
                                    << "' (0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8, 6 int64)";
    // As in MXNet, a dtype given for a parameter is ignored: the params file decides.
    if (!model->params.count(provided_arg_dtype_names[i])) opt.input_dtypes[provided_arg_dtype_names[i]] = d;
  }
  if (num_output_nodes > 0) {
    CHECK_ARG_NOT_NULL(output_keys);
  }
  for (uint32_t i = 0; i < num_output_nodes; ++i) {
    MXS_CHECK(output_keys[i] != nullptr) << "output_keys[" << i << "] is NULL";
    opt.outputs.push_back(std::string(output_keys[i]) + "_output");
  }
  std::shared_ptr<Predictor> pred = Predictor::Create(model, opt);

  std::vector<std::unique_ptr<PredictorState>> states;
  for (int i = 0; i < num_handles; ++i) states.push_back(NewState(model, pred));
  for (int i = 0; i < num_handles; ++i) out[i] = states[i].release();
}

int FindInput(const PredictorState& st, const char* key) {
  const auto& inputs = st.predictor->inputs();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (std::strcmp(inputs[i].name.c_str(), key) == 0) return static_cast<int>(i);
  return -1;
}

std::string InputList(const PredictorState& st) {
  std::string list;
  for (const TensorInfo& t : st.predictor->inputs()) list += (list.empty() ? "" : ", ") + t.name;
  return list.empty() ? "(none)" : list;
}

// A copy of `bytes` at `data`, for arrays lent to the monitor.
std::shared_ptr<const Buffer> CopyOf(const void* data, size_t bytes) {
  auto b = std::make_shared<Buffer>(bytes == 0 ? 1 : bytes);
  if (bytes > 0) std::memcpy(b->data(), data, bytes);
  return b;
}

// A new monitor array over `data`, owned by `st` until its next forward pass.
MonitorArray* Lend(PredictorState& st, const Shape& shape, DType dtype, std::shared_ptr<const Buffer> data) {
  auto a = std::make_unique<MonitorArray>();
  a->dtype = dtype;
  for (int64_t d : shape.dims()) {
    a->shape.push_back(static_cast<uint32_t>(d));
    a->shape_int.push_back(static_cast<int>(d));
  }
  a->size = static_cast<size_t>(shape.Size());
  a->data = std::move(data);
  st.monitor_arrays.push_back(std::move(a));
  return st.monitor_arrays.back().get();
}

// Runs the forward pass of `st` (its lock held), reporting to the monitor callback if one is set.
void RunForward(PredictorState& st) {
  st.monitor_arrays.clear();
  if (st.monitor == nullptr) {
    st.predictor->Forward(st.input_ptrs.data(), st.output_ptrs.data(), nullptr);
    return;
  }
  const Graph& g = st.model->graph;
  std::map<std::string, uint32_t> node_index;
  for (uint32_t i = 0; i < g.nodes.size(); ++i) node_index.emplace(g.nodes[i].name, i);
  // Outputs reported so far, for monitor_all (the callback may release its own arrays).
  struct Seen {
    Shape shape;
    DType dtype;
    std::shared_ptr<const Buffer> data;
  };
  std::map<NodeEntry, Seen> seen;
  std::string current;
  uint32_t current_output = 0;
  auto report = [&](const std::string& name, MonitorArray* a) {
    st.monitor(name.c_str(), a, st.monitor_handle);
  };
  MonitorFn fn = [&](const std::string& node, const TensorInfo& info, const void* data) {
    auto it = node_index.find(node);
    uint32_t nid = it == node_index.end() ? UINT32_MAX : it->second;
    if (node != current) {
      current = node;
      current_output = 0;
      if (st.monitor_all && nid != UINT32_MAX) {
        // MXNet reports a node's inputs before running it: each variable by its own name, then
        // every input as "<node>_<input name>".
        const Node& n = g.nodes[nid];
        std::vector<std::string> names = n.def->InputNames(n.param.get());
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          const NodeEntry& e = n.inputs[k];
          const Node& src = g.nodes[e.node];
          Seen v;
          if (src.is_variable()) {
            auto p = st.model->params.find(src.name);
            int in = FindInput(st, src.name.c_str());
            if (p != st.model->params.end()) {
              v = Seen{p->second.shape, p->second.dtype, p->second.data};
            } else if (in >= 0) {
              const TensorInfo& t = st.predictor->inputs()[in];
              v = Seen{t.shape, t.dtype,
                       CopyOf(st.input_ptrs[in], ShapeBytes(t.shape, DTypeSize(t.dtype)))};
            } else {
              continue;  // a label no output reads: it has no value
            }
            report(src.name, Lend(st, v.shape, v.dtype, v.data));
          } else {
            auto s = seen.find(e);
            if (s == seen.end()) continue;
            v = s->second;
          }
          std::string in_name = k < names.size() ? names[k] : "input" + std::to_string(k);
          report(n.name + "_" + in_name, Lend(st, v.shape, v.dtype, v.data));
        }
      }
    }
    auto copy = CopyOf(data, ShapeBytes(info.shape, DTypeSize(info.dtype)));
    if (nid != UINT32_MAX && st.monitor_all) seen[NodeEntry{nid, current_output}] = Seen{info.shape, info.dtype, copy};
    ++current_output;
    report(info.name, Lend(st, info.shape, info.dtype, copy));
  };
  st.monitor_predictor->Forward(st.input_ptrs.data(), st.output_ptrs.data(), &fn);
}

}  // namespace

void SetLastError(const std::string& message) { last_error = message; }

void SetLastErrorFromException(const char* func, const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    last_error = std::string(func) + ": " + err.what();
  } catch (const std::bad_alloc&) {
    last_error = std::string(func) + ": out of memory";
  } catch (const std::exception& err) {
    last_error = std::string(func) + ": " + err.what();
  } catch (...) {
    last_error = std::string(func) + ": unknown error";
  }
}

PredictorState* GetPredictor(PredictorHandle handle) {
  MXS_CHECK(handle != nullptr) << "handle is NULL";
  auto* st = static_cast<PredictorState*>(handle);
  MXS_CHECK(st->magic == kPredictorMagic) << "handle is not a predictor handle (freed, or of another kind)";
  return st;
}

}  // namespace capi
}  // namespace mxserve

using namespace mxserve;        // NOLINT
using namespace mxserve::capi;  // NOLINT

const char* MXGetLastError() { return last_error.c_str(); }

int MXPredCreate(const char* symbol_json_str, const void* param_bytes, int param_size, int dev_type, int dev_id,
                 uint32_t num_input_nodes, const char** input_keys, const uint32_t* input_shape_indptr,
                 const uint32_t* input_shape_data, PredictorHandle* out) {
  API_BEGIN();
  Create(symbol_json_str, param_bytes, param_size, dev_type, dev_id, num_input_nodes, input_keys,
         input_shape_indptr, input_shape_data, 0, nullptr, 1, 0, nullptr, nullptr, out);
  API_END();
}

int MXPredCreateEx(const char* symbol_json_str, const void* param_bytes, int param_size, int dev_type,
                   int dev_id, const uint32_t num_input_nodes, const char** input_keys,
                   const uint32_t* input_shape_indptr, const uint32_t* input_shape_data,
                   const uint32_t num_provided_arg_dtypes, const char** provided_arg_dtype_names,
                   const int* provided_arg_dtypes, PredictorHandle* out) {
  API_BEGIN();
  Create(symbol_json_str, param_bytes, param_size, dev_type, dev_id, num_input_nodes, input_keys,
         input_shape_indptr, input_shape_data, 0, nullptr, 1, num_provided_arg_dtypes,
         provided_arg_dtype_names, provided_arg_dtypes, out);
  API_END();
}

int MXPredCreatePartialOut(const char* symbol_json_str, const void* param_bytes, int param_size, int dev_type,
                           int dev_id, uint32_t num_input_nodes, const char** input_keys,
                           const uint32_t* input_shape_indptr, const uint32_t* input_shape_data,
                           uint32_t num_output_nodes, const char** output_keys, PredictorHandle* out) {
  API_BEGIN();
  Create(symbol_json_str, param_bytes, param_size, dev_type, dev_id, num_input_nodes, input_keys,
         input_shape_indptr, input_shape_data, num_output_nodes, output_keys, 1, 0, nullptr, nullptr, out);
  API_END();
}

int MXPredCreateMultiThread(const char* symbol_json_str, const void* param_bytes, int param_size, int dev_type,
                            int dev_id, uint32_t num_input_nodes, const char** input_keys,
                            const uint32_t* input_shape_indptr, const uint32_t* input_shape_data,
                            int num_threads, PredictorHandle* out) {
  API_BEGIN();
  Create(symbol_json_str, param_bytes, param_size, dev_type, dev_id, num_input_nodes, input_keys,
         input_shape_indptr, input_shape_data, 0, nullptr, num_threads, 0, nullptr, nullptr, out);
  API_END();
}

int MXPredReshape(uint32_t num_input_nodes, const char** input_keys, const uint32_t* input_shape_indptr,
                  const uint32_t* input_shape_data, PredictorHandle handle, PredictorHandle* out) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  CHECK_ARG_NOT_NULL(out);
  auto shapes = ReadShapes(num_input_nodes, input_keys, input_shape_indptr, input_shape_data);
  std::vector<std::pair<std::string, Shape>> bind;
  for (const auto& kv : InputShapesForBind(*st->model, shapes)) {
    bool label = FindInput(*st, kv.first.c_str()) < 0 &&
                 std::find(st->ignored_inputs.begin(), st->ignored_inputs.end(), kv.first) != st->ignored_inputs.end();
    if (!label) bind.push_back(kv);
  }
  std::shared_ptr<Predictor> pred = st->predictor->Reshape(bind);
  *out = NewState(st->model, pred).release();
  API_END();
}

int MXPredGetOutputShape(PredictorHandle handle, uint32_t index, uint32_t** shape_data, uint32_t* shape_ndim) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  CHECK_ARG_NOT_NULL(shape_data);
  CHECK_ARG_NOT_NULL(shape_ndim);
  MXS_CHECK(index < st->output_shapes.size())
      << "output index " << index << " is out of range: the predictor has " << st->output_shapes.size()
      << " outputs";
  *shape_data = st->output_shapes[index].data();
  *shape_ndim = static_cast<uint32_t>(st->output_shapes[index].size());
  API_END();
}

int MXPredGetOutputType(PredictorHandle handle, uint32_t out_index, int* out_dtype) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  CHECK_ARG_NOT_NULL(out_dtype);
  const auto& outputs = st->predictor->outputs();
  MXS_CHECK(out_index < outputs.size())
      << "output index " << out_index << " is out of range: the predictor has " << outputs.size() << " outputs";
  *out_dtype = static_cast<int>(outputs[out_index].dtype);
  API_END();
}

int MXPredSetInput(PredictorHandle handle, const char* key, const float* data, uint32_t size) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  CHECK_ARG_NOT_NULL(key);
  int i = FindInput(*st, key);
  if (i < 0) {
    // Labels that no output reads may be set, as in MXNet; their values cannot matter.
    for (const std::string& name : st->ignored_inputs)
      if (name == key) return 0;
    MXS_CHECK_CODE(!st->model->params.count(key), kNotFound)
        << "'" << key << "' is a parameter, not an input; inputs: " << InputList(*st);
    MXS_THROW(kNotFound) << "unknown input key '" << key << "'; inputs: " << InputList(*st);
  }
  const TensorInfo& t = st->predictor->inputs()[i];
  MXS_CHECK(static_cast<int64_t>(size) == t.shape.Size())
      << "size " << size << " does not match input '" << key << "' of shape " << t.shape.ToString() << " ("
      << t.shape.Size() << " elements)";
  MXS_CHECK(size == 0 || data != nullptr) << "data is NULL";
  std::lock_guard<std::mutex> lock(st->mu);
  std::memcpy(st->inputs[i].data(), data, static_cast<size_t>(size) * DTypeSize(t.dtype));
  API_END();
}

int MXPredForward(PredictorHandle handle) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  std::lock_guard<std::mutex> lock(st->mu);
  RunForward(*st);
  API_END();
}

int MXPredPartialForward(PredictorHandle handle, int step, int* step_left) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  CHECK_ARG_NOT_NULL(step_left);
  MXS_CHECK(step >= 0) << "step is negative (" << step << ")";
  std::lock_guard<std::mutex> lock(st->mu);
  if (step == 0) RunForward(*st);
  *step_left = step >= st->num_nodes ? 0 : st->num_nodes - step - 1;
  API_END();
}

int MXPredGetOutput(PredictorHandle handle, uint32_t index, float* data, uint32_t size) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  const auto& outputs = st->predictor->outputs();
  MXS_CHECK(index < outputs.size())
      << "output index " << index << " is out of range: the predictor has " << outputs.size() << " outputs";
  const TensorInfo& t = outputs[index];
  MXS_CHECK(static_cast<int64_t>(size) == t.shape.Size())
      << "size " << size << " does not match output " << index << " ('" << t.name << "') of shape "
      << t.shape.ToString() << " (" << t.shape.Size() << " elements)";
  MXS_CHECK(size == 0 || data != nullptr) << "data is NULL";
  std::lock_guard<std::mutex> lock(st->mu);
  std::memcpy(data, st->outputs[index].data(), static_cast<size_t>(size) * DTypeSize(t.dtype));
  API_END();
}

int MXPredFree(PredictorHandle handle) {
  API_BEGIN();
  if (handle == nullptr) return 0;
  PredictorState* st = GetPredictor(handle);
  st->magic = kFreedMagic;
  for (auto& a : st->monitor_arrays) a->magic = kFreedMagic;
  delete st;
  API_END();
}

int MXPredSetMonitorCallback(PredictorHandle handle, PredMonitorCallback callback, void* callback_handle,
                             bool monitor_all) {
  API_BEGIN();
  PredictorState* st = GetPredictor(handle);
  std::lock_guard<std::mutex> lock(st->mu);
  if (callback != nullptr && st->monitor_predictor == nullptr) {
    BindOptions opt = st->predictor->options();
    opt.optimize = false;
    st->monitor_predictor = Predictor::Create(st->model, opt);
  }
  if (callback == nullptr) st->monitor_predictor.reset();
  st->monitor = callback;
  st->monitor_handle = callback_handle;
  st->monitor_all = monitor_all;
  API_END();
}
