# SPDX-License-Identifier: Apache-2.0
"""Print where the NVIDIA wheels (nvidia-cudnn-cu13, nvidia-cublas, nvidia-cuda-runtime) put the
headers and libraries the CUDA backend builds and links against."""

import importlib.metadata
import pathlib
import sys

WANTED = {
    "MXS_CUDNN_H": ("nvidia-cudnn-cu13", "include/cudnn.h"),
    "MXS_CUDNN_LIB": ("nvidia-cudnn-cu13", "lib/libcudnn.so.9"),
    "MXS_CUBLAS_H": ("nvidia-cublas", "include/cublas_v2.h"),
    "MXS_CUBLAS_LIB": ("nvidia-cublas", "lib/libcublas.so.13"),
    "MXS_CUBLASLT_LIB": ("nvidia-cublas", "lib/libcublasLt.so.13"),
    "MXS_CUDART_LIB": ("nvidia-cuda-runtime", "lib/libcudart.so.13"),
}


def find_in_distribution(dist_name: str, suffix: str) -> pathlib.Path:
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(f"{dist_name} is not installed (pip install '.[cuda]' or pip install {dist_name})")
    for f in dist.files or []:
        if str(f).replace("\\", "/").endswith(suffix):
            return pathlib.Path(dist.locate_file(f)).resolve()
    sys.exit(f"{dist_name} does not contain {suffix}")


def main() -> None:
    for key, (dist, suffix) in WANTED.items():
        print(f"{key}={find_in_distribution(dist, suffix)}")


if __name__ == "__main__":
    main()
