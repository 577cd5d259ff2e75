// SPDX-License-Identifier: Apache-2.0
// .npy / .npz reader.
//
// A .npz file is a zip archive of .npy files. MXNet 2.0 writes it with miniz, uncompressed and
// with data descriptors (so the sizes in the local headers are zero); numpy.savez writes it with
// Python's zipfile and zip64 extra fields; numpy.savez_compressed deflates. The reader therefore
// trusts only the central directory for sizes and offsets, uses the local header just to find
// where the data starts, and checks every count and size against the bytes that are really
// there before it allocates anything.
//
// A .npy file is "\x93NUMPY", a version (1.0, 2.0 or 3.0), a header length (uint16 for 1.0,
// uint32 otherwise), a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}
// padded with spaces, then the raw elements.
#include "graph/npz_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "base/error.h"

namespace mxserve {

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the file readers assume a little-endian host");

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
// Deflate cannot expand data by more than about 1032:1; a larger claimed size is corrupt, and
// checking it first keeps a forged header from causing a huge allocation.
constexpr uint64_t kMaxDeflateRatio = 1032;
// numpy's own limit on dimensions (NPY_MAXDIMS in numpy 2).
constexpr size_t kMaxNpyDims = 64;

template <typename T>
T LoadLE(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// ---------------------------------------------------------------------------------------------
// The .npy header: a small parser for the Python literals numpy writes.

/// One Python literal value from a .npy header.
struct PyValue {
  /// Which member holds the value.
  enum class Kind { kString, kInt, kBool, kNone, kTuple, kList, kDict } kind = Kind::kNone;
  /// kString: the text.
  std::string str;
  /// kInt: the value; kBool: 0 or 1.
  int64_t num = 0;
  /// kTuple, kList: the items.
  std::vector<PyValue> items;
  /// kDict: keys (strings) and values, in order.
  std::vector<std::pair<std::string, PyValue>> dict;
};

class LiteralParser {
 public:
  LiteralParser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  PyValue ParseAll() {
    PyValue v = Parse(0);
    SkipSpace();
    MXS_CHECK(pos_ == s_.size()) << Where() << "unexpected text after the header dict";
    return v;
  }

 private:
  std::string Where() const {
    return what_ + ": malformed .npy header at character " + std::to_string(pos_) + ": ";
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // Items of a tuple, list or dict up to `close`, allowing the trailing comma Python allows.
  template <typename F>
  void Sequence(char close, F&& item) {
    if (Eat(close)) return;
    while (true) {
      item();
      if (Eat(close)) return;
      MXS_CHECK(Eat(',')) << Where() << "expected ',' or '" << close << "'";
      if (Eat(close)) return;
    }
  }
  PyValue Parse(int depth) {
    // numpy headers nest at most three deep (dict > list > tuple); the limit keeps a forged
    // header from exhausting the stack.
    MXS_CHECK(depth < 8) << Where() << "nested too deeply";
    SkipSpace();
    MXS_CHECK(pos_ < s_.size()) << Where() << "unexpected end";
    PyValue v;
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      ++pos_;
      size_t end = s_.find(c, pos_);
      MXS_CHECK(end != std::string::npos) << Where() << "unterminated string";
      v.kind = PyValue::Kind::kString;
      v.str = s_.substr(pos_, end - pos_);
      pos_ = end + 1;
    } else if (c == '(' || c == '[') {
      ++pos_;
      v.kind = c == '(' ? PyValue::Kind::kTuple : PyValue::Kind::kList;
      Sequence(c == '(' ? ')' : ']', [&] { v.items.push_back(Parse(depth + 1)); });
    } else if (c == '{') {
      ++pos_;
      v.kind = PyValue::Kind::kDict;
      Sequence('}', [&] {
        PyValue key = Parse(depth + 1);
        MXS_CHECK(key.kind == PyValue::Kind::kString) << Where() << "dict keys must be strings";
        MXS_CHECK(Eat(':')) << Where() << "expected ':'";
        v.dict.emplace_back(key.str, Parse(depth + 1));
      });
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = pos_;
      if (c == '-') ++pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      std::string digits = s_.substr(start, pos_ - start);
      MXS_CHECK(digits != "-" && digits.size() <= 19) << Where() << "bad integer '" << digits << "'";
      v.kind = PyValue::Kind::kInt;
      v.num = std::stoll(digits);
      if (pos_ < s_.size() && (s_[pos_] == 'L' || s_[pos_] == 'l')) ++pos_;  // Python 2 longs
    } else if (s_.compare(pos_, 4, "True") == 0 || s_.compare(pos_, 5, "False") == 0) {
      v.kind = PyValue::Kind::kBool;
      v.num = s_[pos_] == 'T';
      pos_ += v.num ? 4 : 5;
    } else if (s_.compare(pos_, 4, "None") == 0) {
      pos_ += 4;
    } else {
      MXS_THROW(kInvalidArgument) << Where() << "unexpected character '" << c << "'";
    }
    return v;
  }

  const std::string& s_;     ///< the header text
  const std::string& what_;  ///< names the array in messages
  size_t pos_ = 0;           ///< next character to read
};

// Maps a numpy type string ('<f4', '|b1', ...) to a DType.
DType DTypeFromDescr(const std::string& descr, const std::string& what) {
  MXS_CHECK(!descr.empty()) << what << ": empty dtype descr";
  char order = descr[0];
  std::string code = descr;
  if (order == '<' || order == '>' || order == '|' || order == '=') code = descr.substr(1);
  static const std::pair<const char*, DType> kCodes[] = {
      {"f2", DType::kFloat16}, {"f4", DType::kFloat32}, {"f8", DType::kFloat64},
      {"i1", DType::kInt8},    {"i2", DType::kInt16},   {"i4", DType::kInt32},
      {"i8", DType::kInt64},   {"u1", DType::kUint8},   {"u2", DType::kUint16},
      {"u4", DType::kUint32},  {"u8", DType::kUint64},  {"b1", DType::kBool},
  };
  for (const auto& kv : kCodes) {
    if (code != kv.first) continue;
    MXS_CHECK_CODE(order != '>' || DTypeSize(kv.second) == 1, kUnsupported)
        << what << ": dtype '" << descr << "' is big-endian; convert it with "
        << "numpy's astype('<" << code << "') before saving";
    return kv.second;
  }
  MXS_THROW(kUnsupported) << what << ": dtype '" << descr << "' is not supported (supported: "
                          << "float16/32/64, bfloat16, int8/16/32/64, uint8/16/32/64, bool)";
}

// MXNet 2.0 writes bfloat16 as the structured dtype [('bfloat16', '<u2')].
bool IsBfloat16Descr(const PyValue& v) {
  return v.kind == PyValue::Kind::kList && v.items.size() == 1 &&
         v.items[0].kind == PyValue::Kind::kTuple && v.items[0].items.size() == 2 &&
         v.items[0].items[0].kind == PyValue::Kind::kString && v.items[0].items[0].str == "bfloat16" &&
         v.items[0].items[1].kind == PyValue::Kind::kString &&
         (v.items[0].items[1].str == "<u2" || v.items[0].items[1].str == "=u2");
}

// Returns the header length and sets *header_start; validates the magic and version.
size_t ReadNpyPreamble(const uint8_t* data, size_t size, const std::string& what, size_t* header_start) {
  MXS_CHECK(size >= 10) << what << ": truncated .npy preamble (" << size << " bytes, need at least 10)";
  MXS_CHECK(IsNpyArray(data, size)) << what << ": not a .npy array (bad magic at byte 0)";
  uint8_t major = data[6], minor = data[7];
  MXS_CHECK_CODE((major >= 1 && major <= 3) && minor == 0, kUnsupported)
      << what << ": .npy format version " << int(major) << "." << int(minor)
      << " is not supported (1.0, 2.0 and 3.0 are)";
  size_t len;
  if (major == 1) {
    len = LoadLE<uint16_t>(data + 8);
    *header_start = 10;
  } else {
    MXS_CHECK(size >= 12) << what << ": truncated .npy preamble (" << size << " bytes, need 12)";
    len = LoadLE<uint32_t>(data + 8);
    *header_start = 12;
  }
  MXS_CHECK(len <= size - *header_start)
      << what << ": truncated .npy header: it claims " << len << " bytes at byte " << *header_start
      << ", only " << size - *header_start << " left";
  return len;
}

// ---------------------------------------------------------------------------------------------
// The zip container.

/// One file of the archive, from its central directory record.
struct ZipEntry {
  std::string name;           ///< path inside the archive
  uint16_t flags = 0;         ///< general purpose bit flags
  uint16_t method = 0;        ///< 0 stored, 8 deflate
  uint32_t crc = 0;           ///< CRC-32 of the uncompressed data
  uint64_t comp_size = 0;     ///< bytes in the archive
  uint64_t size = 0;          ///< bytes once uncompressed
  uint64_t local_offset = 0;  ///< offset of the local file header
  size_t record_offset = 0;   ///< offset of the central directory record (for messages)
};

// Reads a zip64 extended-information extra field: the 64-bit values replace exactly those
// 32-bit fields that hold 0xFFFFFFFF, in the order size, compressed size, offset.
void ApplyZip64Extra(const uint8_t* extra, size_t len, ZipEntry& e, const std::string& where) {
  size_t p = 0;
  while (p + 4 <= len) {
    uint16_t id = LoadLE<uint16_t>(extra + p);
    uint16_t n = LoadLE<uint16_t>(extra + p + 2);
    MXS_CHECK(p + 4 + n <= len) << where << ": extra field overruns its record";
    if (id == 0x0001) {
      size_t q = p + 4;
      for (uint64_t* field : {&e.size, &e.comp_size, &e.local_offset}) {
        if (*field != 0xFFFFFFFFu) continue;
        MXS_CHECK(q + 8 <= p + 4 + n) << where << ": zip64 extra field is too short";
        *field = LoadLE<uint64_t>(extra + q);
        q += 8;
      }
    }
    p += 4 + n;
  }
}

// Finds the central directory: returns its offset and size and the number of entries.
void FindCentralDirectory(const uint8_t* data, size_t size, uint64_t* cd_offset, uint64_t* cd_size,
                          uint64_t* count, size_t* cd_limit) {
  MXS_CHECK(size >= kEndSize) << "npz archive is truncated: " << size
                              << " bytes cannot hold a zip end-of-central-directory record";
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
  size_t lowest = size - kEndSize > 65535 ? size - kEndSize - 65535 : 0;
  size_t end = SIZE_MAX;
  for (size_t p = size - kEndSize + 1; p-- > lowest;) {
    if (LoadLE<uint32_t>(data + p) == kEndSig &&
        p + kEndSize + LoadLE<uint16_t>(data + p + 20) <= size) {
      end = p;
      break;
    }
  }
  MXS_CHECK(end != SIZE_MAX) << "npz archive is truncated or corrupt: no zip end-of-central-directory "
                                "record in the last bytes of the file (" << size << " bytes)";
  MXS_CHECK(LoadLE<uint16_t>(data + end + 4) == 0 && LoadLE<uint16_t>(data + end + 6) == 0)
      << "npz archive spans several disks, which is not supported";
  *count = LoadLE<uint16_t>(data + end + 10);
  *cd_size = LoadLE<uint32_t>(data + end + 12);
  *cd_offset = LoadLE<uint32_t>(data + end + 16);
  *cd_limit = end;
  if (*count == 0xFFFF || *cd_size == 0xFFFFFFFFu || *cd_offset == 0xFFFFFFFFu) {
    MXS_CHECK(end >= 20 && LoadLE<uint32_t>(data + end - 20) == kZip64LocatorSig)
        << "npz archive is corrupt: the end record at byte " << end
        << " asks for zip64 but there is no zip64 locator before it";
    uint64_t z = LoadLE<uint64_t>(data + end - 20 + 8);
    MXS_CHECK(z <= end - 20 && end - 20 - z >= 56 && LoadLE<uint32_t>(data + z) == kZip64EndSig)
        << "npz archive is corrupt: no zip64 end record at byte " << z;
    *count = LoadLE<uint64_t>(data + z + 32);
    *cd_size = LoadLE<uint64_t>(data + z + 40);
    *cd_offset = LoadLE<uint64_t>(data + z + 48);
    *cd_limit = z;
  }
  MXS_CHECK(*cd_offset <= *cd_limit && *cd_size <= *cd_limit - *cd_offset)
      << "npz archive is truncated or corrupt: the central directory (" << *cd_size << " bytes at byte "
      << *cd_offset << ") lies outside the " << *cd_limit << " bytes before the end record";
  MXS_CHECK(*count <= *cd_size / kCentralHeaderSize)
      << "npz archive is corrupt: " << *count << " entries cannot fit in a central directory of "
      << *cd_size << " bytes";
}

std::vector<ZipEntry> ReadCentralDirectory(const uint8_t* data, size_t size) {
  uint64_t cd_offset, cd_size, count;
  size_t cd_limit;
  FindCentralDirectory(data, size, &cd_offset, &cd_size, &count, &cd_limit);
  std::vector<ZipEntry> entries;
  size_t p = cd_offset, cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    std::string where = "npz archive: central directory record #" + std::to_string(i) + " at byte " +
                        std::to_string(p);
    MXS_CHECK(cd_end - p >= kCentralHeaderSize) << where << " is truncated";
    MXS_CHECK(LoadLE<uint32_t>(data + p) == kCentralHeaderSig) << where << " has a bad signature";
    ZipEntry e;
    e.record_offset = p;
    e.flags = LoadLE<uint16_t>(data + p + 8);
    e.method = LoadLE<uint16_t>(data + p + 10);
    e.crc = LoadLE<uint32_t>(data + p + 16);
    e.comp_size = LoadLE<uint32_t>(data + p + 20);
    e.size = LoadLE<uint32_t>(data + p + 24);
    size_t name_len = LoadLE<uint16_t>(data + p + 28);
    size_t extra_len = LoadLE<uint16_t>(data + p + 30);
    size_t comment_len = LoadLE<uint16_t>(data + p + 32);
    e.local_offset = LoadLE<uint32_t>(data + p + 42);
    MXS_CHECK(cd_end - p - kCentralHeaderSize >= name_len + extra_len + comment_len)
        << where << " is truncated (its name, extra field and comment need "
        << name_len + extra_len + comment_len << " bytes)";
    e.name.assign(reinterpret_cast<const char*>(data + p + kCentralHeaderSize), name_len);
    ApplyZip64Extra(data + p + kCentralHeaderSize + name_len, extra_len, e, where);
    p += kCentralHeaderSize + name_len + extra_len + comment_len;
    entries.push_back(std::move(e));
  }
  return entries;
}

// Returns the uncompressed bytes of `e`: a view into `data` for stored entries, else inflated
// into `storage`.
std::pair<const uint8_t*, size_t> EntryBytes(const uint8_t* data, size_t size, const ZipEntry& e,
                                             std::vector<uint8_t>& storage) {
  std::string where = "npz entry '" + e.name + "'";
  MXS_CHECK_CODE((e.flags & 0x41) == 0, kUnsupported) << where << " is encrypted";
  MXS_CHECK(e.local_offset <= size && size - e.local_offset >= kLocalHeaderSize &&
            LoadLE<uint32_t>(data + e.local_offset) == kLocalHeaderSig)
      << where << ": no local file header at byte " << e.local_offset
      << " (the archive is truncated or corrupt)";
  const uint8_t* local = data + e.local_offset;
  uint64_t start = e.local_offset + kLocalHeaderSize + LoadLE<uint16_t>(local + 26) + LoadLE<uint16_t>(local + 28);
  MXS_CHECK(start <= size && e.comp_size <= size - start)
      << where << " is truncated: its " << e.comp_size << " bytes at byte " << start << " run past the end of the "
      << size << "-byte file";
  const uint8_t* src = data + start;
  const uint8_t* out = src;
  if (e.method == 0) {
    MXS_CHECK(e.comp_size == e.size) << where << " is stored but its sizes differ (" << e.comp_size << " vs "
                                     << e.size << ")";
  } else if (e.method == 8) {
    MXS_CHECK(e.size <= e.comp_size * kMaxDeflateRatio + 1024)
        << where << " is corrupt: " << e.comp_size << " deflated bytes cannot expand to " << e.size;
    storage.resize(e.size);
    z_stream zs{};
    MXS_CHECK_CODE(inflateInit2(&zs, -MAX_WBITS) == Z_OK, kOutOfMemory) << "zlib inflateInit2 failed";
    zs.next_in = const_cast<Bytef*>(src);
    zs.next_out = storage.data();
    uint64_t in_left = e.comp_size, out_left = e.size;
    int rc = Z_OK;
    // zlib counts in 32-bit uInt, so large entries go through in chunks.
    while (rc == Z_OK) {
      if (zs.avail_in == 0) {
        zs.avail_in = static_cast<uInt>(std::min<uint64_t>(in_left, 1u << 30));
        in_left -= zs.avail_in;
      }
      if (zs.avail_out == 0) {
        zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out_left, 1u << 30));
        out_left -= zs.avail_out;
      }
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc == Z_BUF_ERROR && (zs.avail_in || in_left) && (zs.avail_out || out_left)) rc = Z_OK;
    }
    uint64_t produced = zs.total_out;
    const char* msg = zs.msg;
    inflateEnd(&zs);
    MXS_CHECK(rc == Z_STREAM_END && produced == e.size)
        << where << " is corrupt: inflating its " << e.comp_size << " bytes at byte " << start
        << (rc == Z_STREAM_END ? " gave " + std::to_string(produced) + " bytes, expected " + std::to_string(e.size)
                               : std::string(" failed: ") + (msg ? msg : "truncated deflate stream"));
    out = storage.data();
  } else {
    MXS_THROW(kUnsupported) << where << " uses zip compression method " << e.method
                            << " (only stored and deflate are supported)";
  }
  // crc32 takes a 32-bit length too.
  uLong crc = crc32(0L, Z_NULL, 0);
  for (uint64_t done = 0; done < e.size;) {
    uInt n = static_cast<uInt>(std::min<uint64_t>(e.size - done, 1u << 30));
    crc = crc32(crc, out + done, n);
    done += n;
  }
  MXS_CHECK(crc == e.crc) << where << " is corrupt: CRC-32 " << std::hex << crc << " does not match the "
                          << "archive's " << e.crc;
  return {out, static_cast<size_t>(e.size)};
}

