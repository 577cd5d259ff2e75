# SPDX-License-Identifier: Apache-2.0
# Locates the C++ dependencies that come from PyPI wheels (oneDNN, nlohmann-json) through the
# Python interpreter that runs the build, so `pip install .` needs nothing from the system.
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)

execute_process(
  COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/locate_wheel_files.py"
  OUTPUT_VARIABLE _mxs_locations
  RESULT_VARIABLE _mxs_locate_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _mxs_locate_rc EQUAL 0)
  message(FATAL_ERROR "mxserve: could not locate the PyPI build dependencies "
                      "(pip install onednn-devel-cpu-gomp nlohmann-json)")
endif()
# The script prints KEY=VALUE lines.
string(REPLACE "\n" ";" _mxs_locations "${_mxs_locations}")
foreach(_line IN LISTS _mxs_locations)
  if(_line MATCHES "^([A-Z_]+)=(.*)$")
    set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()

find_package(OpenMP REQUIRED COMPONENTS CXX)
if(MXSERVE_WITH_ONEDNN)
  find_package(dnnl CONFIG REQUIRED PATHS "${MXS_DNNL_CMAKE_DIR}" NO_DEFAULT_PATH)
  message(STATUS "mxserve: oneDNN ${dnnl_VERSION} from ${MXS_DNNL_CMAKE_DIR}")
endif()

add_library(mxs_nlohmann_json INTERFACE)
target_include_directories(mxs_nlohmann_json SYSTEM INTERFACE "${MXS_NLOHMANN_INCLUDE}")
message(STATUS "mxserve: nlohmann-json from ${MXS_NLOHMANN_INCLUDE}")
