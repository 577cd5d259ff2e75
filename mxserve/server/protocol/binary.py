# SPDX-License-Identifier: Apache-2.0
"""The binary tensor data extension (Triton ``binary_tensor_data``).

Request body = JSON header, then the bytes of each input that has ``parameters.binary_data_size``
in the order the inputs appear in the JSON; ``Inference-Header-Content-Length`` gives the JSON's
length (0 = a raw binary request: the body is the bytes of the model's single input). Responses
put the outputs that asked for binary (``parameters.binary_data`` per output, or the request's
``binary_data_output``) after the JSON in the same way. Tensors are little-endian, row-major;
BOOL is one byte.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import InvalidArgumentError
from ..shared_memory import SharedMemoryRegistry, tensor_ref
from .v2 import InferenceRequest, RequestInput, element_count, numpy_dtype

HEADER = "inference-header-content-length"


def split_body(body: bytes, header_length: str | None) -> tuple[bytes, bytes | memoryview]:
    """(JSON header, binary part: a view, not a copy). ``header_length`` is the header value, if
    any (read it with a case-insensitive lookup: HTTP header names are case-insensitive, and
    uvicorn lowercases them)."""
    if header_length is None:
        return body, b""
    try:
        n = int(header_length)
    except ValueError:
        raise InvalidArgumentError(
            f"Inference-Header-Content-Length '{header_length}' is not an integer"
        ) from None
    if n < 0 or n > len(body):
        raise InvalidArgumentError(
            f"Inference-Header-Content-Length {n} is outside the request body of {len(body)} bytes"
        )
    return body[:n], memoryview(body)[n:]


def parse_request(header: bytes) -> InferenceRequest:
    try:
        return InferenceRequest.model_validate_json(header)
    except ValueError as e:  # pydantic.ValidationError, JSON syntax errors
        raise InvalidArgumentError(f"failed to parse the request JSON: {_short(e)}") from None


def _short(e: Exception) -> str:
    errors = getattr(e, "errors", None)
    if callable(errors):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in errors()
        )
    return str(e)


def read_inputs(
    req: InferenceRequest,
    binary: bytes | memoryview,
    shm: SharedMemoryRegistry | None = None,
) -> dict[str, np.ndarray]:
    """Every input as an array: JSON ``data``, its slice of the binary part, or its place in a
    registered shared memory region."""
    from .v2 import tensor_from_json

    out: dict[str, np.ndarray] = {}
    offset = 0
    for inp in req.inputs:
        if inp.name in out:
            raise InvalidArgumentError(f"input '{inp.name}' appears more than once")
        ref = tensor_ref(inp.parameters, f"input '{inp.name}'")
        if ref is not None:
            if shm is None:
                raise InvalidArgumentError("this endpoint takes no shared memory inputs")
            if inp.data is not None:
                raise InvalidArgumentError(
                    f"input '{inp.name}' has both data and a shared memory region"
                )
            element_count(inp.shape, inp.name)
            out[inp.name] = shm.read(
                ref, numpy_dtype(inp.datatype), inp.shape, f"input '{inp.name}'"
            )
            continue
        size = (inp.parameters or {}).get("binary_data_size")
        if size is None:
            out[inp.name] = tensor_from_json(inp)
            continue
        out[inp.name] = _from_bytes(inp, binary, offset, size)
        offset += int(size)
    if offset != len(binary):
        raise InvalidArgumentError(
            f"the request has {len(binary)} bytes of binary data, its inputs' binary_data_size add up to {offset}"
        )
    return out


def _from_bytes(
    inp: RequestInput, binary: bytes | memoryview, offset: int, size: Any
) -> np.ndarray:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidArgumentError(
            f"input '{inp.name}': binary_data_size must be a non-negative integer"
        )
    dtype = numpy_dtype(inp.datatype)
    count = element_count(inp.shape, inp.name)
    if size != count * dtype.itemsize:
        raise InvalidArgumentError(
            f"input '{inp.name}': binary_data_size {size} does not match shape {inp.shape} of {inp.datatype} "
            f"({count * dtype.itemsize} bytes)"
        )
    if offset + size > len(binary):
        raise InvalidArgumentError(
            f"unexpected end of binary data for input '{inp.name}': needs {size} bytes at offset {offset}, "
            f"the body has {len(binary) - offset}"
        )
    arr = np.frombuffer(binary, dtype=dtype, count=count, offset=offset).reshape(inp.shape)
    return arr.astype(dtype.newbyteorder("="), copy=False)


def raw_input(binary: bytes | memoryview, name: str, datatype: str, dims: list[int]) -> np.ndarray:
    """A raw binary request (header length 0): the whole body is one input of batch 1; at most one
    dimension may be variable, it is computed from the body size."""
    dtype = numpy_dtype(datatype)
    if len(binary) % dtype.itemsize:
        raise InvalidArgumentError(
            f"raw binary input of {len(binary)} bytes is not a multiple of {datatype}"
        )
    count = len(binary) // dtype.itemsize
    known = 1
    variable = [i for i, d in enumerate(dims) if d < 0]
    if len(variable) > 1:
        raise InvalidArgumentError(
            f"raw binary requests need at most one variable dimension, input '{name}' "
            f"has dims {dims}"
        )
    for d in dims:
        if d >= 0:
            known *= d
    shape = list(dims)
    if variable:
        if known == 0 or count % known:
            raise InvalidArgumentError(
                f"raw binary input of {count} elements does not fit dims {dims}"
            )
        shape[variable[0]] = count // known
    elif count != known:
        raise InvalidArgumentError(
            f"raw binary input '{name}' has {count} elements, dims {dims} need {known}"
        )
    return (
        np.frombuffer(binary, dtype=dtype)
        .reshape(shape)
        .astype(dtype.newbyteorder("="), copy=False)
    )


def to_le_bytes(a: np.ndarray) -> bytes:
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return np.ascontiguousarray(a).tobytes()
