// SPDX-License-Identifier: Apache-2.0
// NDArray list files, as NDArray::Save / NDArray::Load in MXNet's src/ndarray/ndarray.cc:
//   uint64 0x112, uint64 reserved, uint64 count, count x array, uint64 count, count x name
// where a name is uint64 length + bytes. An array starts with a uint32 that is either a magic
// number or, in files older than MXNet 0.9 (no magic), the number of dimensions:
//   legacy  uint32 ndim, ndim x uint32 dims, context, type flag, data
//   V1      0xF993fac8, shape, context, type flag, data
//   V2      0xF993fac9, int32 storage type, [storage shape], shape, context, type flag,
//           [aux types and shapes], data, [aux data]       ([..] only for sparse storage)
//   V3      0xF993faca, as V2 but with numpy shape semantics
// where a shape is int32 ndim + ndim x int64, a context is int32 dev_type + int32 dev_id, and
// data is the raw little-endian elements. An array whose shape is "none" stops right after the
// shape: ndim 0 before V3 (the writers then had no scalars), ndim -1 or a -1 dimension in V3.
//
// Every size read from the file is checked against the bytes that are left before it is used,
// so a corrupt count can neither overrun the buffer nor trigger a huge allocation.
#include "graph/ndarray_file.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "graph/npz_reader.h"

