# SPDX-License-Identifier: Apache-2.0
"""MXNet's amalgamation client ``mxnet_predict.py`` on mxserve's ``libmxnet_predict.so``.

Same classes, constructor and methods, same C calls through ctypes, so code written for that
client only changes its import::

    from mxserve.compat.mxnet_predict import Predictor, load_ndarray_file

    p = Predictor(open("model-symbol.json").read(), open("model-0000.params", "rb").read(),
                  {"data": (1, 3, 224, 224)})
    p.forward(data=image)
    probs = p.get_output(0)

Errors raise :class:`mxserve.MXServeError` (a ``RuntimeError``, what the original raised) with
the library's message. Calls release the GIL while the library runs.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import predict_api
from ..errors import MXServeError

__all__ = ["Predictor", "load_ndarray_file"]

# MXNet's type flags, as the original module numbers them.
_DTYPE_NP_TO_MX: dict[Any, int] = {
    None: -1,
    np.float32: 0,
    np.float64: 1,
    np.float16: 2,
    np.uint8: 3,
    np.int32: 4,
    np.int8: 5,
    np.int64: 6,
}
_DTYPE_MX_TO_NP: dict[int, Any] = {v: k for k, v in _DTYPE_NP_TO_MX.items()}

devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3}

mx_uint = ctypes.c_uint
mx_float = ctypes.c_float
mx_float_p = ctypes.POINTER(mx_float)
PredictorHandle = ctypes.c_void_p
NDListHandle = ctypes.c_void_p
_MonitorCallback = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p)

_lib: ctypes.CDLL | None = None


def _load_lib() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        lib = ctypes.CDLL(str(predict_api.library_path()))
        lib.MXGetLastError.restype = ctypes.c_char_p
        _lib = lib
    return _lib


def _check_call(ret: int) -> None:
    if ret != 0:
        raise MXServeError(_load_lib().MXGetLastError().decode("utf-8", "replace"))


def _shape_arrays(input_shapes: Mapping[str, tuple[int, ...]]) -> tuple[Any, Any, Any, int]:
    """keys, indptr and shape data for MXPredCreate*/MXPredReshape."""
    keys: list[bytes] = []
    indptr = [0]
    sdata: list[int] = []
    for k, v in input_shapes.items():
        if not isinstance(v, tuple):
            raise ValueError("Expect input_shapes to be dict str->tuple")
        keys.append(k.encode("utf-8"))
        sdata.extend(v)
        indptr.append(len(sdata))
    return (
        (ctypes.c_char_p * len(keys))(*keys),
        (mx_uint * len(indptr))(*indptr),
        (mx_uint * len(sdata))(*sdata),
        len(keys),
    )


class Predictor:
    """A predictor class that runs prediction.

    Parameters:
        symbol_file: the symbol JSON text (not a path, despite the name, as in MXNet).
        param_raw_bytes: the bytes of the params file.
        input_shapes: shape of every input, ``{"data": (1, 3, 224, 224)}``; shapes are tuples.
        dev_type: "cpu" (or "cpu_pinned"); "gpu" fails, this library runs on the CPU.
        dev_id: device id.
        type_dict: input dtypes by name (numpy dtypes); float32 when absent.
    """

    def __init__(
        self,
        symbol_file: str | bytes,
        param_raw_bytes: bytes | bytearray,
        input_shapes: Mapping[str, tuple[int, ...]],
        dev_type: str = "cpu",
        dev_id: int = 0,
        type_dict: Mapping[str, Any] | None = None,
    ) -> None:
        lib = _load_lib()
        self.handle = PredictorHandle()
        dev = devstr2type[dev_type]
        keys, indptr, sdata, n = _shape_arrays(input_shapes)
        params = bytes(param_raw_bytes)
        names: list[bytes] = []
        types: list[int] = []
        for k, v in (type_dict or {}).items():
            t = np.dtype(v).type
            if t in _DTYPE_NP_TO_MX:
                names.append(k.encode("utf-8"))
                types.append(_DTYPE_NP_TO_MX[t])
        symbol = symbol_file if isinstance(symbol_file, bytes) else symbol_file.encode("utf-8")
        _check_call(
            lib.MXPredCreateEx(
                ctypes.c_char_p(symbol),
                ctypes.c_char_p(params),
                ctypes.c_int(len(params)),
                ctypes.c_int(dev),
                ctypes.c_int(dev_id),
                mx_uint(n),
                keys,
                indptr,
                sdata,
                mx_uint(len(names)),
                (ctypes.c_char_p * len(names))(*names),
                (ctypes.c_int * len(types))(*types),
                ctypes.byref(self.handle),
            )
        )
        self.type_dict = type_dict
        self._monitor_callback: Any = None

    def __del__(self) -> None:
        handle = getattr(self, "handle", None)
        if handle is not None and handle.value and _lib is not None:
            _lib.MXPredFree(handle)
            self.handle = PredictorHandle()

    def forward(self, **kwargs: np.ndarray) -> None:
        """Sets the inputs given by name and runs the model: ``p.forward(data=x)``."""
        lib = _load_lib()
        if self.type_dict and len(self.type_dict) != len(kwargs):
            raise ValueError(
                "number of kwargs should be same as len of type_dict"
                "Please check your forward pass inputs"
                "or type_dict passed to Predictor instantiation"
            )
        for k, v in kwargs.items():
            if not isinstance(v, np.ndarray):
                raise ValueError("Expect numpy ndarray as input")
            dtype = self.type_dict[k] if self.type_dict and k in self.type_dict else np.float32
            v = np.ascontiguousarray(v, dtype=dtype)
            _check_call(
                lib.MXPredSetInput(
                    self.handle,
                    ctypes.c_char_p(k.encode("utf-8")),
                    v.ctypes.data_as(mx_float_p),
                    mx_uint(v.size),
                )
            )
        _check_call(lib.MXPredForward(self.handle))

    def reshape(self, input_shapes: Mapping[str, tuple[int, ...]]) -> None:
        """Rebinds for new input shapes (the weights are shared, not reloaded)."""
        lib = _load_lib()
        keys, indptr, sdata, n = _shape_arrays(input_shapes)
        new_handle = PredictorHandle()
        _check_call(
            lib.MXPredReshape(
                mx_uint(n), keys, indptr, sdata, self.handle, ctypes.byref(new_handle)
            )
        )
        _check_call(lib.MXPredFree(self.handle))
        self.handle = new_handle

    def get_output(self, index: int) -> np.ndarray:
        """The index-th output of the last forward pass, as a new numpy array."""
        lib = _load_lib()
        pdata = ctypes.POINTER(mx_uint)()
        ndim = mx_uint()
        out_type = ctypes.c_int()
        _check_call(
            lib.MXPredGetOutputShape(
                self.handle, mx_uint(index), ctypes.byref(pdata), ctypes.byref(ndim)
            )
        )
        _check_call(lib.MXPredGetOutputType(self.handle, mx_uint(index), ctypes.byref(out_type)))
        shape = tuple(pdata[: ndim.value])
        data = np.empty(shape, dtype=_DTYPE_MX_TO_NP[out_type.value])
        _check_call(
            lib.MXPredGetOutput(
                self.handle, mx_uint(index), data.ctypes.data_as(mx_float_p), mx_uint(data.size)
            )
        )
        return data

    def set_monitor_callback(
        self, callback: Callable[[bytes, int | None], None], monitor_all: bool = False
    ) -> None:
        """Calls ``callback(name, array_handle)`` for every node output (and input, with
        ``monitor_all``) during forward; name is bytes, the handle an NDArrayHandle for the
        MXNDArray* functions of the library, valid until the next forward."""

        def trampoline(name: bytes, array: int | None, _: int | None) -> None:
            callback(name, array)

        self._monitor_callback = _MonitorCallback(trampoline)
        _check_call(
            _load_lib().MXPredSetMonitorCallback(
                self.handle, self._monitor_callback, None, ctypes.c_bool(monitor_all)
            )
        )


def load_ndarray_file(nd_bytes: bytes | bytearray) -> dict[str, np.ndarray] | list[np.ndarray]:
    """Loads an NDArray file (e.g. a mean image) from its bytes, as float32 numpy arrays: a dict
    by name, or a list when the arrays were saved without names."""
    lib = _load_lib()
    handle = NDListHandle()
    olen = mx_uint()
    data = bytes(nd_bytes)
    _check_call(
        lib.MXNDListCreate(
            ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(handle), ctypes.byref(olen)
        )
    )
    keys: list[str] = []
    arrs: list[np.ndarray] = []
    try:
        for i in range(olen.value):
            key = ctypes.c_char_p()
            cptr = mx_float_p()
            pdata = ctypes.POINTER(mx_uint)()
            ndim = mx_uint()
            _check_call(
                lib.MXNDListGet(
                    handle,
                    mx_uint(i),
                    ctypes.byref(key),
                    ctypes.byref(cptr),
                    ctypes.byref(pdata),
                    ctypes.byref(ndim),
                )
            )
            shape = tuple(pdata[: ndim.value])
            size = int(np.prod(shape, dtype=np.int64))
            arr = (
                np.ctypeslib.as_array(cptr, shape=(size,)).copy()
                if size
                else np.empty(0, np.float32)
            )
            keys.append((key.value or b"").decode("utf-8"))
            arrs.append(arr.reshape(shape))
    finally:
        _check_call(lib.MXNDListFree(handle))
    if len(keys) == 0 or len(keys[0]) == 0:
        return arrs
    return dict(zip(keys, arrs))
