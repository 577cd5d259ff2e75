# SPDX-License-Identifier: Apache-2.0
"""Reading and writing MXNet NDArray files (``.params``, ``.nd``) without MXNet."""

from __future__ import annotations

import os

import numpy as np

from . import _runtime
from .errors import InvalidArgumentError, NotFoundError


def _to_numpy(dtype: str, shape: tuple[int, ...], raw: bytes) -> np.ndarray:
    if dtype == "bfloat16":
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def load(source: str | os.PathLike[str] | bytes) -> dict[str, np.ndarray]:
    """Loads an NDArray file from a path or from its bytes.

    Names keep their ``arg:``/``aux:`` prefixes. bfloat16 arrays are returned as float32 (exact).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = os.fspath(source)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise NotFoundError(f"cannot read '{path}': {e.strerror}") from None
    return {name: _to_numpy(dtype, tuple(shape), raw) for name, dtype, shape, raw in _runtime.load_ndarrays(data)}


def save(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> None:
    """Writes arrays in the format MXNet 1.9.1 writes; the file loads with ``mx.nd.load``."""
    items = []
    for name, value in arrays.items():
        a = np.ascontiguousarray(value)
        if a.dtype.name not in {
            "float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool",
        }:
            raise InvalidArgumentError(f"array '{name}': dtype {a.dtype} cannot be stored in an NDArray file")
        items.append((name, a.dtype.name, list(a.shape), a.tobytes()))
    data = _runtime.save_ndarrays(items)
    with open(os.fspath(path), "wb") as f:
        f.write(data)
