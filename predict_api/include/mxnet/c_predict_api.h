/* SPDX-License-Identifier: Apache-2.0 */
/*!
 * \file c_predict_api.h
 * \brief C predict API of mxnet, contains a minimum API to run prediction.
 *  This file is self-contained, and do not dependent on any other files.
 *
 *  mxserve's libmxnet_predict implements this header with the function set, names, signatures
 *  and return conventions of Apache MXNet 1.9.1's include/mxnet/c_predict_api.h, so programs
 *  written against MXNet compile unchanged and link with -lmxnet_predict. Every int-returning
 *  function returns 0 on success and -1 on failure; MXGetLastError() then tells what went wrong.
 *  No C++ exception ever leaves the library, and NULL handles or pointers give -1, not a crash.
 *
 *  Concurrency.
 *  - Calls on different handles may run at the same time from any threads, including handles
 *    made by one MXPredCreateMultiThread call and handles made by MXPredReshape.
 *  - MXPredCreateMultiThread returns handles that share one copy of the weights (and of the
 *    prepacked, reordered weights); each handle has its own input and output buffers. Give each
 *    thread its own handle. MXPredReshape also shares the weights of the original handle.
 *  - On one handle, MXPredGetOutputShape, MXPredGetOutputType and MXPredReshape may run at any
 *    time, alongside any other call. MXPredSetInput, MXPredForward, MXPredPartialForward, MXPredGetOutput and
 *    MXPredSetMonitorCallback are serialised by a lock inside the handle, so concurrent calls do
 *    not corrupt it; but since the inputs and outputs live in the handle, a sequence
 *    SetInput/Forward/GetOutput is only meaningful when one thread drives the handle.
 *  - MXGetLastError is per thread: it returns the message of the last failed call made by the
 *    calling thread.
 *  - MXPredFree must not run while another call uses the same handle.
 *  - An NDList handle is read-only after MXNDListCreate: MXNDListGet may run from many threads.
 */
#ifndef MXNET_C_PREDICT_API_H_
#define MXNET_C_PREDICT_API_H_

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

