// SPDX-License-Identifier: Apache-2.0
// The extension module mxserve._runtime: a thin pybind11 layer over include/mxserve/predictor.h.
// Errors become the classes of mxserve/errors.py; compute releases the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <new>

#include "exec/model.h"
#include "backends/backend_table.h"
#include "backends/cuda_status.h"
#include "backends/kernel_catalogue.h"
#include "exec/compute_dtype.h"
#include "exec/plan.h"
#include "graph/attr_reader.h"
#include "graph/ndarray_file.h"
#include "graph/op_def.h"
#include "ops/quantization.h"
#include "ops/registry.h"
#include "mxserve/predictor.h"

namespace py = pybind11;
using namespace mxserve;

namespace {

py::object ErrorClass(ErrorCode code) {
  py::module_ errors = py::module_::import("mxserve.errors");
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return errors.attr("InvalidArgumentError");
    case ErrorCode::kNotFound:
      return errors.attr("NotFoundError");
    case ErrorCode::kUnsupported:
      return errors.attr("UnsupportedError");
    case ErrorCode::kOutOfMemory:
      return errors.attr("OutOfMemoryError");
    case ErrorCode::kDevice:
      return errors.attr("DeviceError");
    default:
      return errors.attr("InternalError");
  }
}

py::tuple ShapeTuple(const Shape& s) {
  py::tuple t(s.ndim());
  for (int i = 0; i < s.ndim(); ++i) t[i] = s[i];
  return t;
}

Shape ToShape(const std::vector<int64_t>& v) { return Shape(v); }

// numpy dtype name of a runtime dtype; bfloat16 has no numpy type and is exposed as float32.
std::string NumpyName(DType d) { return d == DType::kBfloat16 ? "float32" : DTypeName(d); }

py::list InfoList(const std::vector<TensorInfo>& infos) {
  py::list out;
  for (const auto& t : infos) out.append(py::make_tuple(t.name, ShapeTuple(t.shape), DTypeName(t.dtype)));
  return out;
}

std::shared_ptr<Predictor> Bind(std::shared_ptr<const Model> model,
                                const std::vector<std::pair<std::string, std::vector<int64_t>>>& shapes,
                                const std::map<std::string, std::string>& dtypes,
                                const std::vector<std::string>& outputs, int num_threads,
                                const std::string& device, const std::string& compute_dtype) {
  BindOptions opt;
  for (const auto& kv : shapes) opt.input_shapes.emplace_back(kv.first, ToShape(kv.second));
  for (const auto& kv : dtypes) {
    DType d = DTypeFromName(kv.second);
    if (d == DType::kUnknown)
      throw Error(ErrorCode::kInvalidArgument, "input '" + kv.first + "': unknown dtype '" + kv.second + "'");
    opt.input_dtypes[kv.first] = d;
  }
  opt.outputs = outputs;
  opt.num_threads = num_threads;
  opt.device = ParseDevice(device);
  opt.compute_dtype = ParseComputeDType(compute_dtype);
  py::gil_scoped_release release;
  return Predictor::Create(std::move(model), opt);
}

py::list Forward(const Predictor& p, const py::list& arrays) {
  const auto& ins = p.inputs();
  if (arrays.size() != ins.size())
    throw Error(ErrorCode::kInvalidArgument, "forward takes " + std::to_string(ins.size()) +
                                                 " inputs, got " + std::to_string(arrays.size()));
  std::vector<py::array> keep;
  std::vector<const void*> in_ptrs;
  for (size_t i = 0; i < ins.size(); ++i) {
    py::array a = py::array::ensure(arrays[i], py::array::c_style);
    if (!a) throw Error(ErrorCode::kInvalidArgument, "input '" + ins[i].name + "' is not an array");
    std::string dt = py::str(a.dtype());
    if (dt != NumpyName(ins[i].dtype))
      throw Error(ErrorCode::kInvalidArgument, "input '" + ins[i].name + "' has dtype " + dt +
                                                   ", the predictor was bound with " + DTypeName(ins[i].dtype));
    std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
    if (Shape(dims) != ins[i].shape)
      throw Error(ErrorCode::kInvalidArgument, "input '" + ins[i].name + "' has shape " +
                                                   Shape(dims).ToString() + ", the predictor was bound with " +
                                                   ins[i].shape.ToString() + " (use reshape() for new shapes)");
    in_ptrs.push_back(a.data());
    keep.push_back(std::move(a));
  }
  py::list result;
  std::vector<void*> out_ptrs;
  for (const auto& o : p.outputs()) {
    py::array a(py::dtype(NumpyName(o.dtype)), o.shape.dims());
    out_ptrs.push_back(a.mutable_data());
    result.append(a);
  }
  {
    py::gil_scoped_release release;
    p.Forward(in_ptrs.data(), out_ptrs.data());
  }
  return result;
}