namespace mxserve {

namespace {

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kV1Magic = 0xF993fac8;
constexpr uint32_t kV2Magic = 0xF993fac9;
constexpr uint32_t kV3Magic = 0xF993faca;
// MXNet's storage types (include/mxnet/ndarray.h NDArrayStorageType).
constexpr int32_t kUndefinedStorage = -1;
constexpr int32_t kDefaultStorage = 0;
constexpr int32_t kRowSparseStorage = 1;
constexpr int32_t kCSRStorage = 2;
// Larger ndim values are taken as corruption. MXNet has no hard limit, but no MXNet operator or
// numpy (NPY_MAXDIMS) goes beyond this, and it lets a flipped magic number be reported as such
// instead of as a legacy header with billions of dimensions.
constexpr int64_t kMaxDims = 64;
// The smallest array record: a legacy "none" array is just its uint32 ndim.
constexpr uint64_t kMinArrayBytes = 4;

/// Bounds-checked little-endian reads; every error names the field and the byte offset.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  template <typename T>
  T Read(const std::string& what) {
    Need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  const uint8_t* Take(uint64_t n, const std::string& what) {
    Need(n, what);
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  void Need(uint64_t n, const std::string& what) const {
    MXS_CHECK(n <= left()) << "params file is truncated: " << what << " needs " << n << " bytes at byte " << pos_
                           << ", only " << left() << " left";
  }
  size_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }

 private:
  const uint8_t* data_;  ///< the whole file
  size_t size_;          ///< its size in bytes
  size_t pos_ = 0;       ///< next byte to read
};

/// What ReadArray found.
struct ArrayRecord {
  NDArray array;                    ///< the dense array (when !none && stype == kDefaultStorage)
  bool none = false;                ///< a placeholder without data
  int32_t stype = kDefaultStorage;  ///< storage type; sparse arrays are skipped, then rejected
};

const char* StorageTypeName(int32_t stype) {
  switch (stype) {
    case kRowSparseStorage:
      return "row_sparse";
    case kCSRStorage:
      return "csr";
    default:
      return "unknown";
  }
}

/// A TShape as MXNet saves it: int32 ndim then int64 dims. ndim -1 ("unknown", V3 only) is
/// returned as `known = false` with no dims read.
struct FileShape {
  std::vector<int64_t> dims;  ///< the dimensions as stored (may hold -1 = unknown)
  bool known = true;          ///< false for ndim -1
};

FileShape ReadShape(Reader& r, const std::string& what) {
  FileShape s;
  size_t at = r.pos();
  int32_t ndim = r.Read<int32_t>(what + " ndim");
  if (ndim == -1) {
    s.known = false;
    return s;
  }
  MXS_CHECK(ndim >= 0 && ndim <= kMaxDims)
      << "params file is corrupt: " << what << " at byte " << at << " has ndim " << ndim;
  r.Need(static_cast<uint64_t>(ndim) * 8, what + " dimensions");
  for (int32_t i = 0; i < ndim; ++i) {
    size_t dim_at = r.pos();
    int64_t d = r.Read<int64_t>(what + " dimension");
    MXS_CHECK(d >= -1) << "params file is corrupt: " << what << " at byte " << dim_at << " has dimension " << d;
    s.dims.push_back(d);
  }
  return s;
}

bool HasUnknownDim(const FileShape& s) {
  for (int64_t d : s.dims)
    if (d < 0) return true;
  return false;
}

// Bytes taken by `count` elements of `flag`, checked against the bytes left.
uint64_t DataBytes(Reader& r, const std::vector<int64_t>& dims, int32_t flag, const std::string& what,
                   size_t flag_at) {
  DType dtype = DTypeFromFlag(flag);
  MXS_CHECK(dtype != DType::kUnknown) << "params file is corrupt: " << what << " at byte " << flag_at
                                      << " has unknown type flag " << flag;
  // `span` leaves out the zeros: an empty array's other dims must still address a tensor the
  // runtime (and numpy, which computes its strides) can hold.
  uint64_t n = DTypeSize(dtype);
  uint64_t span = n;
  for (int64_t d : dims) {
    MXS_CHECK(d >= 0 && !__builtin_mul_overflow(span, static_cast<uint64_t>(d == 0 ? 1 : d), &span) &&
              span <= static_cast<uint64_t>(kMaxTensorBytes))
        << "params file is corrupt: " << what << " has shape with " << dims.size()
        << " dimensions whose size is unknown or exceeds " << kMaxTensorBytes << " bytes";
    n *= static_cast<uint64_t>(d);  // n is 0 or equals span
  }
  r.Need(n, what + " data");
  return n;
}

ArrayRecord ReadArray(Reader& r, uint64_t index) {
  const std::string what = "array #" + std::to_string(index);
  ArrayRecord rec;
  size_t start = r.pos();
  uint32_t magic = r.Read<uint32_t>(what + " header");
  FileShape shape;
  if (magic == kV2Magic || magic == kV3Magic) {
    size_t stype_at = r.pos();
    rec.stype = r.Read<int32_t>(what + " storage type");
    MXS_CHECK(rec.stype >= kUndefinedStorage && rec.stype <= kCSRStorage)
        << "params file is corrupt: " << what << " at byte " << stype_at << " has storage type " << rec.stype;
    if (rec.stype == kRowSparseStorage || rec.stype == kCSRStorage) {
      // A sparse array: skip it exactly so the names can be read and the error can name it.
      FileShape sshape = ReadShape(r, what + " storage shape");
      shape = ReadShape(r, what + " shape");
      bool none = !shape.known || HasUnknownDim(shape) || (magic == kV2Magic && shape.dims.empty());
      if (none) {
        rec.none = true;
        return rec;
      }
      r.Take(8, what + " context");
      size_t flag_at = r.pos();
      int32_t flag = r.Read<int32_t>(what + " type flag");
      int num_aux = rec.stype == kCSRStorage ? 2 : 1;
      std::vector<std::pair<int32_t, FileShape>> aux;
      for (int i = 0; i < num_aux; ++i) {
        int32_t aux_flag = r.Read<int32_t>(what + " aux type");
        aux.emplace_back(aux_flag, ReadShape(r, what + " aux shape"));
      }
      MXS_CHECK(sshape.known) << "params file is corrupt: " << what << " has an unknown storage shape";
      r.Take(DataBytes(r, sshape.dims, flag, what, flag_at), what + " data");
      for (const auto& a : aux) {
        MXS_CHECK(a.second.known) << "params file is corrupt: " << what << " has an unknown aux shape";
        r.Take(DataBytes(r, a.second.dims, a.first, what + " aux", flag_at), what + " aux data");
      }
      return rec;
    }
    shape = ReadShape(r, what + " shape");
    // MXNet before V3 had no scalars: ndim 0 meant "none", and so did an undefined storage type.
    rec.none = !shape.known || HasUnknownDim(shape) || (magic == kV2Magic && shape.dims.empty());
    MXS_CHECK(rec.none || rec.stype == kDefaultStorage)
        << "params file is corrupt: " << what << " at byte " << stype_at << " has storage type "
        << rec.stype << " but a shape";
  } else if (magic == kV1Magic) {
    shape = ReadShape(r, what + " shape");
    rec.none = !shape.known || shape.dims.empty() || HasUnknownDim(shape);
  } else {
    // Before 0.9 there was no magic: this word is the ndim of a uint32 shape.
    MXS_CHECK(magic <= kMaxDims) << "params file is corrupt: " << what << " at byte " << start
                                 << " starts with 0x" << std::hex << magic << std::dec
                                 << ", which is neither an NDArray magic (0xF993fac8/9/a) nor a legacy ndim";
    r.Need(uint64_t{magic} * 4, what + " legacy shape");
    for (uint32_t i = 0; i < magic; ++i) shape.dims.push_back(r.Read<uint32_t>(what + " dimension"));
    rec.none = shape.dims.empty();
  }
  if (rec.none) return rec;
  r.Take(8, what + " context");  // dev_type, dev_id: everything loads on the host
  size_t flag_at = r.pos();
  int32_t flag = r.Read<int32_t>(what + " type flag");
  uint64_t nbytes = DataBytes(r, shape.dims, flag, what, flag_at);
  const uint8_t* p = r.Take(nbytes, what + " data");
  rec.array.dtype = DTypeFromFlag(flag);
  rec.array.shape = Shape(shape.dims);
  auto buf = std::make_shared<Buffer>(nbytes);
  if (nbytes) std::memcpy(buf->data(), p, nbytes);
  rec.array.data = std::move(buf);
  return rec;
}

NDArrayList LoadList(const uint8_t* data, size_t size) {
  Reader r(data, size);
  r.Read<uint64_t>("file header");
  r.Read<uint64_t>("reserved field");
  size_t count_at = r.pos();
  uint64_t count = r.Read<uint64_t>("array count");
  MXS_CHECK(count <= r.left() / kMinArrayBytes)
      << "params file is corrupt or truncated: array count " << count << " at byte " << count_at
      << " cannot fit in the " << r.left() << " bytes left";
  std::vector<ArrayRecord> records;
  for (uint64_t i = 0; i < count; ++i) records.push_back(ReadArray(r, i));
  size_t names_at = r.pos();
  uint64_t num_names = r.Read<uint64_t>("name count");
  MXS_CHECK(num_names == 0 || num_names == count)
      << "params file is corrupt: " << count << " arrays but " << num_names << " names (at byte " << names_at << ")";
  std::vector<std::string> names(count);
  for (uint64_t i = 0; i < num_names; ++i) {
    const std::string what = "name of array #" + std::to_string(i);
    uint64_t len = r.Read<uint64_t>(what + " (length)");
    const uint8_t* p = r.Take(len, what);
    names[i].assign(reinterpret_cast<const char*>(p), len);
    MXS_CHECK(IsValidUtf8(names[i])) << "params file is corrupt: " << what << " at byte " << r.pos() - len
                                << " is not valid UTF-8";
  }
  // Bytes after the names are ignored, as MXNet does.
  NDArrayList out;
  for (uint64_t i = 0; i < count; ++i) {
    ArrayRecord& rec = records[i];
    if (rec.none) continue;
    MXS_CHECK_CODE(rec.stype == kDefaultStorage, kUnsupported)
        << "params file: array " << (names[i].empty() ? "#" + std::to_string(i) : "'" + names[i] + "'")
        << " has sparse storage type " << StorageTypeName(rec.stype)
        << "; mxserve only loads dense arrays (save it with tostype('default'))";
    out.emplace_back(std::move(names[i]), std::move(rec.array));
  }
  return out;
}

std::string DescribeStart(const uint8_t* data, size_t size) {
  std::ostringstream os;
  os << std::hex;
  for (size_t i = 0; i < size && i < 8; ++i) os << (i ? " " : "") << (data[i] < 16 ? "0" : "") << int(data[i]);
  return os.str();
}

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

}  // namespace

NDArrayList LoadNDArrayList(const uint8_t* data, size_t size) {
  if (size == 0) return {};
  if (IsZipArchive(data, size)) return LoadNpz(data, size);
  if (IsNpyArray(data, size)) {
    NDArrayList out;
    out.emplace_back("", ParseNpyArray(data, size, ".npy array"));
    return out;
  }
  if (size >= 8) {
    uint64_t magic;
    std::memcpy(&magic, data, 8);
    if (magic == kListMagic) return LoadList(data, size);
  }
  size_t first = 0;
  while (first < size && (data[first] == ' ' || data[first] == '\n' || data[first] == '\r' || data[first] == '\t'))
    ++first;
  MXS_CHECK(first == size || data[first] != '{')
      << "params file starts with '{': it looks like a symbol JSON file, not an NDArray file";
  MXS_THROW(kInvalidArgument) << "not an MXNet params file: it starts with bytes " << DescribeStart(data, size)
                              << " (expected the NDArray list magic 0x112, an .npz zip archive or a .npy array)";
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  MXS_CHECK_CODE(f.good(), kNotFound) << "cannot open '" << path << "'";
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string SaveNDArrayList(const NDArrayList& arrays) {
  bool named = false;
  for (const auto& kv : arrays) named |= !kv.first.empty();
  std::string out;
  Put<uint64_t>(out, kListMagic);
  Put<uint64_t>(out, 0);
  Put<uint64_t>(out, arrays.size());
  for (const auto& kv : arrays) {
    const NDArray& a = kv.second;
    std::string what = "cannot save array '" + kv.first + "': ";
    MXS_CHECK(a.shape.complete() && a.data != nullptr && a.data->size() >= a.nbytes())
        << what << "it has no data or an incomplete shape " << a.shape.ToString();
    MXS_CHECK(a.shape.ndim() > 0)
        << what << "MXNet 1.x reads a 0-dimensional array as a \"none\" array; reshape it to (1,)";
    MXS_CHECK_CODE(a.dtype != DType::kInt16 && a.dtype != DType::kUint16 && a.dtype != DType::kUint32 &&
                       a.dtype != DType::kUint64,
                   kUnsupported)
        << what << "MXNet 1.9.1 cannot load " << DTypeName(a.dtype) << " arrays";
    MXS_CHECK(DTypeSize(a.dtype) > 0) << what << "unknown dtype";
    Put<uint32_t>(out, kV2Magic);
    Put<int32_t>(out, kDefaultStorage);
    Put<int32_t>(out, a.shape.ndim());
    for (int64_t d : a.shape.dims()) Put<int64_t>(out, d);
    Put<int32_t>(out, 1);  // dev_type cpu
    Put<int32_t>(out, 0);  // dev_id
    Put<int32_t>(out, static_cast<int32_t>(a.dtype));
    out.append(static_cast<const char*>(a.data->data()), a.nbytes());
  }
  Put<uint64_t>(out, named ? arrays.size() : 0);
  if (named) {
    for (const auto& kv : arrays) {
      Put<uint64_t>(out, kv.first.size());
      out.append(kv.first);
    }
  }
  return out;
}

}  // namespace mxserve
