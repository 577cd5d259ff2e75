# SPDX-License-Identifier: Apache-2.0
"""Open Inference Protocol (KServe v2) REST schemas and tensor <-> numpy conversion."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, StrictInt

from ...errors import InvalidArgumentError, UnsupportedError
from ..config import OIP_TO_NUMPY

Parameters = dict[str, Any]


#: The most dimensions a request tensor may have (the runtime's and numpy's limit).
MAX_DIMS = 64
#: The most elements a request tensor may have (the runtime's 2^47-byte tensor limit).
MAX_ELEMENTS = 2**47


class RequestInput(BaseModel):
    name: str
    shape: list[StrictInt]
    datatype: str
    parameters: Parameters | None = None
    data: Any = None


class RequestOutput(BaseModel):
    name: str
    parameters: Parameters | None = None


class InferenceRequest(BaseModel):
    id: str | None = None
    parameters: Parameters | None = None
    inputs: list[RequestInput] = Field(min_length=1)
    outputs: list[RequestOutput] | None = None


def numpy_dtype(datatype: str) -> np.dtype[Any]:
    """The little-endian numpy dtype of an OIP datatype (400 for unknown, 501 for BYTES/BF16)."""
    name = OIP_TO_NUMPY.get(datatype)
    if name is None:
        if datatype in ("BYTES", "BF16"):
            raise UnsupportedError(f"datatype {datatype} is not supported by the mxserve runtime")
        raise InvalidArgumentError(f"invalid datatype '{datatype}'")
    return np.dtype(name).newbyteorder("<")


def element_count(shape: list[int], name: str) -> int:
    """The element count of a request shape; 400 for too many, negative or too large dims."""
    if len(shape) > MAX_DIMS:
        raise InvalidArgumentError(
            f"input '{name}': shape has {len(shape)} dimensions, more than the limit of {MAX_DIMS}"
        )
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"input '{name}': shape {shape} has a negative dimension")
    count = math.prod(shape)
    if count > MAX_ELEMENTS or any(d > MAX_ELEMENTS for d in shape):
        raise InvalidArgumentError(
            f"input '{name}': shape {shape} has more than the limit of {MAX_ELEMENTS} elements"
        )
    return count


#: The Python types JSON ``data`` may hold per numpy dtype kind (bool is not a number here).
_LEAF_TYPES = {"b": {bool}, "i": {int}, "u": {int}, "f": {int, float}}
_JSON_NAMES = {
    type(None): "null",
    bool: "a boolean",
    str: "a string",
    list: "a nested array",
    dict: "an object",
    float: "a non-integer number",
    int: "an integer",
}


def tensor_from_json(inp: RequestInput) -> np.ndarray:
    """A request input's JSON ``data`` (nested or flat, row-major) as an array of its shape.

    Values are strict: numbers for numeric datatypes (integers for integer ones), booleans for
    BOOL; null, strings, booleans as numbers, ragged arrays and values that are not finite in
    the datatype (NaN, Infinity, 1e39 for FP32) are 400s naming the reason."""
    dtype = numpy_dtype(inp.datatype)
    count = element_count(inp.shape, inp.name)
    if inp.data is None:
        raise InvalidArgumentError(f"input '{inp.name}' has neither 'data' nor binary_data_size")
    try:
        leaves = np.array(inp.data, dtype=object)
    except (ValueError, TypeError, RecursionError):
        raise InvalidArgumentError(
            f"input '{inp.name}': 'data' is not a rectangular array of values"
        ) from None
    flat = leaves.reshape(-1).tolist()
    allowed = _LEAF_TYPES[dtype.kind]
    bad = {type(v) for v in flat} - allowed
    if bad:
        got = ", ".join(sorted(_JSON_NAMES.get(t, t.__name__) for t in bad))
        want = {"b": "booleans", "i": "integers", "u": "integers", "f": "numbers"}[dtype.kind]
        raise InvalidArgumentError(
            f"input '{inp.name}': {inp.datatype} data must hold only {want}, it holds {got}"
        )
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # found by the finiteness check
            arr = np.array(flat, dtype=dtype.newbyteorder("="))
    except (ValueError, TypeError, OverflowError):
        raise InvalidArgumentError(
            f"input '{inp.name}': data holds a value out of the range of {inp.datatype}"
        ) from None
    if dtype.kind == "f" and not np.isfinite(arr).all():
        raise InvalidArgumentError(
            f"input '{inp.name}': data holds a value that is not finite in {inp.datatype} "
            "(NaN, Infinity, or out of its range)"
        )
    if arr.size != count:
        raise InvalidArgumentError(
            f"input '{inp.name}': shape {inp.shape} needs {count} elements, 'data' holds {arr.size}"
        )
    return arr.reshape(inp.shape)
