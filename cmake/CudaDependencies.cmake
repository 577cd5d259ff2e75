# SPDX-License-Identifier: Apache-2.0
# The CUDA backend's toolchain and libraries: nvcc from the CUDA toolkit (CMake's CUDA language),
# cuDNN, cuBLAS(Lt) and the CUDA runtime from the NVIDIA wheels on PyPI, located through the
# Python interpreter that runs the build. Defines the interface target mxs_cuda_libs.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  # sm_90 (H100/H200) machine code plus compute_90 PTX, which the driver compiles for newer GPUs.
  set(CMAKE_CUDA_ARCHITECTURES 90)
endif()
# The runtime comes from the nvidia-cuda-runtime wheel, not from the toolkit.
set(CMAKE_CUDA_RUNTIME_LIBRARY None)
enable_language(CUDA)
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_VISIBILITY_PRESET hidden)
find_package(CUDAToolkit REQUIRED)

execute_process(
  COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/locate_cuda_wheels.py"
  OUTPUT_VARIABLE _mxs_cuda_locations
  ERROR_VARIABLE _mxs_cuda_error
  RESULT_VARIABLE _mxs_cuda_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _mxs_cuda_rc EQUAL 0)
  message(FATAL_ERROR "mxserve: MXSERVE_WITH_CUDA=ON needs the NVIDIA wheels: ${_mxs_cuda_error}")
endif()
string(REPLACE "\n" ";" _mxs_cuda_locations "${_mxs_cuda_locations}")
foreach(_line IN LISTS _mxs_cuda_locations)
  if(_line MATCHES "^([A-Z_]+)=(.*)$")
    set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()
get_filename_component(MXS_CUDNN_INCLUDE "${MXS_CUDNN_H}" DIRECTORY)
get_filename_component(MXS_CUBLAS_INCLUDE "${MXS_CUBLAS_H}" DIRECTORY)
get_filename_component(MXS_CUDNN_LIBDIR "${MXS_CUDNN_LIB}" DIRECTORY)
get_filename_component(MXS_CUBLAS_LIBDIR "${MXS_CUBLAS_LIB}" DIRECTORY)

add_library(mxs_cuda_libs INTERFACE)
# The toolkit's own headers come first, so that nvcc and the runtime headers agree; the wheels
# add cudnn.h and cublas*.h.
target_include_directories(mxs_cuda_libs INTERFACE ${CUDAToolkit_INCLUDE_DIRS})
target_include_directories(mxs_cuda_libs SYSTEM INTERFACE "${MXS_CUDNN_INCLUDE}" "${MXS_CUBLAS_INCLUDE}")
target_link_libraries(mxs_cuda_libs INTERFACE
  "${MXS_CUDNN_LIB}" "${MXS_CUBLAS_LIB}" "${MXS_CUBLASLT_LIB}" "${MXS_CUDART_LIB}")
target_link_options(mxs_cuda_libs INTERFACE
  "-Wl,-rpath-link,${MXS_CUDNN_LIBDIR}" "-Wl,-rpath-link,${MXS_CUBLAS_LIBDIR}")
message(STATUS "mxserve: CUDA backend for ${CMAKE_CUDA_ARCHITECTURES}, cuDNN from ${MXS_CUDNN_LIBDIR}, "
               "cuBLAS and the runtime from ${MXS_CUBLAS_LIBDIR}")
