# SPDX-License-Identifier: Apache-2.0
"""Loads oneDNN's shared library from the onednn-cpu-gomp wheel before the extension needs it.

The extension's RPATH already points at ``<prefix>/lib`` where that wheel installs
``libdnnl.so.3``; loading it here by absolute path also covers user-site and editable installs,
so no LD_LIBRARY_PATH is ever needed.
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


def _preload() -> None:
    path = _dnnl_path()
    if path is not None and path.exists():
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


_preload()
