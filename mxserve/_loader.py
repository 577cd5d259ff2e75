# SPDX-License-Identifier: Apache-2.0
"""Loads oneDNN's shared library from the onednn-cpu-gomp wheel before the extension needs it.

The extension's RPATH already points at ``<prefix>/lib`` where that wheel installs
``libdnnl.so.3``; loading it here by absolute path also covers user-site and editable installs,
so no LD_LIBRARY_PATH is ever needed.

The manylinux wheel also carries ``mxserve.libs/libgomp.so.1`` (see ``.ci/build_wheel``): it is
loaded first, so that libdnnl, which asks for ``libgomp.so.1`` by soname, shares that copy with
the extension instead of loading a second OpenMP runtime (or failing where the system has none).
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import pathlib


def _dnnl_path() -> pathlib.Path | None:
    try:
        dist = importlib.metadata.distribution("onednn-cpu-gomp")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f).endswith("libdnnl.so.3"):
            return pathlib.Path(str(dist.locate_file(f))).resolve()
    return None


def _gomp_path() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parent.parent / "mxserve.libs" / "libgomp.so.1"


def _preload() -> None:
    gomp = _gomp_path()
    if gomp.exists():
        ctypes.CDLL(str(gomp), mode=ctypes.RTLD_GLOBAL)
    path = _dnnl_path()
    if path is not None and path.exists():
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


_preload()
