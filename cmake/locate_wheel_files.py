# SPDX-License-Identifier: Apache-2.0
"""Print where the PyPI wheels that mxserve builds against put their CMake and header files."""

import importlib.metadata
import importlib.util
import pathlib
import sys


def find_in_distribution(dist_name: str, suffix: str) -> pathlib.Path:
    dist = importlib.metadata.distribution(dist_name)
    for f in dist.files or []:
        if str(f).replace("\\", "/").endswith(suffix):
            return pathlib.Path(dist.locate_file(f)).resolve()
    sys.exit(f"{dist_name} does not contain {suffix}")


def main() -> None:
    dnnl_config = find_in_distribution("onednn-devel-cpu-gomp", "cmake/dnnl/dnnl-config.cmake")
    print(f"MXS_DNNL_CMAKE_DIR={dnnl_config.parent}")
    spec = importlib.util.find_spec("nlohmann_json")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("nlohmann-json is not installed")
    pkg = pathlib.Path(list(spec.submodule_search_locations)[0])
    print(f"MXS_NLOHMANN_INCLUDE={(pkg / 'include').resolve()}")


if __name__ == "__main__":
    main()
