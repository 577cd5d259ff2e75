# SPDX-License-Identifier: Apache-2.0
"""Request plans: what a request's JSON header decides, worked out once per distinct header.

Clients of the binary tensor extension (tritonclient, perf_analyzer, wrk scripts) send the same
JSON header with every request: the same input names, shapes and datatypes, the data after it.
Everything such a header decides -- where each input lies in the binary part, the batch size and
batching key, the outputs wanted and whether binary, the timeout -- does not depend on the bytes
that follow, so ``plan_request`` computes it once and keeps it, per model version, in a small
cache keyed by the header's bytes. Headers with JSON ``data`` are parsed every time (their data
is part of the header). A header that fails validation is never cached: it fails again, with
the same error, the next time.

``encode_response`` does the same for the response's JSON header: for all-binary outputs of the
same shapes and datatypes the ``outputs`` part is the same every time.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import InvalidArgumentError
from ..batching import MAX_PRIORITY, MAX_TIMEOUT_US
from ..config import OIP_OF_DTYPE
from ..shared_memory import SharedMemoryRegistry, TensorRef, tensor_ref
from .binary import parse_request, read_inputs, to_le_bytes
from .v2 import InferenceRequest, element_count, numpy_dtype

#: Headers longer than this are not cached (a binary request's header is a few hundred bytes).
MAX_CACHED_HEADER = 4096
#: Plans kept per model version; the oldest goes first.
MAX_PLANS = 256

#: (dtype, shape) per input name -> (batch size, batching key); raises on a mismatch.
CheckFn = Callable[[dict[str, tuple[np.dtype[Any], tuple[int, ...]]]], tuple[int, tuple[Any, ...]]]


@dataclass(frozen=True)
class BinaryInput:
    name: str
    dtype: np.dtype[Any]  # little-endian
    shape: tuple[int, ...]
    offset: int
    size: int


@dataclass(frozen=True)
class RequestPlan:
    """A parsed header. ``binary`` is set when every input is binary (then the plan may be
    cached); otherwise ``request`` holds the JSON data. ``checked`` is (batch, key) once the
    inputs' names, dtypes and shapes passed the model's check, None when that is still to do.
    ``shm_outputs`` are the outputs to write into shared memory regions."""

    request_id: str | None
    timeout_us: int
    priority: int
    wanted: tuple[tuple[str, bool], ...]
    binary: tuple[BinaryInput, ...] | None
    binary_size: int
    request: InferenceRequest | None
    checked: tuple[int, tuple[Any, ...]] | None
    shm_outputs: tuple[tuple[str, TensorRef], ...] = ()

    def read(
        self, data: bytes | memoryview, shm: SharedMemoryRegistry | None = None
    ) -> dict[str, np.ndarray]:
        """The inputs: views of ``data`` (the binary part of the body), or copies of their
        shared memory regions."""
        if self.binary is None:
            assert self.request is not None
            return read_inputs(self.request, data, shm)
        if len(data) != self.binary_size:
            for b in self.binary:
                if b.offset + b.size > len(data):
                    raise InvalidArgumentError(
                        f"unexpected end of binary data for input '{b.name}': needs {b.size} "
                        f"bytes at offset {b.offset}, the body has {len(data) - b.offset}"
                    )
            raise InvalidArgumentError(
                f"the request has {len(data)} bytes of binary data, its inputs' "
                f"binary_data_size add up to {self.binary_size}"
            )
        out: dict[str, np.ndarray] = {}
        for b in self.binary:
            a = np.frombuffer(
                data, dtype=b.dtype, count=b.size // b.dtype.itemsize, offset=b.offset
            )
            out[b.name] = a.reshape(b.shape).astype(b.dtype.newbyteorder("="), copy=False)
        return out


def plan_request(
    header: bytes,
    model: str,
    output_names: Sequence[str],
    check: CheckFn,
    cache: MutableMapping[bytes, RequestPlan],
) -> RequestPlan:
    """The plan of one JSON header (from ``cache`` when this header was seen before)."""
    plan = cache.get(header)
    if plan is not None:
        return plan
    req = parse_request(header)
    params = req.parameters or {}
    plan = RequestPlan(
        request_id=req.id,
        timeout_us=uint_param(params, "timeout", "microseconds", MAX_TIMEOUT_US),
        priority=uint_param(
            params, "priority", "1 is the highest level, 0 the default", MAX_PRIORITY
        ),
        wanted=_wanted(req, model, output_names, params.get("binary_data_output") is True),
        binary=None,
        binary_size=0,
        request=req,
        checked=None,
        shm_outputs=_shm_outputs(req),
    )
    layout = _binary_layout(req)
    if layout is None or len(header) > MAX_CACHED_HEADER:
        return plan
    try:
        checked = check({b.name: (b.dtype.newbyteorder("="), b.shape) for b in layout})
    except InvalidArgumentError:
        return plan  # checked again (and counted) when the request is submitted
    plan = dataclasses.replace(
        plan,
        binary=layout,
        binary_size=sum(b.size for b in layout),
        request=None,
        checked=checked,
    )
    _remember(cache, header, plan)
    return plan


def _remember(cache: MutableMapping[Any, Any], key: Any, value: Any) -> None:
    """Stores ``value``; the oldest entry goes when the cache holds MAX_PLANS."""
    if len(cache) >= MAX_PLANS:
        del cache[next(iter(cache))]
    cache[key] = value


def uint_param(params: dict[str, Any], name: str, meaning: str, maximum: int) -> int:
    v = params.get(name, 0)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= maximum:
        shown = repr(v) if not isinstance(v, int) or v.bit_length() < 64 else "a larger integer"
        raise InvalidArgumentError(
            f"parameter '{name}' must be a non-negative integer of at most {maximum} "
            f"({meaning}), got {shown}"
        )
    return v


def _wanted(
    req: InferenceRequest, model: str, output_names: Sequence[str], default_binary: bool
) -> tuple[tuple[str, bool], ...]:
    """(output name, as binary) in the order the response lists them."""
    if not req.outputs:
        return tuple((n, default_binary) for n in output_names)
    known = set(output_names)
    wanted = []
    for o in req.outputs:
        if o.name not in known:
            raise InvalidArgumentError(
                f"unexpected inference output '{o.name}' for model '{model}'"
            )
        flag = (o.parameters or {}).get("binary_data", default_binary)
        wanted.append((o.name, flag is True))
    return tuple(wanted)


def _shm_outputs(req: InferenceRequest) -> tuple[tuple[str, TensorRef], ...]:
    """The requested outputs that go into shared memory regions."""
    out = []
    for o in req.outputs or []:
        ref = tensor_ref(o.parameters, f"output '{o.name}'")
        if ref is not None:
            out.append((o.name, ref))
    return tuple(out)


def _binary_layout(req: InferenceRequest) -> tuple[BinaryInput, ...] | None:
    """Where each input lies in the binary part; None when an input has JSON data, or the
    header is one ``read_inputs`` rejects (it then reports the error with the body at hand)."""
    layout = []
    names = set()
    offset = 0
    for inp in req.inputs:
        size = (inp.parameters or {}).get("binary_data_size")
        if size is None or inp.data is not None or inp.name in names:
            return None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return None
        dtype = numpy_dtype(inp.datatype)
        if size != element_count(inp.shape, inp.name) * dtype.itemsize:
            return None
        names.add(inp.name)
        layout.append(BinaryInput(inp.name, dtype, tuple(inp.shape), offset, size))
        offset += size
    return tuple(layout)


def encode_response(
    model: str,
    version: str,
    request_id: str | None,
    wanted: Sequence[tuple[str, bool]],
    outputs: dict[str, np.ndarray],
    cache: MutableMapping[tuple[Any, ...], tuple[bytes, bytes]],
    in_shm: Mapping[str, int] | None = None,
) -> tuple[bytes, int | None]:
    """(body, JSON header length or None when no output is binary) of an inference response.
    ``in_shm``: outputs written into shared memory (name -> bytes written), listed without data."""
    arrays = [outputs[name] for name, _ in wanted]
    all_binary = all(b for _, b in wanted) and not in_shm
    key = (tuple(wanted), tuple((a.shape, a.dtype) for a in arrays)) if all_binary else None
    cached = cache.get(key) if key is not None else None
    if cached is None:
        prefix = b"".join([b'{"model_name":', _json(model), b',"model_version":', _json(version)])
        entries: list[dict[str, Any]] = []
        blobs: list[bytes] = []
        for (name, as_binary), a in zip(wanted, arrays):
            entry: dict[str, Any] = {
                "name": name,
                "datatype": OIP_OF_DTYPE.get(a.dtype, a.dtype.name),
                "shape": list(a.shape),
            }
            if in_shm and name in in_shm:
                entry["parameters"] = {"shared_memory_byte_size": in_shm[name]}
            elif as_binary:
                raw = to_le_bytes(a)
                entry["parameters"] = {"binary_data_size": len(raw)}
                blobs.append(raw)
            else:
                entry["data"] = a.reshape(-1).tolist()
            entries.append(entry)
        part = b"".join([b',"outputs":', json.dumps(entries, separators=(",", ":")).encode(), b"}"])
        if key is not None:
            _remember(cache, key, (prefix, part))
    else:
        prefix, part = cached
        blobs = [to_le_bytes(a) for a in arrays]
    if request_id is None:
        head = prefix + part
    else:
        head = b"".join([prefix, b',"id":', _json(request_id), part])
    if not blobs:
        return head, None
    return b"".join([head, *blobs]), len(head)


def _json(v: str) -> bytes:
    return json.dumps(v).encode()
