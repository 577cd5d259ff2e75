// SPDX-License-Identifier: Apache-2.0
// MXNDList* (c_predict_api.h) and the MXNDArray* accessors of c_ndarray_api.h.
#include <cstring>

#include "api_common.h"
#include "graph/ndarray_file.h"
#include "mxnet/c_ndarray_api.h"

namespace mxserve {
namespace capi {
namespace {

// Converts `n` elements of `dtype` at `src` to float (mean images are float32; other dtypes
// are converted by value, where MXNet would have copied raw bytes).
void ToFloat(DType dtype, const void* src, size_t n, float* dst) {
  switch (dtype) {
#define MXS_CASE(D, T) \
  case DType::D:       \
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(static_cast<const T*>(src)[i]); \
    return;
    MXS_CASE(kFloat32, float)
    MXS_CASE(kFloat64, double)
    MXS_CASE(kUint8, uint8_t)
    MXS_CASE(kInt32, int32_t)
    MXS_CASE(kInt8, int8_t)
    MXS_CASE(kInt64, int64_t)
    MXS_CASE(kBool, uint8_t)
    MXS_CASE(kInt16, int16_t)
    MXS_CASE(kUint16, uint16_t)
    MXS_CASE(kUint32, uint32_t)
    MXS_CASE(kUint64, uint64_t)
#undef MXS_CASE
    case DType::kFloat16:
      for (size_t i = 0; i < n; ++i) dst[i] = HalfToFloat(static_cast<const uint16_t*>(src)[i]);
      return;
    case DType::kBfloat16:
      for (size_t i = 0; i < n; ++i) dst[i] = Bfloat16ToFloat(static_cast<const uint16_t*>(src)[i]);
      return;
    default:
      MXS_THROW(kUnsupported) << "arrays of dtype " << DTypeName(dtype) << " cannot be read as float";
  }
}

NDListState* GetList(NDListHandle handle) {
  MXS_CHECK(handle != nullptr) << "handle is NULL";
  auto* l = static_cast<NDListState*>(handle);
  MXS_CHECK(l->magic == kNDListMagic) << "handle is not an NDList handle (freed, or of another kind)";
  return l;
}

MonitorArray* GetArray(NDArrayHandle handle) {
  MXS_CHECK(handle != nullptr) << "handle is NULL";
  auto* a = static_cast<MonitorArray*>(handle);
  MXS_CHECK(a->magic == kNDArrayMagic) << "handle is not an NDArray handle (freed, or of another kind)";
  MXS_CHECK(!a->released) << "the array was already released with MXNDArrayFree";
  return a;
}

}  // namespace
}  // namespace capi
}  // namespace mxserve

using namespace mxserve;        // NOLINT
using namespace mxserve::capi;  // NOLINT

int MXNDListCreate(const char* nd_file_bytes, int nd_file_size, NDListHandle* out, uint32_t* out_length) {
  API_BEGIN();
  CHECK_ARG_NOT_NULL(out);
  CHECK_ARG_NOT_NULL(out_length);
  MXS_CHECK(nd_file_size >= 0) << "nd_file_size is negative (" << nd_file_size << ")";
  MXS_CHECK(nd_file_size == 0 || nd_file_bytes != nullptr) << "nd_file_bytes is NULL";
  NDArrayList arrays =
      LoadNDArrayList(reinterpret_cast<const uint8_t*>(nd_file_bytes), static_cast<size_t>(nd_file_size));
  auto list = std::make_unique<NDListState>();
  size_t total = 0;
  for (const auto& kv : arrays) total += static_cast<size_t>(kv.second.shape.Size());
  list->data.resize(total);
  list->offsets.push_back(0);
  for (const auto& kv : arrays) {
    const NDArray& a = kv.second;
    size_t n = static_cast<size_t>(a.shape.Size());
    ToFloat(a.dtype, a.data->data(), n, list->data.data() + list->offsets.back());
    list->keys.push_back(kv.first);
    std::vector<uint32_t> dims;
    for (int64_t d : a.shape.dims()) dims.push_back(static_cast<uint32_t>(d));
    list->shapes.push_back(std::move(dims));
    list->offsets.push_back(list->offsets.back() + n);
  }
  *out_length = static_cast<uint32_t>(list->keys.size());
  *out = list.release();
  API_END();
}

