// SPDX-License-Identifier: Apache-2.0
// Reader and writer of MXNet's NDArray list files (.params, .nd): magic 0x112, then the arrays,
// then their names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/ndarray.h"

namespace mxserve {

/// Parses an NDArray list from memory. Accepts every array header MXNet wrote (legacy, V1, V2,
/// V3) and the numpy .npz container of MXNet 2.0. Throws kInvalidArgument naming the array and
/// byte offset for truncated or corrupt data, and kUnsupported for sparse arrays.
NDArrayList LoadNDArrayList(const uint8_t* data, size_t size);

/// Reads a whole file into memory; throws kNotFound if it cannot be opened.
std::string ReadFileBytes(const std::string& path);

/// Serialises arrays in the format MXNet 1.9.1 writes (V2 headers, dense, cpu(0) context).
std::string SaveNDArrayList(const NDArrayList& arrays);

}  // namespace mxserve
