# SPDX-License-Identifier: Apache-2.0
"""Reading and writing MXNet NDArray files (``.params``, ``.nd``) without MXNet.

:func:`load` reads every parameter format MXNet has written: the ``0x112`` NDArray list of
MXNet 0.x-1.x (``mx.nd.save``, ``export``, ``save_checkpoint``; legacy, V1, V2 and V3 array
headers), the numpy ``.npz`` archive of MXNet 2.0 (``npx.savez``, ``Block.save_parameters``,
``export``) and a single ``.npy`` array (``npx.save``). :func:`save` writes the format MXNet
1.9.1 writes, which every MXNet version since 1.0 loads with ``mx.nd.load``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _runtime
from .errors import InvalidArgumentError, NotFoundError, UnsupportedError

#: The numpy dtype MXNet's own Python API uses for bfloat16 (``mx.nd.amp_cast(x, bfloat16)``):
#: a structured dtype over the raw 16 bits. Pass arrays of this dtype to :func:`save` to store
#: bfloat16; :func:`load` returns bfloat16 arrays as float32 (exactly).
bfloat16 = np.dtype([("bfloat16", "<u2")])

_SAVE_DTYPES = {"float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"}


def _to_numpy(dtype: str, shape: tuple[int, ...], raw: bytes) -> np.ndarray:
    if dtype == "bfloat16":
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def load(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> dict[str, np.ndarray]:
    """Loads a parameter file from a path or from its bytes; the format is detected.

    Returns a dict from name to a new numpy array, in file order. Names keep their
    ``arg:``/``aux:`` prefixes. Files saved without names (``mx.nd.save(f, [a, b])`` or a bare
    ``.npy``) give the keys ``"0"``, ``"1"``, ... in file order (``mx.nd.load`` would return a
    list). "None" arrays, placeholders without data that old MXNet versions could write, are
    left out. bfloat16 arrays are returned as float32 (exact); every other dtype is kept.

    Raises:
        NotFoundError: the path cannot be read.
        InvalidArgumentError: the data is empty, truncated or corrupt; the message names the
            array or field and the byte offset.
        UnsupportedError: the file holds sparse (``row_sparse``/``csr``) arrays, or an ``.npy``
            dtype or layout that MXNet never writes (big-endian, Fortran order).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        what = "params data"
    else:
        path = os.fspath(source)
        what = f"params file '{path}'"
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise NotFoundError(f"cannot read '{path}': {e.strerror}") from None
    if not data:
        raise InvalidArgumentError(f"{what} is empty (0 bytes)")
    items = _runtime.load_ndarrays(data)
    if items and all(name == "" for name, _, _, _ in items):
        return {
            str(i): _to_numpy(dt, tuple(shape), raw) for i, (_, dt, shape, raw) in enumerate(items)
        }
    return {name: _to_numpy(dt, tuple(shape), raw) for name, dt, shape, raw in items}


def _save_dtype(name: str, a: np.ndarray) -> str:
    if a.dtype == bfloat16:
        return "bfloat16"
    if a.dtype.name in _SAVE_DTYPES:
        return a.dtype.name
    if a.dtype.name in {"int16", "uint16", "uint32", "uint64"}:
        raise UnsupportedError(f"array '{name}': MXNet 1.9.1 cannot load {a.dtype.name} arrays")
    raise InvalidArgumentError(
        f"array '{name}': dtype {a.dtype} cannot be stored in an NDArray file "
        f"(supported: {', '.join(sorted(_SAVE_DTYPES))} and mxserve.nd.bfloat16)"
    )


def save(path: str | os.PathLike[str], arrays: Mapping[str, Any] | Sequence[Any]) -> None:
    """Writes arrays in the format MXNet 1.9.1 writes; the file loads with ``mx.nd.load``.

    ``arrays`` is a dict from name to array (use ``arg:``/``aux:`` prefixes for a model's
    parameters) or a list, saved without names as ``mx.nd.save`` does with a list. Supported
    dtypes: float32, float64, float16, uint8, int8, int32, int64, bool, and bfloat16 given as
    :data:`bfloat16` (MXNet's structured dtype over the raw bits). 0-dimensional arrays are
    rejected: MXNet 1.x reads ndim 0 as a "none" array, so reshape them to ``(1,)``.
    """
    if isinstance(arrays, Mapping):
        named = list(arrays.items())
    elif isinstance(arrays, Sequence) and not isinstance(arrays, str | bytes):
        named = [("", v) for v in arrays]
    else:
        raise InvalidArgumentError(f"arrays must be a dict or a list, got {type(arrays).__name__}")
    items = []
    for i, (name, value) in enumerate(named):
        if not isinstance(name, str):
            raise InvalidArgumentError(f"array names must be strings, got {name!r}")
        label = name or f"#{i}"
        a = np.asarray(value)
        if a.ndim == 0:
            raise InvalidArgumentError(
                f"array '{label}': MXNet 1.x reads a 0-dimensional array as a \"none\" array; "
                "reshape it to (1,)"
            )
        items.append(
            (name, _save_dtype(label, a), list(a.shape), np.ascontiguousarray(a).tobytes())
        )
    data = _runtime.save_ndarrays(items)
    target = os.fspath(path)
    try:
        with open(target, "wb") as f:
            f.write(data)
    except OSError as e:
        raise NotFoundError(f"cannot write '{target}': {e.strerror}") from None