// The graph's signature as the runtime reads it: inputs (variables that are not parameters),
// each with its `__shape__` hint (0 and unknown dims as -1; None when the graph records none or
// the hint does not parse) and `__dtype__` hint ("" when absent), and the output entry names.
py::dict GraphIO(const Model& model) {
  const Graph& g = model.graph;
  py::list inputs;
  for (const Node& n : g.nodes) {
    if (!n.is_variable() || model.params.count(n.name)) continue;
    py::object dims = py::none();
    auto shape = n.hidden.find("__shape__");
    if (shape != n.hidden.end()) {
      try {
        std::vector<int64_t> d = AttrReader::ParseTuple("__shape__", shape->second);
        for (auto& v : d) v = v > 0 ? v : -1;
        if (!d.empty()) dims = py::cast(d);
      } catch (const Error&) {
        dims = py::none();
      }
    }
    std::string dtype;
    auto dt = n.hidden.find("__dtype__");
    if (dt != n.hidden.end() && DTypeFromName(dt->second) != DType::kUnknown)
      dtype = NumpyName(DTypeFromName(dt->second));
    inputs.append(py::make_tuple(n.name, dims, dtype));
  }
  py::list outputs;
  for (const NodeEntry& e : g.outputs) outputs.append(EntryName(g, e));
  py::dict d;
  d["inputs"] = inputs;
  d["outputs"] = outputs;
  return d;
}

py::dict Info(const Predictor& p) {
  PredictorInfo info = p.info();
  py::dict d;
  d["ops"] = info.op_counts;
  d["parameter_bytes"] = info.parameter_bytes;
  d["prepacked_weight_bytes"] = info.prepacked_weight_bytes;
  d["activation_bytes"] = info.activation_bytes;
  d["scratchpad_bytes"] = info.scratchpad_bytes;
  d["num_threads"] = info.num_threads;
  d["backend"] = info.backend;
  d["device"] = info.device;
  d["device_weight_bytes"] = info.device_weight_bytes;
  d["dtype"] = DTypeName(p.options().compute_dtype);
  d["kernels"] = info.kernels;
  d["host_fallback"] = info.host_fallback;
  d["replayed_calls"] = info.replayed_calls;
  d["recording_error"] = info.recording_error;
  return d;
}

// Raises `cls` with `message`; bytes that are not UTF-8 (a name read from a corrupt file) are
// shown as \x escapes rather than turning the error into a UnicodeDecodeError.
void SetError(const py::object& cls, const char* message) {
  PyObject* text = PyUnicode_DecodeUTF8(message, static_cast<Py_ssize_t>(std::strlen(message)),
                                        "backslashreplace");
  if (text == nullptr) {
    PyErr_Clear();
    PyErr_SetString(cls.ptr(), "error message is not readable");
    return;
  }
  PyErr_SetObject(cls.ptr(), text);
  Py_DECREF(text);
}

py::list LoadNDArrays(const py::bytes& data) {
  std::string_view view = data;
  NDArrayList list;
  {
    py::gil_scoped_release release;
    list = LoadNDArrayList(reinterpret_cast<const uint8_t*>(view.data()), view.size());
  }
  py::list out;
  for (const auto& kv : list) {
    const NDArray& a = kv.second;
    py::bytes raw(static_cast<const char*>(a.data->data()), a.nbytes());
    out.append(py::make_tuple(kv.first, DTypeName(a.dtype), ShapeTuple(a.shape), raw));
  }
  return out;
}

