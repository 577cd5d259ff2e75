/* SPDX-License-Identifier: Apache-2.0 */
/// \file c_api.h
/// The part of MXNet's include/mxnet/c_api.h that libmxnet_predict provides: the MXNDArray*
/// accessors a monitor callback uses (see c_ndarray_api.h), so that callbacks which include
/// <mxnet/c_api.h> compile unchanged. Other MXNet C API functions are not part of this library.
#ifndef MXNET_C_API_H_
#define MXNET_C_API_H_

#include "c_ndarray_api.h"

#endif  // MXNET_C_API_H_
