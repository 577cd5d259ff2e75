// SPDX-License-Identifier: Apache-2.0
// One-node graphs for the host checks of CUDA plans: the symbol JSON of one operator over named
// inputs, deterministic input values, and the CPU kernel's output for them (the CPU kernels are
// checked against MXNet by the oracle tests).
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/ndarray_file.h"
#include "mxserve/predictor.h"

namespace mxserve {
namespace testing {

/// One operator node `op` over named inputs, in a symbol file of MXNet `version`.
struct OneNode {
  std::string op;
  std::map<std::string, std::string> attrs;
  std::vector<std::pair<std::string, Shape>> inputs;
  std::string version = "10901";
};

inline std::string SymbolJson(const OneNode& g) {
  std::string nodes, args, ins;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    nodes += R"({"op": "null", "name": ")" + g.inputs[i].first + R"(", "inputs": []}, )";
    args += (i ? ", " : "") + std::to_string(i);
    ins += (i ? ", [" : "[") + std::to_string(i) + ", 0, 0]";
  }
  std::string attrs;
  for (const auto& [k, v] : g.attrs)
    attrs += (attrs.empty() ? "" : ", ") + ("\"" + k + "\": \"" + v + "\"");
  const std::string n = std::to_string(g.inputs.size());
  return "{\"nodes\": [" + nodes + R"({"op": ")" + g.op + R"(", "name": "n", "attrs": {)" + attrs +
         "}, \"inputs\": [" + ins + "]}], \"arg_nodes\": [" + args + "], \"heads\": [[" + n +
         ", 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", " + g.version + "]}}";
}

inline std::vector<float> Values(const Shape& s, int seed) {
  std::vector<float> v(static_cast<size_t>(s.Size()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(static_cast<int>((i * 37 + seed * 11) % 17) - 8) / 8.0f;
  return v;
}

/// The CPU kernel's output for the graph; *inputs receives the values of g.inputs, in order
/// (Values(shape, i + 1) for input i), and *shape, when given, the output's shape.
inline std::vector<float> CpuOutput(const OneNode& g, std::vector<std::vector<float>>* inputs,
                                    Shape* shape = nullptr) {
  auto model = LoadModel(SymbolJson(g), SaveNDArrayList({}));
  BindOptions options;
  options.input_shapes = g.inputs;
  options.num_threads = 1;
  auto pred = Predictor::Create(model, options);
  inputs->clear();
  for (size_t i = 0; i < g.inputs.size(); ++i)
    inputs->push_back(Values(g.inputs[i].second, static_cast<int>(i) + 1));
  std::vector<const void*> in;  // in pred->inputs() order
  for (const TensorInfo& t : pred->inputs())
    for (size_t i = 0; i < g.inputs.size(); ++i)
      if (g.inputs[i].first == t.name) in.push_back((*inputs)[i].data());
  if (shape != nullptr) *shape = pred->outputs()[0].shape;
  std::vector<float> y(static_cast<size_t>(pred->outputs()[0].shape.Size()), NAN);
  void* outs[] = {y.data()};
  pred->Forward(in.data(), outs);
  return y;
}

}  // namespace testing
}  // namespace mxserve