// The storage type of a sparse array folder, from its file set (scipy.sparse.save_npz and
// MXNet's own row_sparse layout); empty when the folder is not a sparse array.
std::string SparseLayout(const std::set<std::string>& files) {
  using S = std::set<std::string>;
  if (files == S{"data.npy", "indices.npy", "indptr.npy", "format.npy", "shape.npy"}) return "csr";
  if (files == S{"data.npy", "indices.npy", "format.npy", "shape.npy"}) return "row_sparse";
  if (files == S{"data.npy", "row.npy", "col.npy", "format.npy", "shape.npy"}) return "coo";
  if (files == S{"data.npy", "offsets.npy", "format.npy", "shape.npy"}) return "dia";
  return "";
}

}  // namespace

bool IsZipArchive(const uint8_t* data, size_t size) {
  return size >= 4 && data[0] == 'P' && data[1] == 'K' &&
         ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t follow;  // continuation bytes after the lead byte
    if (c < 0x80) {
      follow = 0;
    } else if ((c >> 5) == 0x6) {
      follow = 1;
    } else if ((c >> 4) == 0xE) {
      follow = 2;
    } else if ((c >> 3) == 0x1E) {
      follow = 3;
    } else {
      return false;
    }
    if (follow >= s.size() - i) return false;
    for (size_t k = 1; k <= follow; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += follow + 1;
  }
  return true;
}

