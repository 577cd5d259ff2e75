// SPDX-License-Identifier: Apache-2.0
// AttrReader: typed, strict reading of an operator's string attributes, in the formats MXNet
// writes them ("True", "(3, 3)", "None", "1e-05"). Every key must be consumed or ignored by name,
// so an attribute mxserve does not understand is an error instead of a silently wrong answer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

class AttrReader {
 public:
  explicit AttrReader(const AttrMap& attrs) : attrs_(attrs) {}

  bool Has(const char* key) const { return attrs_.count(key) != 0; }
  int64_t Int(const char* key);
  int64_t Int(const char* key, int64_t def);
  std::optional<int64_t> OptInt(const char* key);
  double Float(const char* key);
  double Float(const char* key, double def);
  std::optional<double> OptFloat(const char* key);
  bool Bool(const char* key, bool def);
  std::string String(const char* key);
  std::string String(const char* key, const std::string& def);
  /// One of `allowed`; anything else is an error that lists them.
  std::string Enum(const char* key, const std::string& def, std::initializer_list<const char*> allowed);
  std::vector<int64_t> Tuple(const char* key);
  std::vector<int64_t> Tuple(const char* key, const std::vector<int64_t>& def);
  std::optional<std::vector<int64_t>> OptTuple(const char* key);
  std::vector<double> FloatTuple(const char* key, const std::vector<double>& def);
  /// Marks attributes that do not change inference results (workspace, cudnn_tune...).
  void Ignore(std::initializer_list<const char*> keys);
  /// Throws kInvalidArgument naming the first attribute that was neither read nor ignored.
  void Finish() const;

  static int64_t ParseInt(const std::string& key, const std::string& text);
  static double ParseFloat(const std::string& key, const std::string& text);
  static bool ParseBool(const std::string& key, const std::string& text);
  static std::vector<int64_t> ParseTuple(const std::string& key, const std::string& text);

 private:
  const std::string* Find(const char* key);
  const AttrMap& attrs_;
  std::set<std::string> used_;
};

}  // namespace mxserve
