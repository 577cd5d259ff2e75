// SPDX-License-Identifier: Apache-2.0
// Reader of numpy's .npy arrays and .npz zip archives, the parameter format of MXNet 2.0
// (npx.savez, Block.save_parameters, HybridBlock.export).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/ndarray.h"

namespace mxserve {

/// True when `data` starts like a zip archive (a local file header or an empty archive's end
/// record).
bool IsZipArchive(const uint8_t* data, size_t size);

/// True when `data` starts with the .npy magic "\x93NUMPY".
bool IsNpyArray(const uint8_t* data, size_t size);

/// Parses one .npy array (format versions 1, 2 and 3, little-endian or byte-order-free dtypes,
/// C order). `what` names the array in error messages, e.g. "npz entry 'fc1_weight.npy'".
/// The returned array owns a copy of the elements. Throws kInvalidArgument for truncated or
/// malformed data, kUnsupported for big-endian, structured (except MXNet's bfloat16) or
/// Fortran-ordered arrays.
NDArray ParseNpyArray(const uint8_t* data, size_t size, const std::string& what);

/// True when `s` is well-formed UTF-8. Array names must be: they are matched against symbol
/// JSON names (UTF-8) and become Python str keys.
bool IsValidUtf8(const std::string& s);

/// Parses a .npz archive: every "<name>.npy" entry becomes an array named "<name>", in the
/// order of the archive's central directory. Entries may be stored or deflated (zip64 too);
/// CRCs are verified. Entries that do not end in ".npy" are skipped, as MXNet does. A folder
/// holding a scipy/MXNet sparse layout (data, indices, indptr, format, shape) is rejected with
/// kUnsupported naming the array and its storage type. Throws kInvalidArgument naming the entry
/// and byte offset for truncated or corrupt archives.
NDArrayList LoadNpz(const uint8_t* data, size_t size);

}  // namespace mxserve