bool IsNpyArray(const uint8_t* data, size_t size) {
  return size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0;
}

NDArray ParseNpyArray(const uint8_t* data, size_t size, const std::string& what) {
  size_t start = 0;
  size_t len = ReadNpyPreamble(data, size, what, &start);
  std::string header(reinterpret_cast<const char*>(data + start), len);
  PyValue dict = LiteralParser(header, what).ParseAll();
  MXS_CHECK(dict.kind == PyValue::Kind::kDict) << what << ": the .npy header is not a dict";
  const PyValue* descr = nullptr;
  const PyValue* fortran = nullptr;
  const PyValue* shape = nullptr;
  for (const auto& kv : dict.dict) {
    if (kv.first == "descr") {
      descr = &kv.second;
    } else if (kv.first == "fortran_order") {
      fortran = &kv.second;
    } else if (kv.first == "shape") {
      shape = &kv.second;
    } else {
      MXS_THROW(kInvalidArgument) << what << ": unknown key '" << kv.first << "' in the .npy header";
    }
  }
  MXS_CHECK(descr && fortran && shape) << what << ": the .npy header lacks 'descr', 'fortran_order' or 'shape'";
  NDArray a;
  if (descr->kind == PyValue::Kind::kString) {
    a.dtype = DTypeFromDescr(descr->str, what);
  } else {
    MXS_CHECK_CODE(IsBfloat16Descr(*descr), kUnsupported)
        << what << ": structured dtypes are not supported (only MXNet's [('bfloat16', '<u2')])";
    a.dtype = DType::kBfloat16;
  }
  MXS_CHECK(fortran->kind == PyValue::Kind::kBool) << what << ": 'fortran_order' must be True or False";
  MXS_CHECK(shape->kind == PyValue::Kind::kTuple && shape->items.size() <= kMaxNpyDims)
      << what << ": 'shape' must be a tuple of at most " << kMaxNpyDims << " integers";
  std::vector<int64_t> dims;
  uint64_t count = 1;
  uint64_t span = 1;  // the dims other than 0: an empty array's strides must fit as well
  bool overflow = false;
  for (const PyValue& d : shape->items) {
    MXS_CHECK(d.kind == PyValue::Kind::kInt && d.num >= 0) << what << ": 'shape' holds a non-integer or negative value";
    dims.push_back(d.num);
    overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(d.num), &count);
    overflow |= __builtin_mul_overflow(span, static_cast<uint64_t>(d.num == 0 ? 1 : d.num), &span);
  }
  uint64_t span_bytes = 0;
  overflow |= __builtin_mul_overflow(span, static_cast<uint64_t>(DTypeSize(a.dtype)), &span_bytes) ||
              span_bytes > static_cast<uint64_t>(kMaxTensorBytes);
  // Fortran order changes the layout only when two or more dimensions exceed 1.
  size_t big_dims = std::count_if(dims.begin(), dims.end(), [](int64_t d) { return d > 1; });
  MXS_CHECK_CODE(!fortran->num || big_dims <= 1, kUnsupported)
      << what << ": Fortran-ordered arrays are not supported; save it with numpy.ascontiguousarray";
  a.shape = Shape(dims);
  uint64_t nbytes = 0;
  overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(DTypeSize(a.dtype)), &nbytes);
  size_t data_start = start + len;
  MXS_CHECK(!overflow && nbytes == size - data_start)
      << what << ": shape " << a.shape.ToString() << " of " << DTypeName(a.dtype) << " needs "
      << (overflow ? "more than " + std::to_string(kMaxTensorBytes) : std::to_string(nbytes)) << " bytes at byte " << data_start
      << ", the array holds " << size - data_start;
  auto buf = std::make_shared<Buffer>(nbytes);
  if (nbytes) std::memcpy(buf->data(), data + data_start, nbytes);
  a.data = std::move(buf);
  return a;
}

