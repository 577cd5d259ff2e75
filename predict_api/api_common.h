// SPDX-License-Identifier: Apache-2.0
// Shared parts of the C API implementation: API_BEGIN/API_END, the thread-local last error,
// argument checks and the objects behind the void* handles.
//
// Each handle points to a struct that starts with a magic number, so that a handle of the wrong
// kind (an NDList passed as a predictor) or a stray pointer that happens to be readable gives
// -1 with a message instead of undefined behaviour in most cases.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/buffer.h"
#include "base/error.h"
#include "mxnet/c_predict_api.h"
#include "mxserve/predictor.h"

namespace mxserve {
namespace capi {

/// Stores `message` as the calling thread's last error.
void SetLastError(const std::string& message);

/// Message of an exception escaping an API function, with the function's name in front.
void SetLastErrorFromException(const char* func, const std::exception_ptr& e);

}  // namespace capi
}  // namespace mxserve

/// Opens the body of an exported function; every exception is turned into -1 by API_END().
#define API_BEGIN() try {
/// Closes API_BEGIN(): returns 0, or records the error for MXGetLastError() and returns -1.
#define API_END()                                                             \
  }                                                                           \
  catch (...) {                                                               \
    ::mxserve::capi::SetLastErrorFromException(__func__, std::current_exception()); \
    return -1;                                                                \
  }                                                                           \
  return 0;

/// Fails the call with "<function>: <argument> is NULL" unless `ptr` is set.
#define CHECK_ARG_NOT_NULL(ptr) \
  MXS_CHECK((ptr) != nullptr) << #ptr " is NULL"

namespace mxserve {
namespace capi {

constexpr uint32_t kPredictorMagic = 0x4d585052;  // "MXPR"
constexpr uint32_t kNDListMagic = 0x4d584e4c;     // "MXNL"
constexpr uint32_t kNDArrayMagic = 0x4d584e41;    // "MXNA"
constexpr uint32_t kFreedMagic = 0xdeadf7ee;      // written by the Free functions before delete

/// An array handed to a monitor callback: a copy of one tensor, owned by its predictor handle.
struct MonitorArray {
  uint32_t magic = kNDArrayMagic;  ///< kNDArrayMagic
  bool released = false;           ///< MXNDArrayFree was called: data is gone
  DType dtype = DType::kFloat32;   ///< element type
  std::vector<uint32_t> shape;     ///< dimensions for MXNDArrayGetShape
  std::vector<int> shape_int;      ///< dimensions for MXNDArrayGetShapeEx
  size_t size = 0;                 ///< number of elements
  std::shared_ptr<const Buffer> data;  ///< row-major elements (may be shared with other arrays)
};

/// What a PredictorHandle points to.
struct PredictorState {
  uint32_t magic = kPredictorMagic;            ///< kPredictorMagic
  std::shared_ptr<const Model> model;          ///< the loaded model (shared by reshaped handles)
  std::shared_ptr<Predictor> predictor;        ///< optimised binding, shared by MultiThread siblings
  std::shared_ptr<Predictor> monitor_predictor;  ///< unoptimised binding while a monitor is set
  std::vector<Buffer> inputs;                  ///< one per predictor->inputs(), set by SetInput
  std::vector<Buffer> outputs;                 ///< one per predictor->outputs(), set by Forward
  std::vector<const void*> input_ptrs;         ///< inputs[i].data()
  std::vector<void*> output_ptrs;              ///< outputs[i].data()
  std::vector<std::vector<uint32_t>> output_shapes;  ///< for MXPredGetOutputShape
  std::vector<std::string> ignored_inputs;     ///< graph variables no output reads (labels)
  int num_nodes = 0;                           ///< steps of MXPredPartialForward
  std::mutex mu;                               ///< serialises calls that touch the buffers
  PredMonitorCallback monitor = nullptr;       ///< MXPredSetMonitorCallback's callback
  void* monitor_handle = nullptr;              ///< its callback_handle
  bool monitor_all = false;                    ///< also report node inputs
  std::vector<std::unique_ptr<MonitorArray>> monitor_arrays;  ///< lent during the last forward
};

/// What an NDListHandle points to: every array converted to float32, in file order.
struct NDListState {
  uint32_t magic = kNDListMagic;               ///< kNDListMagic
  std::vector<std::string> keys;               ///< names ("" when saved without names)
  std::vector<std::vector<uint32_t>> shapes;   ///< dimensions per array
  std::vector<size_t> offsets;                 ///< start of each array in data (size + 1)
  std::vector<float> data;                     ///< all elements
};

/// The predictor behind `handle`; throws naming `func` if it is NULL or not a predictor.
PredictorState* GetPredictor(PredictorHandle handle);

}  // namespace capi
}  // namespace mxserve
