// SPDX-License-Identifier: Apache-2.0
// NDArray list files, as written by NDArray::Save in MXNet's src/ndarray/ndarray.cc:
//   uint64 0x112, uint64 reserved, uint64 count, count x array, uint64 count, count x name
// where a name is uint64 length + bytes and an array (V2) is
//   uint32 magic 0xF993fac9, int32 storage type, shape, int32 dev_type, int32 dev_id,
//   int32 type flag, raw little-endian elements
// and a shape is int32 ndim + ndim x int64.
#include "graph/ndarray_file.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace mxserve {

namespace {

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kV2Magic = 0xF993fac9;

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  template <typename T>
  T Read(const char* what) {
    T v;
    MXS_CHECK(pos_ + sizeof(T) <= size_) << "params file is truncated: expected " << what
                                         << " at byte " << pos_ << " of " << size_;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  const uint8_t* Take(size_t n, const char* what) {
    MXS_CHECK(n <= size_ - pos_) << "params file is truncated: " << what << " needs " << n
                                 << " bytes at byte " << pos_ << ", only " << size_ - pos_ << " left";
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  size_t pos() const { return pos_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

NDArray ReadArray(Reader& r, size_t index) {
  uint32_t magic = r.Read<uint32_t>("array header");
  MXS_CHECK_CODE(magic == kV2Magic, kUnsupported)
      << "array #" << index << ": header 0x" << std::hex << magic << " is not supported";
  int32_t stype = r.Read<int32_t>("storage type");
  MXS_CHECK_CODE(stype == 0, kUnsupported) << "array #" << index << " is sparse (storage type "
                                           << stype << "); only dense arrays are supported";
  int32_t ndim = r.Read<int32_t>("ndim");
  MXS_CHECK(ndim >= 0 && ndim <= 32) << "array #" << index << ": invalid ndim " << ndim;
  std::vector<int64_t> dims(ndim);
  for (auto& d : dims) {
    d = r.Read<int64_t>("dimension");
    MXS_CHECK(d >= 0) << "array #" << index << ": negative dimension " << d;
  }
  NDArray a;
  a.shape = Shape(dims);
  r.Read<int32_t>("device type");
  r.Read<int32_t>("device id");
  int32_t flag = r.Read<int32_t>("type flag");
  a.dtype = DTypeFromFlag(flag);
  MXS_CHECK(a.dtype != DType::kUnknown) << "array #" << index << ": unknown type flag " << flag;
  size_t n = a.nbytes();
  const uint8_t* p = r.Take(n, "array data");
  auto buf = std::make_shared<Buffer>(n);
  if (n) std::memcpy(buf->data(), p, n);
  a.data = std::move(buf);
  return a;
}

}  // namespace

NDArrayList LoadNDArrayList(const uint8_t* data, size_t size) {
  Reader r(data, size);
  uint64_t magic = r.Read<uint64_t>("file header");
  MXS_CHECK(magic == kListMagic) << "not an MXNet NDArray file (header 0x" << std::hex << magic << ")";
  r.Read<uint64_t>("reserved field");
  uint64_t count = r.Read<uint64_t>("array count");
  MXS_CHECK(count <= size) << "params file is corrupt: array count " << count;
  std::vector<NDArray> arrays;
  for (uint64_t i = 0; i < count; ++i) arrays.push_back(ReadArray(r, i));
  uint64_t num_names = r.Read<uint64_t>("name count");
  MXS_CHECK(num_names == 0 || num_names == count)
      << "params file is corrupt: " << count << " arrays but " << num_names << " names";
  NDArrayList out;
  for (uint64_t i = 0; i < count; ++i) {
    std::string name;
    if (num_names) {
      uint64_t len = r.Read<uint64_t>("name length");
      const uint8_t* p = r.Take(len, "name");
      name.assign(reinterpret_cast<const char*>(p), len);
    }
    out.emplace_back(std::move(name), std::move(arrays[i]));
  }
  return out;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  MXS_CHECK_CODE(f.good(), kNotFound) << "cannot open '" << path << "'";
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string SaveNDArrayList(const NDArrayList& arrays) {
  MXS_THROW(kUnsupported) << "saving NDArray files is not implemented (" << arrays.size() << ")";
}

}  // namespace mxserve