NDArrayList LoadNpz(const uint8_t* data, size_t size) {
  std::vector<ZipEntry> entries = ReadCentralDirectory(data, size);
  // Files grouped by folder, to recognise sparse arrays (saved as a folder of parts).
  std::map<std::string, std::set<std::string>> folders;
  std::set<std::string> seen;
  for (const ZipEntry& e : entries) {
    MXS_CHECK(IsValidUtf8(e.name)) << "npz archive is corrupt: the name of central directory record at byte "
                                   << e.record_offset << " is not valid UTF-8";
    MXS_CHECK(seen.insert(e.name).second) << "npz archive holds entry '" << e.name << "' twice";
    size_t slash = e.name.rfind('/');
    if (slash != std::string::npos) folders[e.name.substr(0, slash)].insert(e.name.substr(slash + 1));
  }
  for (const auto& kv : folders) {
    std::string layout = SparseLayout(kv.second);
    if (layout.empty()) continue;
    // The format.npy member names the exact scipy format (csr, csc, bsr); its header is not
    // always valid (MXNet writes a broken one), so only the bytes after it are read.
    for (const ZipEntry& e : entries) {
      if (e.name != kv.first + "/format.npy") continue;
      std::vector<uint8_t> storage;
      auto bytes = EntryBytes(data, size, e, storage);
      size_t start = 0;
      size_t len = ReadNpyPreamble(bytes.first, bytes.second, "npz entry '" + e.name + "'", &start);
      std::string fmt(reinterpret_cast<const char*>(bytes.first + start + len), bytes.second - start - len);
      fmt = fmt.substr(0, fmt.find('\0'));
      if (!fmt.empty() && fmt.size() < 16) layout = fmt;
    }
    MXS_THROW(kUnsupported) << "npz archive: array '" << kv.first << "' has sparse storage type '" << layout
                            << "'; mxserve only loads dense arrays (save it with tostype('default'))";
  }
  NDArrayList out;
  for (const ZipEntry& e : entries) {
    const std::string suffix = ".npy";
    if (e.name.size() < suffix.size() || e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::vector<uint8_t> storage;
    auto bytes = EntryBytes(data, size, e, storage);
    NDArray a = ParseNpyArray(bytes.first, bytes.second, "npz entry '" + e.name + "'");
    out.emplace_back(e.name.substr(0, e.name.size() - suffix.size()), std::move(a));
  }
  return out;
}

}  // namespace mxserve
