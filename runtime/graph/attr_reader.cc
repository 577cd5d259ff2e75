// SPDX-License-Identifier: Apache-2.0
#include "graph/attr_reader.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "base/error.h"

namespace mxserve {

namespace {
std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}
bool IsNone(const std::string& s) {
  std::string t = Trim(s);
  return t == "None" || t == "none" || t.empty();
}
}  // namespace

const std::string* AttrReader::Find(const char* key) {
  auto it = attrs_.find(key);
  if (it == attrs_.end()) return nullptr;
  used_.insert(key);
  return &it->second;
}

int64_t AttrReader::ParseInt(const std::string& key, const std::string& text) {
  std::string t = Trim(text);
  if (!t.empty() && (t.back() == 'L' || t.back() == 'l')) t.pop_back();  // Python 2 longs
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (t.empty() || errno != 0 || *end != '\0') {
    // Accept integral floats such as "2.0" that some writers produce.
    double d = std::strtod(t.c_str(), &end);
    MXS_CHECK(!t.empty() && *end == '\0' && std::floor(d) == d)
        << "attribute '" << key << "': cannot parse '" << text << "' as an integer";
    return static_cast<int64_t>(d);
  }
  return v;
}

double AttrReader::ParseFloat(const std::string& key, const std::string& text) {
  std::string t = Trim(text);
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  MXS_CHECK(!t.empty() && *end == '\0')
      << "attribute '" << key << "': cannot parse '" << text << "' as a number";
  return v;
}

bool AttrReader::ParseBool(const std::string& key, const std::string& text) {
  std::string t = Trim(text);
  if (t == "True" || t == "true" || t == "1") return true;
  if (t == "False" || t == "false" || t == "0") return false;
  MXS_THROW(kInvalidArgument) << "attribute '" << key << "': cannot parse '" << text
                              << "' as a boolean";
}

std::vector<int64_t> AttrReader::ParseTuple(const std::string& key, const std::string& text) {
  std::string t = Trim(text);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    char close = t.front() == '(' ? ')' : ']';
    MXS_CHECK(t.back() == close) << "attribute '" << key << "': cannot parse '" << text
                                 << "' as a tuple";
    t = t.substr(1, t.size() - 2);
  }
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t comma = t.find(',', pos);
    std::string item = Trim(t.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (!item.empty()) {
      out.push_back(IsNone(item) ? -1 : ParseInt(key, item));
    } else if (comma != std::string::npos && comma + 1 < t.size()) {
      MXS_THROW(kInvalidArgument) << "attribute '" << key << "': empty element in '" << text << "'";
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

int64_t AttrReader::Int(const char* key) {
  const std::string* v = Find(key);
  MXS_CHECK(v != nullptr) << "required attribute '" << key << "' is missing";
  return ParseInt(key, *v);
}

int64_t AttrReader::Int(const char* key, int64_t def) {
  const std::string* v = Find(key);
  return v ? ParseInt(key, *v) : def;
}

std::optional<int64_t> AttrReader::OptInt(const char* key) {
  const std::string* v = Find(key);
  if (v == nullptr || IsNone(*v)) return std::nullopt;
  return ParseInt(key, *v);
}

double AttrReader::Float(const char* key) {
  const std::string* v = Find(key);
  MXS_CHECK(v != nullptr) << "required attribute '" << key << "' is missing";
  return ParseFloat(key, *v);
}

double AttrReader::Float(const char* key, double def) {
  const std::string* v = Find(key);
  return v ? ParseFloat(key, *v) : def;
}

std::optional<double> AttrReader::OptFloat(const char* key) {
  const std::string* v = Find(key);
  if (v == nullptr || IsNone(*v)) return std::nullopt;
  return ParseFloat(key, *v);
}

bool AttrReader::Bool(const char* key, bool def) {
  const std::string* v = Find(key);
  return v ? ParseBool(key, *v) : def;
}

std::string AttrReader::String(const char* key) {
  const std::string* v = Find(key);
  MXS_CHECK(v != nullptr) << "required attribute '" << key << "' is missing";
  return *v;
}

std::string AttrReader::String(const char* key, const std::string& def) {
  const std::string* v = Find(key);
  return v ? *v : def;
}

std::string AttrReader::Enum(const char* key, const std::string& def,
                             std::initializer_list<const char*> allowed) {
  std::string v = Trim(String(key, def));
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return v;
    list += list.empty() ? "" : ", ";
    list += a;
  }
  MXS_THROW(kInvalidArgument) << "attribute '" << key << "': '" << v << "' is not one of {"
                              << list << "}";
}

std::vector<int64_t> AttrReader::Tuple(const char* key) {
  const std::string* v = Find(key);
  MXS_CHECK(v != nullptr) << "required attribute '" << key << "' is missing";
  return ParseTuple(key, *v);
}

std::vector<int64_t> AttrReader::Tuple(const char* key, const std::vector<int64_t>& def) {
  const std::string* v = Find(key);
  return v ? ParseTuple(key, *v) : def;
}

std::optional<std::vector<int64_t>> AttrReader::OptTuple(const char* key) {
  const std::string* v = Find(key);
  if (v == nullptr || Trim(*v) == "None") return std::nullopt;
  return ParseTuple(key, *v);
}

std::vector<double> AttrReader::FloatTuple(const char* key, const std::vector<double>& def) {
  const std::string* v = Find(key);
  if (v == nullptr) return def;
  std::string t = Trim(*v);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) t = t.substr(1, t.size() - 2);
  std::vector<double> out;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t comma = t.find(',', pos);
    std::string item = Trim(t.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (!item.empty()) out.push_back(ParseFloat(key, item));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

void AttrReader::Ignore(std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (attrs_.count(k)) used_.insert(k);
}

void AttrReader::Finish() const {
  for (const auto& kv : attrs_) {
    MXS_CHECK(used_.count(kv.first) != 0)
        << "unknown attribute '" << kv.first << "' = '" << kv.second << "'";
  }
}

}  // namespace mxserve
