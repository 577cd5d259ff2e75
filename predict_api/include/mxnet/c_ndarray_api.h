/* SPDX-License-Identifier: Apache-2.0 */
/// \file c_ndarray_api.h
/// The MXNDArray* functions of MXNet 1.9.1's include/mxnet/c_api.h that a monitor callback
/// (MXPredSetMonitorCallback) needs to read the array it receives, with MXNet's signatures.
/// Only arrays passed to a monitor callback exist in this library; they are dense, on the CPU
/// and already computed, so MXNDArrayWaitToRead returns at once.
///
/// Every function returns 0 on success and -1 on failure (MXGetLastError tells why): a NULL or
/// foreign handle, a NULL out pointer, a size that does not match, an array already freed.
/// Arrays are read-only and may be read from several threads at once.
#ifndef MXNET_C_NDARRAY_API_H_
#define MXNET_C_NDARRAY_API_H_

#include <stddef.h>
#include <stdint.h>

#include "c_predict_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Writes the number of dimensions to *out_dim and a pointer to them to *out_pdata.
/// The dimensions are owned by the array and stay valid until it is released.
/// (Deprecated in MXNet in favour of MXNDArrayGetShapeEx; both are provided.)
MXNET_DLL int MXNDArrayGetShape(NDArrayHandle handle, uint32_t* out_dim, const uint32_t** out_pdata);

/// As MXNDArrayGetShape with int dimensions. The dimensions are owned by the array.
MXNET_DLL int MXNDArrayGetShapeEx(NDArrayHandle handle, int* out_dim, const int** out_pdata);

/// Writes the array's MXNet type flag (0 float32, 1 float64, 2 float16, ...) to *out_dtype.
MXNET_DLL int MXNDArrayGetDType(NDArrayHandle handle, int* out_dtype);

/// Writes the device to *out_dev_type (1: cpu) and *out_dev_id (0).
MXNET_DLL int MXNDArrayGetContext(NDArrayHandle handle, int* out_dev_type, int* out_dev_id);

/// Writes the storage type to *out_storage_type: always 0 (dense).
MXNET_DLL int MXNDArrayGetStorageType(NDArrayHandle handle, int* out_storage_type);

/// Writes a pointer to the array's row-major elements to *out_pdata. The memory is owned by the
/// array and stays valid until it is released; it must not be written.
MXNET_DLL int MXNDArrayGetData(NDArrayHandle handle, void** out_pdata);

/// Copies the elements into `data`, which the caller owns. `size` is the number of elements
/// and must equal the array's.
MXNET_DLL int MXNDArraySyncCopyToCPU(NDArrayHandle handle, void* data, size_t size);

/// Waits until the array can be read: a no-op here, kept for MXNet programs.
MXNET_DLL int MXNDArrayWaitToRead(NDArrayHandle handle);

/// Releases the array early. Monitor arrays are owned by their predictor, which releases the
/// rest at its next forward pass or MXPredFree; calling this on them is allowed, not required.
/// Releasing NULL is a no-op; releasing an array twice (before its predictor's next forward
/// pass) is an error.
MXNET_DLL int MXNDArrayFree(NDArrayHandle handle);

#ifdef __cplusplus
}
#endif

#endif  // MXNET_C_NDARRAY_API_H_
