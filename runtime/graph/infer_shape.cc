// SPDX-License-Identifier: Apache-2.0
// Forward shape inference. A single topological sweep suffices because every variable is either
// bound (an input or a parameter with a known shape) or only read by the operator that infers
// it (a label, an old graph's missing aux state), so no shape flows backwards past one node.
#include "graph/infer_shape.h"

#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {

void InferShapes(const Graph& g, const std::vector<bool>& live, std::vector<Shape>& shapes) {
  EntryIds ids(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.is_variable() || !live[i]) continue;
    std::vector<Shape> in, out;
    for (const NodeEntry& e : n.inputs) in.push_back(shapes[ids(e)]);
    for (int k = 0; k < n.num_outputs; ++k) out.push_back(shapes[ids.offsets[i] + k]);
    std::vector<Shape> in_before = in;
    try {
      n.def->InferShape(n.param.get(), in, out);
    } catch (const Error& e) {
      std::string shapes_text;
      for (size_t k = 0; k < in_before.size(); ++k)
        shapes_text += (k ? ", " : "") + in_before[k].ToString();
      throw Error(e.code(), "failed to infer shape of " + n.op + " node '" + n.name + "': " + e.what() +
                                " (input shapes: " + shapes_text + ")");
    }
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      Shape& s = shapes[ids(n.inputs[k])];
      if (!s.known()) {
        s = in[k];
      } else {
        MXS_CHECK(s == in[k]) << "failed to infer shape of " << n.op << " node '" << n.name
                              << "': input " << k << " ('" << g.nodes[n.inputs[k].node].name
                              << "') has shape " << s.ToString() << " but the operator needs "
                              << in[k].ToString();
      }
    }
    for (int k = 0; k < n.num_outputs; ++k) {
      MXS_CHECK(out[k].complete()) << "failed to infer shape of " << n.op << " node '" << n.name
                                   << "': output " << k << " is " << out[k].ToString();
      shapes[ids.offsets[i] + k] = out[k];
    }
  }
}

void InferTypes(const Graph& g, const std::vector<bool>& live, std::vector<DType>& dtypes) {
  EntryIds ids(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.is_variable() || !live[i]) continue;
    std::vector<DType> in, out;
    for (const NodeEntry& e : n.inputs) in.push_back(dtypes[ids(e)]);
    for (int k = 0; k < n.num_outputs; ++k) out.push_back(dtypes[ids.offsets[i] + k]);
    try {
      n.def->InferType(n.param.get(), in, out);
    } catch (const Error& e) {
      throw Error(e.code(), "failed to infer dtype of " + n.op + " node '" + n.name + "': " + e.what());
    }
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      DType& d = dtypes[ids(n.inputs[k])];
      if (d == DType::kUnknown) {
        d = in[k];
      } else {
        MXS_CHECK(d == in[k]) << "failed to infer dtype of " << n.op << " node '" << n.name
                              << "': input " << k << " ('" << g.nodes[n.inputs[k].node].name
                              << "') is " << DTypeName(d) << " but the operator needs "
                              << DTypeName(in[k]);
      }
    }
    for (int k = 0; k < n.num_outputs; ++k) {
      MXS_CHECK(out[k] != DType::kUnknown) << "failed to infer dtype of " << n.op << " node '"
                                           << n.name << "': output " << k << " is unknown";
      dtypes[ids.offsets[i] + k] = out[k];
    }
  }
}

}  // namespace mxserve