/*! \brief Inhibit C++ name-mangling for MXNet functions. */
#ifdef __cplusplus
extern "C" {
#endif  // __cplusplus

#ifdef _WIN32
#ifdef MXNET_EXPORTS
#define MXNET_DLL __declspec(dllexport)
#else
#define MXNET_DLL __declspec(dllimport)
#endif
#else
#define MXNET_DLL __attribute__((visibility("default")))
#endif

/*! \brief manually define unsigned int */
typedef uint32_t mx_uint;
/*! \brief manually define float */
typedef float mx_float;
/*! \brief handle to Predictor */
typedef void *PredictorHandle;
/*! \brief handle to NDArray list */
typedef void *NDListHandle;
/*! \brief handle to NDArray */
typedef void *NDArrayHandle;
/*! \brief callback used for add monitoring to nodes in the graph */
typedef void (*PredMonitorCallback)(const char*,
                                    NDArrayHandle,
                                    void*);

/*!
 * \brief Get the last error happeneed.
 * \return The message of the last failed call made by the calling thread ("" if none). The
 *  string is owned by the library and must not be modified or freed; it stays valid until the
 *  next failing call on the same thread.
 */
MXNET_DLL const char* MXGetLastError();

/*!
 * \brief create a predictor
 * \param symbol_json_str The JSON string of the symbol.
 * \param param_bytes The in-memory raw bytes of parameter ndarray file.
 * \param param_size The size of parameter ndarray file.
 * \param dev_type The device type, 1: cpu, 2:gpu
 * \param dev_id The device id of the predictor.
 * \param num_input_nodes Number of input nodes to the net,
 *    For feedforward net, this is 1.
 * \param input_keys The name of input argument.
 *    For feedforward net, this is {"data"}
 * \param input_shape_indptr Index pointer of shapes of each input node.
 *    The length of this array = num_input_nodes + 1.
 *    For feedforward net that takes 4 dimensional input, this is {0, 4}.
 * \param input_shape_data A flattened data of shapes of each input node.
 *    For feedforward net that takes 4 dimensional input, this is the shape data.
 * \param out The created predictor handle.
 * \return 0 when success, -1 when failure.
 *  The caller owns the handle written to *out and must free it with MXPredFree. The library
 *  copies what it needs: the JSON, the parameter bytes and the arrays may be freed on return.
 */
MXNET_DLL int MXPredCreate(const char* symbol_json_str,
                           const void* param_bytes,
                           int param_size,
                           int dev_type, int dev_id,
                           uint32_t num_input_nodes,
                           const char** input_keys,
                           const uint32_t* input_shape_indptr,
                           const uint32_t* input_shape_data,
                           PredictorHandle* out);

/*!
 * \brief create a predictor
 * \param symbol_json_str The JSON string of the symbol.
 * \param param_bytes The in-memory raw bytes of parameter ndarray file.
 * \param param_size The size of parameter ndarray file.
 * \param dev_type The device type, 1: cpu, 2: gpu
 * \param dev_id The device id of the predictor.
 * \param num_input_nodes Number of input nodes to the net.
 *    For feedforward net, this is 1.
 * \param input_keys The name of the input argument.
 *    For feedforward net, this is {"data"}
 * \param input_shape_indptr Index pointer of shapes of each input node.
 *    The length of this array = num_input_nodes + 1.
 *    For feedforward net that takes 4 dimensional input, this is {0, 4}.
 * \param input_shape_data A flattened data of shapes of each input node.
 *    For feedforward net that takes 4 dimensional input, this is the shape data.
 * \param num_provided_arg_dtypes
 *    The length of provided_arg_dtypes.
 * \param provided_arg_dtype_names
 *    The provided_arg_dtype_names the names of args for which dtypes are provided.
 * \param provided_arg_dtypes
 *    The provided_arg_dtypes the dtype provided
 * \param out The created predictor handle.
 * \return 0 when success, -1 when failure.
 *  The caller owns the handle written to *out and must free it with MXPredFree. The library
 *  copies what it needs: the JSON, the parameter bytes and the arrays may be freed on return.
 */
MXNET_DLL int MXPredCreateEx(const char* symbol_json_str,
                             const void* param_bytes,
                             int param_size,
                             int dev_type, int dev_id,
                             const uint32_t num_input_nodes,
                             const char** input_keys,
                             const uint32_t* input_shape_indptr,
                             const uint32_t* input_shape_data,
                             const uint32_t num_provided_arg_dtypes,
                             const char** provided_arg_dtype_names,
                             const int* provided_arg_dtypes,
                             PredictorHandle* out);

/*!
 * \brief create a predictor wich customized outputs
 * \param symbol_json_str The JSON string of the symbol.
 * \param param_bytes The in-memory raw bytes of parameter ndarray file.
 * \param param_size The size of parameter ndarray file.
 * \param dev_type The device type, 1: cpu, 2:gpu
 * \param dev_id The device id of the predictor.
 * \param num_input_nodes Number of input nodes to the net,
 *    For feedforward net, this is 1.
 * \param input_keys The name of input argument.
 *    For feedforward net, this is {"data"}
 * \param input_shape_indptr Index pointer of shapes of each input node.
 *    The length of this array = num_input_nodes + 1.
 *    For feedforward net that takes 4 dimensional input, this is {0, 4}.
 * \param input_shape_data A flattened data of shapes of each input node.
 *    For feedforward net that takes 4 dimensional input, this is the shape data.
 * \param num_output_nodes Number of output nodes to the net,
 * \param output_keys The name of output argument.
 *    For example {"global_pool"}
 * \param out The created predictor handle.
 * \return 0 when success, -1 when failure.
 *  The caller owns the handle written to *out and must free it with MXPredFree. The library
 *  copies what it needs: the JSON, the parameter bytes and the arrays may be freed on return.
 */

MXNET_DLL int MXPredCreatePartialOut(const char* symbol_json_str,
                                     const void* param_bytes,
                                     int param_size,
                                     int dev_type, int dev_id,
                                     uint32_t num_input_nodes,
                                     const char** input_keys,
                                     const uint32_t* input_shape_indptr,
                                     const uint32_t* input_shape_data,
                                     uint32_t num_output_nodes,
                                     const char** output_keys,
                                     PredictorHandle* out);

/*!
 * \brief create predictors for multiple threads. One predictor for a thread.
 * \param symbol_json_str The JSON string of the symbol.
 * \param param_bytes The in-memory raw bytes of parameter ndarray file.
 * \param param_size The size of parameter ndarray file.
 * \param dev_type The device type, 1: cpu, 2:gpu
 * \param dev_id The device id of the predictor.
 * \param num_input_nodes Number of input nodes to the net,
 *    For feedforward net, this is 1.
 * \param input_keys The name of input argument.
 *    For feedforward net, this is {"data"}
 * \param input_shape_indptr Index pointer of shapes of each input node.
 *    The length of this array = num_input_nodes + 1.
 *    For feedforward net that takes 4 dimensional input, this is {0, 4}.
 * \param input_shape_data A flattened data of shapes of each input node.
 *    For feedforward net that takes 4 dimensional input, this is the shape data.
 * \param num_threads The number of threads that we'll run the predictors.
 * \param out An array of created predictor handles. The array has to be large
 *   enough to keep `num_threads` predictors.
 * \return 0 when success, -1 when failure (then nothing is written to out).
 *  The caller owns the num_threads handles written to out[0..num_threads-1] and must free each
 *  with MXPredFree. They share one copy of the weights, which lives until the last of them is
 *  freed. Unlike MXNet, MXNET_ENGINE_TYPE does not need to be set.
 */
MXNET_DLL int MXPredCreateMultiThread(const char* symbol_json_str,
                                      const void* param_bytes,
                                      int param_size,
                                      int dev_type, int dev_id,
                                      uint32_t num_input_nodes,
                                      const char** input_keys,
                                      const uint32_t* input_shape_indptr,
                                      const uint32_t* input_shape_data,
                                      int num_threads,
                                      PredictorHandle* out);

/*!
 * \brief Change the input shape of an existing predictor.
 * \param num_input_nodes Number of input nodes to the net,
 *    For feedforward net, this is 1.
 * \param input_keys The name of input argument.
 *    For feedforward net, this is {"data"}
 * \param input_shape_indptr Index pointer of shapes of each input node.
 *    The length of this array = num_input_nodes + 1.
 *    For feedforward net that takes 4 dimensional input, this is {0, 4}.
 * \param input_shape_data A flattened data of shapes of each input node.
 *    For feedforward net that takes 4 dimensional input, this is the shape data.
 * \param handle The original predictor handle.
 * \param out The reshaped predictor handle.
 * \return 0 when success, -1 when failure.
 *  The caller owns the new handle written to *out and must free it with MXPredFree. It shares
 *  the weights of `handle`, which stays valid and unchanged; the two may be freed in any order.
 *  Inputs not named keep their shape. The new handle has no monitor callback.
 */
MXNET_DLL int MXPredReshape(uint32_t num_input_nodes,
                  const char** input_keys,
                  const uint32_t* input_shape_indptr,
                  const uint32_t* input_shape_data,
                  PredictorHandle handle,
                  PredictorHandle* out);
/*!
 * \brief Get the shape of output node.
 *  The returned shape_data and shape_ndim is only valid before next call to MXPred function.
 * \param handle The handle of the predictor.
 * \param index The index of output node, set to 0 if there is only one output.
 * \param shape_data Used to hold pointer to the shape data
 * \param shape_ndim Used to hold shape dimension.
 * \return 0 when success, -1 when failure.
 *  The array written to *shape_data is owned by the predictor and must not be modified or
 *  freed. This library keeps it valid until MXPredFree(handle), which is longer than MXNet
 *  promises.
 */
MXNET_DLL int MXPredGetOutputShape(PredictorHandle handle,
                                   uint32_t index,
                                   uint32_t** shape_data,
                                   uint32_t* shape_ndim);

/*!
 * \brief Get the dtype of output node.
 * The returned data type is only valid before next call to MXPred function.
 * \param handle The handle of the predictor.
 * \param out_index The index of the output node, set to 0 if there is only one output.
 * \param out_dtype The dtype of the output node
 * \return 0 when success, -1 when failure.
 *  The dtype (an MXNet type flag: 0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8,
 *  6 int64, ...) is written to *out_dtype. (MXNet 1.9.1 wrote out_dtype[out_index].)
 */
MXNET_DLL int MXPredGetOutputType(PredictorHandle handle,
                                  uint32_t out_index,
                                  int* out_dtype);

/*!
 * \brief Set the input data of predictor.
 * \param handle The predictor handle.
 * \param key The name of input node to set.
 *     For feedforward net, this is "data".
 * \param data The pointer to the data to be set, with the shape specified in MXPredCreate.
 * \param size The size of data array, used for safety check.
 * \return 0 when success, -1 when failure.
 *  `size` is the number of elements and must equal the bound shape's. The data, read as the
 *  input's dtype (float32 unless MXPredCreateEx said otherwise), is copied into the handle: the
 *  caller keeps ownership of `data` and may reuse it on return.
 */
MXNET_DLL int MXPredSetInput(PredictorHandle handle,
                             const char* key,
                             const float* data,
                             uint32_t size);
/*!
 * \brief Run a forward pass to get the output.
 * \param handle The handle of the predictor.
 * \return 0 when success, -1 when failure.
 *  The outputs are kept in the handle until the next forward pass.
 */
MXNET_DLL int MXPredForward(PredictorHandle handle);
/*!
 * \brief Run a interactive forward pass to get the output.
 *  This is helpful for displaying progress of prediction which can be slow.
 *  User must call PartialForward from step=0, keep increasing it until step_left=0.
 * \code
 * int step_left = 1;
 * for (int step = 0; step_left != 0; ++step) {
 *    MXPredPartialForward(handle, step, &step_left);
 *    printf("Current progress [%d/%d]\n", step, step + step_left + 1);
 * }
 * \endcode
 * \param handle The handle of the predictor.
 * \param step The current step to run forward on.
 * \param step_left The number of steps left
 * \return 0 when success, -1 when failure.
 *  Steps count the graph's nodes, variables included, as MXNet does: *step_left is
 *  nodes - step - 1, or 0 once step reaches the number of nodes. This library computes the
 *  whole graph at step 0; the later steps only count.
 */
MXNET_DLL int MXPredPartialForward(PredictorHandle handle, int step, int* step_left);
/*!
 * \brief Get the output value of prediction.
 * \param handle The handle of the predictor.
 * \param index The index of output node, set to 0 if there is only one output.
 * \param data User allocated data to hold the output.
 * \param size The size of data array, used for safe checking.
 * \return 0 when success, -1 when failure.
 *  `size` is the number of elements and must equal the output shape's; the elements are
 *  written in the output's dtype (see MXPredGetOutputType). The caller owns `data`.
 */
MXNET_DLL int MXPredGetOutput(PredictorHandle handle,
                              uint32_t index,
                              float* data,
                              uint32_t size);
/*!
 * \brief Free a predictor handle.
 * \param handle The handle of the predictor.
 * \return 0 when success, -1 when failure.
 *  Weights shared with other handles (MXPredCreateMultiThread, MXPredReshape) are released
 *  with the last of them, and monitor arrays with the handle. Freeing NULL is a no-op; a handle
 *  must not be used after it is freed.
 */
MXNET_DLL int MXPredFree(PredictorHandle handle);
/*!
 * \brief Create a NDArray List by loading from ndarray file.
 *     This can be used to load mean image file.
 * \param nd_file_bytes The byte contents of nd file to be loaded.
 * \param nd_file_size The size of the nd file to be loaded.
 * \param out The out put NDListHandle
 * \param out_length Length of the list.
 * \return 0 when success, -1 when failure.
 *  The caller owns the list written to *out and must free it with MXNDListFree. The bytes are
 *  copied: nd_file_bytes may be freed on return. Arrays of other dtypes are converted to float.
 */
MXNET_DLL int MXNDListCreate(const char* nd_file_bytes,
                             int nd_file_size,
                             NDListHandle *out,
                             uint32_t* out_length);
/*!
 * \brief Get an element from list
 * \param handle The handle to the NDArray
 * \param index The index in the list
 * \param out_key The output key of the item
 * \param out_data The data region of the item
 * \param out_shape The shape of the item.
 * \param out_ndim The number of dimension in the shape.
 * \return 0 when success, -1 when failure.
 *  The key, data and shape written are owned by the list and stay valid until MXNDListFree.
 *  The key is "" for arrays saved without names.
 */
MXNET_DLL int MXNDListGet(NDListHandle handle,
                          uint32_t index,
                          const char** out_key,
                          const float** out_data,
                          const uint32_t** out_shape,
                          uint32_t* out_ndim);

/*!
 * \brief set a call back to notify the completion of operation and allow for
 * additional monitoring
 * \param handle The handle of the predictor.
 * \param callback Called as callback(name, array, callback_handle) on the thread that runs the
 *  forward pass, after each node with each of its outputs ("<node>_output"), and, when
 *  monitor_all is true, before those with the node's inputs (each variable by its own name,
 *  then "<node>_<input name>"). NULL turns monitoring off.
 * \param callback_handle Passed through to the callback.
 * \param monitor_all Whether inputs are reported too.
 * \return 0 when success, -1 when failure.
 *  The arrays are owned by the predictor and stay valid until the next forward pass or
 *  MXPredFree on this handle; calling MXNDArrayFree on them is allowed (it releases them
 *  early), as MXNet programs do, but not required. While a callback is set the graph runs
 *  unoptimised (no operator fusion), so that every node of the symbol is reported.
 */
MXNET_DLL int MXPredSetMonitorCallback(PredictorHandle handle,
                                       PredMonitorCallback callback,
                                       void* callback_handle,
                                       bool monitor_all);
/*!
 * \brief Free a MXAPINDList
 * \param handle The handle of the MXAPINDList.
 * \return 0 when success, -1 when failure.
 *  Freeing NULL is a no-op; a list must not be used after it is freed.
 */
MXNET_DLL int MXNDListFree(NDListHandle handle);

#ifdef __cplusplus
}
#endif  // __cplusplus

#endif  // MXNET_C_PREDICT_API_H_
