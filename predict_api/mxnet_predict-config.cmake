# SPDX-License-Identifier: Apache-2.0
# CMake package config of libmxnet_predict as installed in the mxserve wheel
# (<site-packages>/mxserve/lib/cmake/mxnet_predict). Use:
#   find_package(mxnet_predict REQUIRED)   # with CMAKE_PREFIX_PATH=$(mxserve-config --cmakedir)
#   target_link_libraries(app PRIVATE mxnet_predict::mxnet_predict)
get_filename_component(_mxnet_predict_root "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET mxnet_predict::mxnet_predict)
  add_library(mxnet_predict::mxnet_predict SHARED IMPORTED)
  set_target_properties(mxnet_predict::mxnet_predict PROPERTIES
    IMPORTED_LOCATION "${_mxnet_predict_root}/lib/libmxnet_predict.so"
    IMPORTED_SONAME "libmxnet_predict.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_mxnet_predict_root}/include")
endif()
set(mxnet_predict_VERSION 0.1.0)
set(mxnet_predict_INCLUDE_DIRS "${_mxnet_predict_root}/include")
set(mxnet_predict_LIBRARIES mxnet_predict::mxnet_predict)
unset(_mxnet_predict_root)
