// SPDX-License-Identifier: Apache-2.0
// WidenFloat16. The rewrite happens on the graph, before any other bind-time work, so every
// pass, the layout and bfloat16 planners and every kernel see an ordinary float32 graph; only
// the Cast nodes at its edges touch float16. Results differ from a float16 run by the roundings
// MXNet would apply after each operator (float16 has an 11-bit significand), so they agree with
// MXNet's float16 outputs to float16 precision.
#include "exec/float16.h"

#include <string>

#include "base/error.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

Node MakeCast(const std::string& name, NodeEntry src, DType to) {
  Node n;
  n.name = name;
  n.op = "Cast";
  n.attrs = {{"dtype", DTypeName(to)}};
  n.def = OpRegistry::Global().Find("Cast");
  MXS_CHECK_CODE(n.def != nullptr, kInternal) << "the Cast operator is not registered";
  n.param = n.def->Parse(n.attrs);
  n.inputs = {src};
  n.num_outputs = 1;
  return n;
}

std::shared_ptr<const Buffer> ToFloat32(const NDArray& a, const std::string& name,
                                        WeightCache& cache) {
  const std::string key =
      "float16:" + name + ":" + std::to_string(reinterpret_cast<uintptr_t>(a.data.get()));
  return cache.GetOrCreate(key, [&] {
    const int64_t n = a.shape.Size();
    Buffer out(static_cast<size_t>(n) * sizeof(float));
    const uint16_t* src = a.data->as<uint16_t>();
    float* dst = out.as<float>();
    for (int64_t i = 0; i < n; ++i) dst[i] = HalfToFloat(src[i]);
    return out;
  });
}

}  // namespace

bool WidenFloat16(Graph& g, std::vector<NodeEntry>& outputs, const std::vector<DType>& dtypes,
                  const std::map<std::string, NDArray>& params,
                  std::map<uint32_t, NDArray>& overrides, WeightCache& cache) {
  const EntryIds ids(g);
  bool any = false;
  for (DType t : dtypes) any = any || t == DType::kFloat16;
  if (!any) return false;
  Graph out;
  out.mxnet_version = g.mxnet_version;
  out.np_shape = g.np_shape;
  // Where each old entry is read from in the new graph.
  std::vector<NodeEntry> moved(ids.count);
  std::vector<uint32_t> new_index(g.nodes.size());
  std::vector<bool> kept(g.nodes.size(), false);  // explicit casts to float16, left in place
  std::map<uint32_t, NDArray> new_overrides;
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    Node n = g.nodes[i];
    for (NodeEntry& e : n.inputs) e = moved[ids(e)];
    const uint32_t at = static_cast<uint32_t>(out.nodes.size());
    new_index[i] = at;
    const bool f16 = n.num_outputs == 1 && dtypes[ids.offsets[i]] == DType::kFloat16;
    if (n.is_variable()) {
      auto p = params.find(n.name);
      auto o = overrides.find(i);
      const NDArray* value =
          o != overrides.end() ? &o->second : (p != params.end() ? &p->second : nullptr);
      out.nodes.push_back(n);
      if (value != nullptr && value->dtype == DType::kFloat16) {
        new_overrides[at] =
            NDArray{value->shape, DType::kFloat32, ToFloat32(*value, n.name, cache)};
        moved[ids.offsets[i]] = NodeEntry{at, 0};
      } else if (value != nullptr) {
        if (o != overrides.end()) new_overrides[at] = o->second;
        moved[ids.offsets[i]] = NodeEntry{at, 0};
      } else if (f16) {
        out.nodes.push_back(MakeCast(n.name + "_float32", NodeEntry{at, 0}, DType::kFloat32));
        moved[ids.offsets[i]] = NodeEntry{at + 1, 0};
      } else {
        moved[ids.offsets[i]] = NodeEntry{at, 0};
      }
      continue;
    }
    auto dt = n.attrs.find("dtype");
    const bool to_f16 = dt != n.attrs.end() && DTypeFromName(dt->second) == DType::kFloat16;
    const std::string& op = n.def->name();
    // Ranges computed in float16 follow MXNet's float16 arithmetic (integer steps for some
    // starts), which float32 would not reproduce.
    const bool range = f16 && (op == "_arange" || op == "_contrib_arange_like");
    if ((to_f16 && (op == "Cast" || op == "amp_cast")) || range) {
      // An explicit conversion keeps its rounding: it still writes float16, read back as float32.
      const std::string name = n.name;
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        if (dtypes[ids(g.nodes[i].inputs[k])] != DType::kFloat16 || op == "Cast" || op == "amp_cast")
          continue;
        out.nodes.push_back(MakeCast(name + "_float16_in" + std::to_string(k), n.inputs[k], DType::kFloat16));
        n.inputs[k] = NodeEntry{static_cast<uint32_t>(out.nodes.size() - 1), 0};
      }
      const uint32_t self = static_cast<uint32_t>(out.nodes.size());
      new_index[i] = self;
      out.nodes.push_back(std::move(n));
      out.nodes.push_back(MakeCast(name + "_float32", NodeEntry{self, 0}, DType::kFloat32));
      moved[ids.offsets[i]] = NodeEntry{self + 1, 0};
      kept[i] = true;
      continue;
    }
    if (to_f16) {
      dt->second = "float32";
      n.param = n.def->Parse(n.attrs);
    }
    for (int k = 0; k < n.num_outputs; ++k)
      moved[ids.offsets[i] + k] = NodeEntry{at, static_cast<uint32_t>(k)};
    out.nodes.push_back(std::move(n));
  }
  for (const NodeEntry& o : g.outputs) out.outputs.push_back(moved[ids(o)]);
  for (NodeEntry& o : outputs) {
    const NodeEntry m = moved[ids(o)];
    if (g.nodes[o.node].is_variable() || kept[o.node]) {  // already float16 in the new graph
      o = NodeEntry{new_index[o.node], 0};
      continue;
    }
    if (dtypes[ids(o)] != DType::kFloat16) {
      o = m;
      continue;
    }
    // The Cast takes the original node's name, so the output keeps its name.
    out.nodes.push_back(MakeCast(g.nodes[o.node].name, m, DType::kFloat16));
    const NodeEntry cast{static_cast<uint32_t>(out.nodes.size() - 1), 0};
    for (NodeEntry& h : out.outputs)
      if (h == m) h = cast;
    o = cast;
  }
  g = std::move(out);
  overrides = std::move(new_overrides);
  return true;
}

}  // namespace mxserve
