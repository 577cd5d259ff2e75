# SPDX-License-Identifier: Apache-2.0
"""Where the installed C predict API lives, and the ``mxserve-config`` command.

The wheel carries ``libmxnet_predict.so.<major>`` (MXNet's ``c_predict_api.h`` implemented on
the mxserve runtime; the soname follows mxserve's major version), the unversioned
``libmxnet_predict.so`` that ``-lmxnet_predict`` finds (a linker script naming the soname, as a
wheel cannot hold a symlink), its headers, a pkg-config file and a CMake package config::

    cc app.c $(mxserve-config --cflags --libs) -o app

``--libs`` adds an rpath to the library's folder, so the program runs without LD_LIBRARY_PATH;
the library finds oneDNN through its own rpath.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from ._version import __version__

_PKG = pathlib.Path(__file__).resolve().parent

#: The file name programs linked with ``-lmxnet_predict`` record (DT_NEEDED).
SONAME = f"libmxnet_predict.so.{__version__.split('.')[0]}"

__all__ = [
    "SONAME",
    "cmake_dir",
    "include_dir",
    "library_dir",
    "library_path",
    "main",
    "pkgconfig_dir",
]


def library_dir() -> pathlib.Path:
    """Absolute path of the folder holding ``libmxnet_predict.so``."""
    return _PKG / "lib"


def library_path() -> pathlib.Path:
    """Absolute path of the shared library (``libmxnet_predict.so.<major>``, the file to load with
    ctypes or dlopen); raises FileNotFoundError if it is missing."""
    path = library_dir() / SONAME
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: mxserve was installed without its C API")
    return path


def include_dir() -> pathlib.Path:
    """Absolute path of the folder to pass as ``-I`` (it holds ``mxnet/c_predict_api.h``)."""
    path = _PKG / "include"
    if not (path / "mxnet" / "c_predict_api.h").exists():
        raise FileNotFoundError(f"{path}/mxnet/c_predict_api.h is missing")
    return path


def pkgconfig_dir() -> pathlib.Path:
    """Folder of ``mxnet_predict.pc``, for PKG_CONFIG_PATH."""
    return library_dir() / "pkgconfig"


def cmake_dir() -> pathlib.Path:
    """Folder to add to CMAKE_PREFIX_PATH for ``find_package(mxnet_predict)``."""
    return library_dir() / "cmake"


def main(argv: list[str] | None = None) -> int:
    """``mxserve-config``: prints compile and link flags for programs using the C API."""
    parser = argparse.ArgumentParser(
        prog="mxserve-config",
        description="Print the flags to compile and link against mxserve's libmxnet_predict.",
    )
    parser.add_argument("--cflags", action="store_true", help="compiler flags (-I...)")
    parser.add_argument(
        "--libs", action="store_true", help="linker flags (-L... -rpath -lmxnet_predict)"
    )
    parser.add_argument("--includedir", action="store_true", help="folder of mxnet/c_predict_api.h")
    parser.add_argument("--libdir", action="store_true", help="folder of libmxnet_predict.so")
    parser.add_argument("--pkgconfigdir", action="store_true", help="folder of mxnet_predict.pc")
    parser.add_argument(
        "--cmakedir", action="store_true", help="prefix for find_package(mxnet_predict)"
    )
    args = parser.parse_args(argv)
    if not any(vars(args).values()):
        parser.print_usage(sys.stderr)
        return 2
    try:
        lib = library_path().parent
        inc = include_dir()
    except FileNotFoundError as e:
        print(f"mxserve-config: {e}", file=sys.stderr)
        return 1
    out: list[str] = []
    if args.cflags:
        out.append(f"-I{inc}")
    if args.libs:
        out.append(f"-L{lib} -Wl,-rpath,{lib} -lmxnet_predict")
    if args.includedir:
        out.append(str(inc))
    if args.libdir:
        out.append(str(lib))
    if args.pkgconfigdir:
        out.append(str(pkgconfig_dir()))
    if args.cmakedir:
        out.append(str(cmake_dir()))
    print(" ".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