int MXNDListGet(NDListHandle handle, uint32_t index, const char** out_key, const float** out_data,
                const uint32_t** out_shape, uint32_t* out_ndim) {
  API_BEGIN();
  NDListState* l = GetList(handle);
  CHECK_ARG_NOT_NULL(out_key);
  CHECK_ARG_NOT_NULL(out_data);
  CHECK_ARG_NOT_NULL(out_shape);
  CHECK_ARG_NOT_NULL(out_ndim);
  MXS_CHECK(index < l->keys.size())
      << "index " << index << " is out of range: the list has " << l->keys.size() << " arrays";
  *out_key = l->keys[index].c_str();
  *out_data = l->data.data() + l->offsets[index];
  *out_shape = l->shapes[index].data();
  *out_ndim = static_cast<uint32_t>(l->shapes[index].size());
  API_END();
}

int MXNDListFree(NDListHandle handle) {
  API_BEGIN();
  if (handle == nullptr) return 0;
  NDListState* l = GetList(handle);
  l->magic = kFreedMagic;
  delete l;
  API_END();
}

int MXNDArrayGetShape(NDArrayHandle handle, uint32_t* out_dim, const uint32_t** out_pdata) {
  API_BEGIN();
  MonitorArray* a = GetArray(handle);
  CHECK_ARG_NOT_NULL(out_dim);
  CHECK_ARG_NOT_NULL(out_pdata);
  *out_dim = static_cast<uint32_t>(a->shape.size());
  *out_pdata = a->shape.data();
  API_END();
}

int MXNDArrayGetShapeEx(NDArrayHandle handle, int* out_dim, const int** out_pdata) {
  API_BEGIN();
  MonitorArray* a = GetArray(handle);
  CHECK_ARG_NOT_NULL(out_dim);
  CHECK_ARG_NOT_NULL(out_pdata);
  *out_dim = static_cast<int>(a->shape_int.size());
  *out_pdata = a->shape_int.data();
  API_END();
}

int MXNDArrayGetDType(NDArrayHandle handle, int* out_dtype) {
  API_BEGIN();
  MonitorArray* a = GetArray(handle);
  CHECK_ARG_NOT_NULL(out_dtype);
  *out_dtype = static_cast<int>(a->dtype);
  API_END();
}

int MXNDArrayGetContext(NDArrayHandle handle, int* out_dev_type, int* out_dev_id) {
  API_BEGIN();
  GetArray(handle);
  CHECK_ARG_NOT_NULL(out_dev_type);
  CHECK_ARG_NOT_NULL(out_dev_id);
  *out_dev_type = 1;
  *out_dev_id = 0;
  API_END();
}

int MXNDArrayGetStorageType(NDArrayHandle handle, int* out_storage_type) {
  API_BEGIN();
  GetArray(handle);
  CHECK_ARG_NOT_NULL(out_storage_type);
  *out_storage_type = 0;
  API_END();
}

int MXNDArrayGetData(NDArrayHandle handle, void** out_pdata) {
  API_BEGIN();
  MonitorArray* a = GetArray(handle);
  CHECK_ARG_NOT_NULL(out_pdata);
  *out_pdata = a->data->data();
  API_END();
}

int MXNDArraySyncCopyToCPU(NDArrayHandle handle, void* data, size_t size) {
  API_BEGIN();
  MonitorArray* a = GetArray(handle);
  MXS_CHECK(size == a->size) << "size " << size << " does not match the array's " << a->size << " elements";
  MXS_CHECK(size == 0 || data != nullptr) << "data is NULL";
  if (size > 0) std::memcpy(data, a->data->data(), size * DTypeSize(a->dtype));
  API_END();
}

int MXNDArrayWaitToRead(NDArrayHandle handle) {
  API_BEGIN();
  GetArray(handle);
  API_END();
}

int MXNDArrayFree(NDArrayHandle handle) {
  API_BEGIN();
  if (handle == nullptr) return 0;
  MonitorArray* a = GetArray(handle);
  a->released = true;
  a->data.reset();
  API_END();
}
