// SPDX-License-Identifier: Apache-2.0
// Fold parameter-only subgraphs.
//
// An operator whose inputs are all parameters (a scaled or reshaped weight, a transposed
// embedding) gives the same result on every call. It is run once here, on the host (CPU) backend's
// kernel, and the node becomes a variable bound to the result (through `overrides`), so later
// operators see a parameter and can prepack it. Runs before the other passes so that folded
// weights can feed BatchNorm folding and convolution prepacking.
#include <cstdint>
#include <cstring>
#include <string>

#include "backends/backend_table.h"
#include "graph/op_def.h"
#include "passes/pass.h"

namespace mxserve {

void FoldConstants(PassContext& ctx) {
  Graph& g = ctx.graph;
  // Folded values live on the host whatever the predictor's device, so the host backend folds.
  const Backend& backend = HostBackend();
  std::unique_ptr<Stream> stream;
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.is_variable() || n.num_outputs != 1 || n.inputs.empty()) continue;
    if (n.def->is_identity()) {
      // A reshaped parameter (gluon's RNN layers reshape each weight before packing them) is
      // the parameter's bytes under the inferred shape.
      const NDArray* v = ctx.Constant(n.inputs[0].node);
      const NodeEntry out{i, 0};
      if (v == nullptr || !ctx.ShapeOf(out).complete()) continue;
      ctx.overrides[i] = NDArray{ctx.ShapeOf(out), v->dtype, v->data};
      n.op = "null";
      n.def = nullptr;
      n.param.reset();
      n.inputs.clear();
      continue;
    }
    if (!backend.Supports(n.def->name())) continue;
    std::vector<const NDArray*> values;
    for (const NodeEntry& e : n.inputs) {
      const NDArray* v = ctx.Constant(e.node);
      if (v == nullptr) break;
      values.push_back(v);
    }
    if (values.size() != n.inputs.size()) continue;
    KernelArgs args{n, {}, {}, values, &ctx.cache};
    for (const NDArray* v : values) args.in.push_back(TensorDesc{v->shape, v->dtype, Layout::kRowMajor});
    NodeEntry out{i, 0};
    if (!ctx.ShapeOf(out).complete()) continue;
    args.out.push_back(TensorDesc{ctx.ShapeOf(out), ctx.DTypeOf(out), Layout::kRowMajor});
    // The result is kept in the model's cache under the node and the identity of its inputs (the
    // model's parameters or earlier folded results, which live as long as the model): every
    // predictor of the model shares it, and its address, which device uploads are keyed by, is
    // never that of another value.
    std::string key = "folded:" + n.name + ":" + args.out[0].shape.ToString() + ":" +
                      DTypeName(args.out[0].dtype);
    for (const NDArray* v : values)
      key += ":" + std::to_string(reinterpret_cast<uintptr_t>(v->data.get()));
    std::shared_ptr<const Buffer> result = ctx.cache.Find(key);
    if (!result) {
      std::unique_ptr<Kernel> kernel = backend.CreateKernel(args);
      if (!stream) stream = backend.CreateStream();
      Buffer scratch(kernel->ScratchpadBytes());
      std::unique_ptr<KernelState> state = kernel->CreateState();
      Buffer value(args.out[0].nbytes());
      std::vector<const void*> in;
      for (const NDArray* v : values) in.push_back(v->data->data());
      void* out_ptr = value.data();
      RunArgs run{in.data(), &out_ptr, scratch.data(), stream.get(), state.get()};
      kernel->Run(run);
      result = ctx.cache.GetOrCreate(key, [&] { return std::move(value); });
    }
    ctx.overrides[i] = NDArray{args.out[0].shape, args.out[0].dtype, result};
    n.op = "null";
    n.def = nullptr;
    n.param.reset();
    n.inputs.clear();
  }
}

}  // namespace mxserve