py::bytes SaveNDArrays(const py::list& items) {
  NDArrayList list;
  for (const auto& item : items) {
    auto t = item.cast<py::tuple>();
    std::string name = t[0].cast<std::string>();
    std::string dtype = t[1].cast<std::string>();
    std::vector<int64_t> shape = t[2].cast<std::vector<int64_t>>();
    std::string raw = t[3].cast<std::string>();
    NDArray a;
    a.shape = Shape(shape);
    a.dtype = DTypeFromName(dtype);
    if (a.dtype == DType::kUnknown)
      throw Error(ErrorCode::kInvalidArgument, "array '" + name + "': unsupported dtype " + dtype);
    if (raw.size() != a.nbytes())
      throw Error(ErrorCode::kInvalidArgument, "array '" + name + "': data size does not match its shape");
    auto buf = std::make_shared<Buffer>(raw.size());
    if (!raw.empty()) std::memcpy(buf->data(), raw.data(), raw.size());
    a.data = std::move(buf);
    list.emplace_back(std::move(name), std::move(a));
  }
  return py::bytes(SaveNDArrayList(list));
}

/// The input dtypes the kernel of `op` on `backend` (default: the host's) declares:
/// {"data": [names], "inputs": {index: [names]}}; None when it has no kernel.
py::object KernelDTypes(const std::string& op, const std::string& backend) {
  const Backend& b = backend.empty() ? HostBackend() : BackendTable::Global().ByName(backend);
  const KernelRecord* r = b.Find(op);
  if (r == nullptr) return py::none();
  auto names = [](DTypeSet s) {
    py::list out;
    for (DType d : s.dtypes()) out.append(DTypeName(d));
    return out;
  };
  py::dict inputs;
  for (const auto& [i, s] : r->dtypes.inputs) inputs[py::int_(i)] = names(s);
  py::dict out;
  out["data"] = names(r->dtypes.data);
  out["inputs"] = inputs;
  return std::move(out);
}

