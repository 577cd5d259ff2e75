// SPDX-License-Identifier: Apache-2.0
// OpDef: what the graph passes need to know about one MXNet operator. Each runtime/ops/<op>.cc
// defines its OpDefs with the builder below; the registry (ops/registry.h) owns them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

class OpDef {
 public:
  using ParseFn = std::function<std::shared_ptr<const void>(const AttrMap&)>;
  using CountFn = std::function<int(const void* param)>;
  using NamesFn = std::function<std::vector<std::string>(const void* param)>;
  /// Fills unknown entries of `in` and `out`; throws kInvalidArgument on inconsistent shapes.
  using ShapeFn = std::function<void(const void* param, std::vector<Shape>& in, std::vector<Shape>& out)>;
  /// Fills unknown entries of `in` and `out`; throws kInvalidArgument on inconsistent dtypes.
  using TypeFn = std::function<void(const void* param, std::vector<DType>& in, std::vector<DType>& out)>;

  explicit OpDef(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const std::vector<std::string>& aliases() const { return aliases_; }
  std::shared_ptr<const void> Parse(const AttrMap& attrs) const;
  int NumInputs(const void* param) const { return num_inputs_(param); }
  int NumOutputs(const void* param) const { return num_outputs_ ? num_outputs_(param) : 1; }
  /// Argument names ("data", "weight", ...), used to name variables that old JSON left out.
  std::vector<std::string> InputNames(const void* param) const;
  /// Inputs that are auxiliary states (BatchNorm's moving mean and variance).
  const std::vector<int>& aux_inputs() const { return aux_inputs_; }
  void InferShape(const void* param, std::vector<Shape>& in, std::vector<Shape>& out) const {
    shape_fn_(param, in, out);
  }
  void InferType(const void* param, std::vector<DType>& in, std::vector<DType>& out) const;
  /// (input, output) pairs whose storage may be shared when the input dies at this node.
  std::vector<std::pair<int, int>> InplacePairs(const void* param) const {
    return inplace_fn_ ? inplace_fn_(param) : inplace_;
  }
  /// Ops whose output holds the same bytes as input 0 (Dropout at inference, identity,
  /// Reshape, Flatten...): the planner aliases the output to the input and runs no kernel.
  bool is_identity() const { return is_identity_; }
  /// Inputs the forward pass never reads (labels of loss heads); they need no parameter.
  const std::vector<int>& unused_inputs() const { return unused_inputs_; }

  // Builder, used once per op in its registration function.
  template <typename P>
  OpDef& Param() {
    parse_ = [](const AttrMap& a) -> std::shared_ptr<const void> {
      return std::make_shared<P>(P::Parse(a));
    };
    return *this;
  }
  OpDef& Aliases(std::vector<std::string> names) {
    aliases_ = std::move(names);
    return *this;
  }
  OpDef& NumInputs(int n) {
    num_inputs_ = [n](const void*) { return n; };
    return *this;
  }
  template <typename P, typename F>
  OpDef& NumInputs(F fn) {
    num_inputs_ = [fn](const void* p) { return fn(*static_cast<const P*>(p)); };
    return *this;
  }
  OpDef& NumOutputs(int n) {
    num_outputs_ = [n](const void*) { return n; };
    return *this;
  }
  template <typename P, typename F>
  OpDef& NumOutputs(F fn) {
    num_outputs_ = [fn](const void* p) { return fn(*static_cast<const P*>(p)); };
    return *this;
  }
  OpDef& InputNames(std::vector<std::string> names) {
    input_names_ = [names](const void*) { return names; };
    return *this;
  }
  template <typename P, typename F>
  OpDef& InputNames(F fn) {
    input_names_ = [fn](const void* p) { return fn(*static_cast<const P*>(p)); };
    return *this;
  }
  OpDef& AuxInputs(std::vector<int> idx) {
    aux_inputs_ = std::move(idx);
    return *this;
  }
  template <typename P>
  OpDef& InferShape(void (*fn)(const P&, std::vector<Shape>&, std::vector<Shape>&)) {
    shape_fn_ = [fn](const void* p, std::vector<Shape>& in, std::vector<Shape>& out) {
      fn(*static_cast<const P*>(p), in, out);
    };
    return *this;
  }
  template <typename P>
  OpDef& InferType(void (*fn)(const P&, std::vector<DType>&, std::vector<DType>&)) {
    type_fn_ = [fn](const void* p, std::vector<DType>& in, std::vector<DType>& out) {
      fn(*static_cast<const P*>(p), in, out);
    };
    return *this;
  }
  OpDef& Inplace(std::vector<std::pair<int, int>> pairs) {
    inplace_ = std::move(pairs);
    return *this;
  }
  template <typename P, typename F>
  OpDef& Inplace(F fn) {
    inplace_fn_ = [fn](const void* p) { return fn(*static_cast<const P*>(p)); };
    return *this;
  }
  OpDef& Identity() {
    is_identity_ = true;
    return *this;
  }
  OpDef& UnusedInputs(std::vector<int> idx) {
    unused_inputs_ = std::move(idx);
    return *this;
  }

 private:
  std::string name_;
  std::vector<std::string> aliases_;
  ParseFn parse_;
  CountFn num_inputs_ = [](const void*) { return 1; };
  CountFn num_outputs_;
  NamesFn input_names_;
  std::vector<int> aux_inputs_;
  ShapeFn shape_fn_;
  TypeFn type_fn_;
  std::vector<std::pair<int, int>> inplace_;
  std::function<std::vector<std::pair<int, int>>(const void*)> inplace_fn_;
  bool is_identity_ = false;
  std::vector<int> unused_inputs_;
};

/// Default type rule: every input and output has the same dtype as the first known one.
void InferTypeSame(std::vector<DType>& in, std::vector<DType>& out);

}  // namespace mxserve
