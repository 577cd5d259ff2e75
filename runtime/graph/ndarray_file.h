// SPDX-License-Identifier: Apache-2.0
// Reader and writer of MXNet's NDArray list files (.params, .nd): magic 0x112, then the arrays,
// then their names; the reader also takes MXNet 2.0's .npz archives and single .npy arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/ndarray.h"

namespace mxserve {

/// Parses an NDArray list from memory; the format is detected from the first bytes:
///  - 0x112 list (mx.nd.save, Module/HybridBlock.export in 1.x): every array header MXNet wrote,
///    legacy (pre-0.9, uint32 dims), V1 (0xF993fac8), V2 (0xF993fac9) and V3 (0xF993faca,
///    numpy shape semantics: ndim 0 is a scalar);
///  - "PK\3\4" zip: a numpy .npz (npx.savez, Block.save_parameters and export in MXNet 2.0);
///  - "\x93NUMPY": one .npy array (npx.save), returned with an empty name.
/// An empty buffer is an empty list. Lists saved without names (mx.nd.save of a Python list)
/// give empty names, as MXNDListCreate does. "None" arrays (placeholders without data: ndim 0
/// in legacy/V1/V2 headers, ndim -1 or a dimension of -1 in V3) are left out of the result.
/// Device contexts are ignored: everything loads on the host.
/// Throws kInvalidArgument naming the array and byte offset for truncated or corrupt data (all
/// sizes are checked against the remaining bytes before anything is allocated), kUnsupported
/// naming the array for sparse storage types.
NDArrayList LoadNDArrayList(const uint8_t* data, size_t size);

/// Reads a whole file into memory; throws kNotFound if it cannot be opened.
std::string ReadFileBytes(const std::string& path);

/// Serialises arrays in the format MXNet 1.9.1 writes (0x112 list, V2 headers, dense, cpu(0)),
/// so that mx.nd.load in MXNet 1.9.1 reads them back. When every name is empty the file is an
/// unnamed list (as mx.nd.save of a Python list). Throws kInvalidArgument for arrays without
/// data or with zero dimensions (MXNet 1.x reads ndim 0 as a "none" array) and kUnsupported for
/// int16, uint16, uint32 and uint64, which MXNet 1.9.1 cannot load.
std::string SaveNDArrayList(const NDArrayList& arrays);

}  // namespace mxserve
