# SPDX-License-Identifier: Apache-2.0
"""Open Inference Protocol (KServe v2) REST schemas and tensor <-> numpy conversion."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ...errors import InvalidArgumentError, UnsupportedError
from ..config import OIP_TO_NUMPY

Parameters = dict[str, Any]


class RequestInput(BaseModel):
    name: str
    shape: list[int]
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
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"input '{name}': shape {shape} has a negative dimension")
    return math.prod(shape)


def tensor_from_json(inp: RequestInput) -> np.ndarray:
    """A request input's JSON ``data`` (nested or flat, row-major) as an array of its shape."""
    dtype = numpy_dtype(inp.datatype)
    count = element_count(inp.shape, inp.name)
    if inp.data is None:
        raise InvalidArgumentError(f"input '{inp.name}' has neither 'data' nor binary_data_size")
    try:
        arr = np.asarray(inp.data, dtype=dtype.newbyteorder("="))
    except (ValueError, TypeError, OverflowError) as e:
        raise InvalidArgumentError(
            f"input '{inp.name}': data cannot be read as {inp.datatype}: {e}"
        ) from None
    if arr.size != count:
        raise InvalidArgumentError(
            f"input '{inp.name}': shape {inp.shape} needs {count} elements, 'data' holds {arr.size}"
        )
    return arr.reshape(inp.shape)