/// One row per registered operator (docs/ops.md, `mxserve ops`): its names; whether it is an
/// identity (aliasing its input, no kernel needed); the host kernel's input dtypes and compute
/// modes; and per backend of the source tree, whether that backend has a kernel for it (the kernel
/// catalogue, the same in every build).
py::list OperatorTable() {
  const Backend& host = HostBackend();
  py::list out;
  for (const OpDef* d : OpRegistry::Global().Defs()) {
    const KernelRecord* r = host.Find(d->name());
    py::list modes;
    if (r != nullptr && r->precision.bfloat16 != DTypeHandling::kNone) modes.append("bfloat16");
    // float16 graphs run in float32 (exec/float16.cc): every operator that reads float32.
    if (d->is_identity() || (r != nullptr && r->dtypes.data.Has(DType::kFloat32)))
      modes.append("float16");
    if (FindQuantizedOp(d->name()) != nullptr) modes.append("int8");
    py::dict kernels;
    for (const auto& [backend, ops] : KernelCatalogue())
      kernels[py::str(backend)] = ops.count(d->name()) > 0;
    py::dict row;
    row["name"] = d->name();
    row["aliases"] = d->aliases();
    row["identity"] = d->is_identity();
    row["cpu"] = r != nullptr || d->is_identity();
    row["dtypes"] = KernelDTypes(d->name(), "");
    row["compute_modes"] = modes;
    row["kernels"] = kernels;
    out.append(row);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "mxserve runtime core (C++)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      SetError(ErrorClass(e.code()), e.what());
    } catch (const std::bad_alloc&) {
      SetError(ErrorClass(ErrorCode::kOutOfMemory), "out of memory");
    }
  });

  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def_property_readonly("param_names", [](const Model& model) {
        std::vector<std::string> names;
        for (const auto& kv : model.params) names.push_back(kv.first);
        return names;
      })
      .def_property_readonly("variable_names", [](const Model& model) {
        std::vector<std::string> names;
        for (const auto& n : model.graph.nodes)
          if (n.is_variable()) names.push_back(n.name);
        return names;
      })
      .def_property_readonly("mxnet_version", [](const Model& model) { return model.graph.mxnet_version; });

  m.def("load_model", [](const py::bytes& symbol, const py::bytes& params) {
    // The params are read in place (the caller's bytes object outlives the call): a second copy
    // of a large file would raise peak memory by its size.
    std::string s = symbol;
    std::string_view b = params;
    py::gil_scoped_release release;
    return std::const_pointer_cast<Model>(LoadModel(s, b.data(), b.size()));
  }, py::arg("symbol_json"), py::arg("params"));

  py::class_<Predictor, std::shared_ptr<Predictor>>(m, "CachedOp")
      .def(py::init([](std::shared_ptr<Model> model,
                       const std::vector<std::pair<std::string, std::vector<int64_t>>>& shapes,
                       const std::map<std::string, std::string>& dtypes,
                       const std::vector<std::string>& outputs, int num_threads, const std::string& device,
                       const std::string& compute_dtype) {
             return Bind(std::move(model), shapes, dtypes, outputs, num_threads, device, compute_dtype);
           }),
           py::arg("model"), py::arg("input_shapes"), py::arg("dtypes"), py::arg("outputs"),
           py::arg("num_threads"), py::arg("device"), py::arg("compute_dtype") = "float32")
      .def("forward", &Forward, py::arg("inputs"))
      .def("reshape", [](const Predictor& p, const std::vector<std::pair<std::string, std::vector<int64_t>>>& shapes) {
        std::vector<std::pair<std::string, Shape>> s;
        for (const auto& kv : shapes) s.emplace_back(kv.first, ToShape(kv.second));
        py::gil_scoped_release release;
        return p.Reshape(s);
      })
      .def_property_readonly("inputs", [](const Predictor& p) { return InfoList(p.inputs()); })
      .def_property_readonly("outputs", [](const Predictor& p) { return InfoList(p.outputs()); })
      .def("info", &Info);

  m.def("graph_io", &GraphIO, py::arg("model"));
  m.def("load_ndarrays", &LoadNDArrays, py::arg("data"));
  m.def("compute_dtypes", &ComputeDTypeNames);
  m.def("backends", [] {
    py::list out;
    for (const BackendEntry& e : BackendTable::Global().entries())
      out.append(py::make_tuple(e.name, DeviceKindName(e.kind)));
    return out;
  });
  m.def("parse_device", [](const std::string& text) { return ParseDevice(text).ToString(); },
        py::arg("device"));
  m.def("check_device", [](const std::string& text) {
    // The backend of the device, or the error a Predictor on it would raise.
    return BindBackend(ParseDevice(text)).name();
  }, py::arg("device"));
  m.def("save_ndarrays", &SaveNDArrays, py::arg("items"));
  m.def("supported_operators", &SupportedOperators);
  m.def("cuda_built", &CudaBuilt);
  m.def("cuda_device_count", &CudaDeviceCount);
  m.def("cuda_unavailable_reason", &CudaUnavailableReason, py::arg("device") = 0);
  m.def("operator_table", &OperatorTable);
  m.def("all_dtypes", [] {
    std::vector<std::string> out;
    for (DType d : DTypeSet::All().dtypes()) out.push_back(DTypeName(d));
    return out;
  });
  m.def("kernel_dtypes", &KernelDTypes, py::arg("op"), py::arg("backend") = "");
  m.def("kernel_catalogue", [] {
    py::dict out;
    for (const auto& [backend, ops] : KernelCatalogue()) out[py::str(backend)] = ops;
    return out;
  });
  m.def("registered_kernels", [] {
    py::dict out;
    for (const BackendEntry& e : BackendTable::Global().entries())
      if (e.kernel_names != nullptr) out[py::str(e.name)] = e.kernel_names();
    return out;
  });
}
