// SPDX-License-Identifier: Apache-2.0
// NDArray files: Save/Load round trip, and truncated or bit-flipped data only ever throws Error
// (run it under ASan to check that no read goes out of bounds).
#include <cstdio>
#include <cstring>
#include <random>

#include <zlib.h>

#include "base/error.h"
#include "graph/ndarray_file.h"
#include "graph/npz_reader.h"

using namespace mxserve;

static NDArray MakeArray(Shape shape, DType dtype, uint8_t seed) {
  NDArray a;
  a.shape = shape;
  a.dtype = dtype;
  auto buf = std::make_shared<Buffer>(a.nbytes());
  for (size_t i = 0; i < a.nbytes(); ++i) buf->as<uint8_t>()[i] = static_cast<uint8_t>(seed + i * 7);
  a.data = buf;
  return a;
}

static NDArrayList Sample() {
  return {{"arg:w", MakeArray({4, 3}, DType::kFloat32, 1)},
          {"aux:b", MakeArray({5}, DType::kBfloat16, 2)},
          {"i", MakeArray({2, 1, 2}, DType::kInt64, 3)}};
}

static const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

static int test_round_trip() {
  NDArrayList in = Sample();
  std::string file = SaveNDArrayList(in);
  NDArrayList out = LoadNDArrayList(Bytes(file), file.size());
  if (out.size() != in.size()) return 1;
  for (size_t i = 0; i < in.size(); ++i) {
    const NDArray &a = in[i].second, &b = out[i].second;
    if (in[i].first != out[i].first || a.shape != b.shape || a.dtype != b.dtype ||
        std::memcmp(a.data->data(), b.data->data(), a.nbytes()) != 0) {
      std::fprintf(stderr, "array %zu differs after the round trip\n", i);
      return 1;
    }
  }
  return 0;
}

// Returns 0 when loading `data` succeeds or throws an Error with a message, 1 otherwise.
static int LoadsOrThrowsCleanly(const std::string& data) {
  try {
    LoadNDArrayList(Bytes(data), data.size());
  } catch (const Error& e) {
    if (std::strlen(e.what()) == 0) return 1;
    if (e.code() != ErrorCode::kInvalidArgument && e.code() != ErrorCode::kUnsupported) return 1;
  }
  return 0;
}

static int test_truncation_throws() {
  std::string file = SaveNDArrayList(Sample());
  for (size_t cut = 1; cut < file.size(); ++cut) {
    try {
      LoadNDArrayList(Bytes(file), cut);
      std::fprintf(stderr, "a file cut at byte %zu loaded\n", cut);
      return 1;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInvalidArgument) return 1;
    }
  }
  return 0;
}

static int test_bit_flips() {
  std::string file = SaveNDArrayList(Sample());
  std::mt19937 rng(0);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bad = file;
    int flips = 1 + trial % 3;
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1u << (rng() % 8));
    if (LoadsOrThrowsCleanly(bad)) {
      std::fprintf(stderr, "trial %d: unexpected exception\n", trial);
      return 1;
    }
  }
  return 0;
}

static int test_npy_header_flips() {
  // A stored .npy with a hand-written header; flipping header bytes must never crash.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict.push_back('\n');
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy.push_back(static_cast<char>(dict.size() & 0xFF));
  npy.push_back(static_cast<char>(dict.size() >> 8));
  npy += dict + std::string(24, '\1');
  NDArray a = ParseNpyArray(Bytes(npy), npy.size(), "test");
  if (a.shape != Shape({2, 3}) || a.dtype != DType::kFloat32) return 1;
  for (size_t pos = 0; pos < 10 + dict.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = npy;
      bad[pos] ^= static_cast<char>(1 << bit);
      if (LoadsOrThrowsCleanly(bad)) return 1;
    }
  }
  return 0;
}

template <typename T>
static void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// A one-entry stored zip archive holding `name` = `body`, laid out as Python's zipfile does.
static std::string StoredZip(const std::string& name, const std::string& body) {
  uint32_t crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), body.size()));
  std::string z;
  Put<uint32_t>(z, 0x04034b50);
  Put<uint16_t>(z, 20);
  Put<uint16_t>(z, 0);
  Put<uint16_t>(z, 0);  // stored
  Put<uint32_t>(z, 0);  // time, date
  Put<uint32_t>(z, crc);
  Put<uint32_t>(z, body.size());
  Put<uint32_t>(z, body.size());
  Put<uint16_t>(z, name.size());
  Put<uint16_t>(z, 0);
  z += name + body;
  size_t cd = z.size();
  Put<uint32_t>(z, 0x02014b50);
  Put<uint16_t>(z, 20);
  Put<uint16_t>(z, 20);
  Put<uint16_t>(z, 0);
  Put<uint16_t>(z, 0);
  Put<uint32_t>(z, 0);
  Put<uint32_t>(z, crc);
  Put<uint32_t>(z, body.size());
  Put<uint32_t>(z, body.size());
  Put<uint16_t>(z, name.size());
  Put<uint16_t>(z, 0);
  Put<uint16_t>(z, 0);
  Put<uint16_t>(z, 0);
  Put<uint16_t>(z, 0);
  Put<uint32_t>(z, 0);
  Put<uint32_t>(z, 0);  // local header offset
  z += name;
  size_t cd_size = z.size() - cd;
  Put<uint32_t>(z, 0x06054b50);
  Put<uint32_t>(z, 0);
  Put<uint16_t>(z, 1);
  Put<uint16_t>(z, 1);
  Put<uint32_t>(z, cd_size);
  Put<uint32_t>(z, cd);
  Put<uint16_t>(z, 0);
  return z;
}

static int test_npz_flips() {
  std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict.push_back('\n');
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy.push_back(static_cast<char>(dict.size()));
  npy.push_back(0);
  npy += dict + std::string(12, '\2');
  std::string zip = StoredZip("w.npy", npy);
  NDArrayList list = LoadNDArrayList(Bytes(zip), zip.size());
  if (list.size() != 1 || list[0].first != "w" || list[0].second.shape != Shape({3})) return 1;
  for (size_t cut = 1; cut < zip.size(); ++cut)
    if (LoadsOrThrowsCleanly(zip.substr(0, cut))) return 1;
  for (size_t pos = 0; pos < zip.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = zip;
      bad[pos] ^= static_cast<char>(1 << bit);
      if (LoadsOrThrowsCleanly(bad)) {
        std::fprintf(stderr, "zip with bit %d of byte %zu flipped: unexpected exception\n", bit, pos);
        return 1;
      }
    }
  }
  return 0;
}

static int test_empty_is_empty_list() { return LoadNDArrayList(nullptr, 0).empty() ? 0 : 1; }

int main() {
  int failed = test_round_trip() || test_truncation_throws() || test_bit_flips() || test_npy_header_flips() ||
               test_npz_flips() ||
               test_empty_is_empty_list();
  if (failed) std::fprintf(stderr, "test_ndarray_file FAILED\n");
  return failed;
}
