// SPDX-License-Identifier: Apache-2.0
// Device string parsing.
#include "base/device.h"

#include <cctype>

#include "base/error.h"

namespace mxserve {

const char* DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kCpu:
      return "cpu";
    case DeviceKind::kCuda:
      return "cuda";
  }
  return "unknown";
}

std::string Device::ToString() const {
  if (kind == DeviceKind::kCpu) return "cpu(" + std::to_string(id) + ")";
  return std::string(DeviceKindName(kind)) + ":" + std::to_string(id);
}

namespace {

// The id in "(N)" or ":N" after the kind name, or 0 when `rest` is empty; -1 when malformed.
int ParseId(const std::string& rest) {
  if (rest.empty()) return 0;
  std::string digits;
  if (rest.front() == ':') {
    digits = rest.substr(1);
  } else if (rest.front() == '(' && rest.back() == ')' && rest.size() >= 2) {
    digits = rest.substr(1, rest.size() - 2);
  } else {
    return -1;
  }
  if (digits.empty() || digits.size() > 6) return -1;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
  return std::stoi(digits);
}

}  // namespace

Device ParseDevice(const std::string& text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t name_end = 0;
  while (name_end < s.size() && std::isalpha(static_cast<unsigned char>(s[name_end]))) ++name_end;
  const std::string name = s.substr(0, name_end);
  const int id = ParseId(s.substr(name_end));
  Device d;
  if (name == "cpu") {
    d.kind = DeviceKind::kCpu;
  } else if (name == "cuda" || name == "gpu") {
    d.kind = DeviceKind::kCuda;
  } else {
    MXS_THROW(kInvalidArgument) << "unknown device '" << text
                                << "': expected cpu, cuda, cuda:N, gpu(N) or gpu:N";
  }
  MXS_CHECK(id >= 0) << "malformed device '" << text << "': expected " << name << ", " << name
                     << ":N or " << name << "(N) with N a device number";
  MXS_CHECK(d.kind != DeviceKind::kCpu || id == 0)
      << "device '" << text << "': the CPU is device 0 (cpu or cpu(0))";
  d.id = id;
  return d;
}

Device DeviceFromMXNet(int dev_type, int dev_id) {
  MXS_CHECK(dev_type == 1 || dev_type == 2 || dev_type == 3)
      << "unknown dev_type " << dev_type << " (1: cpu, 2: gpu, 3: cpu_pinned)";
  MXS_CHECK(dev_id >= 0) << "dev_id is negative (" << dev_id << ")";
  // MXNet ignores dev_id for the CPU (cpu(1) is the same CPU).
  if (dev_type != 2) return Device{DeviceKind::kCpu, 0};
  return Device{DeviceKind::kCuda, dev_id};
}

}  // namespace mxserve
