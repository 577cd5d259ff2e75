# SPDX-License-Identifier: Apache-2.0
"""System shared memory (Triton's ``system_shared_memory`` extension), for HTTP and gRPC alike.

A client creates a POSIX shared memory object (``shm_open(key)``, as
``tritonclient.utils.shared_memory`` does), registers a byte range of it under a name, then
names that region, an offset into it and a byte size in an input's or output's parameters
(``shared_memory_region``, ``shared_memory_offset``, ``shared_memory_byte_size``) instead of
sending the data: the server reads the input from, or writes the output into, the region. Every
access is bounds-checked against the registered range. Regions belong to one server process
(with ``--workers`` > 1, to the worker whose connection registered them).

CUDA shared memory is not supported (the server computes on CPU): registering a CUDA region is
an error that says so; its status lists no region.
"""

from __future__ import annotations

import mmap
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import (
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    UnsupportedError,
)

#: Where Linux keeps POSIX shared memory objects (``shm_open`` names).
SHM_DIR = "/dev/shm"

#: The request parameters of a tensor in shared memory.
REGION, OFFSET, BYTE_SIZE = (
    "shared_memory_region",
    "shared_memory_offset",
    "shared_memory_byte_size",
)

CUDA_UNSUPPORTED = "CUDA shared memory is not supported by this server (it runs on CPU)"


@dataclass
class Region:
    """One registered region: ``byte_size`` bytes at ``offset`` of the object ``key``."""

    name: str
    key: str
    offset: int
    byte_size: int
    mapping: mmap.mmap

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "offset": self.offset,
            "byte_size": self.byte_size,
        }


@dataclass(frozen=True)
class TensorRef:
    """A tensor's place in a region, from its request parameters."""

    region: str
    offset: int
    byte_size: int


def tensor_ref(params: Mapping[str, Any] | None, what: str) -> TensorRef | None:
    """The shared-memory reference in a tensor's parameters, or None when it names no region.
    ``what`` names the tensor in errors (``input 'x'``)."""
    if not params or REGION not in params:
        return None
    region = params[REGION]
    if not isinstance(region, str) or not region:
        raise InvalidArgumentError(f"{what}: '{REGION}' must be a region name")
    values = []
    for key in (OFFSET, BYTE_SIZE):
        v = params.get(key, 0 if key == OFFSET else None)
        if v is None:
            raise InvalidArgumentError(f"{what}: '{BYTE_SIZE}' is required with '{REGION}'")
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidArgumentError(f"{what}: '{key}' must be a non-negative integer, got {v!r}")
        values.append(v)
    return TensorRef(region, values[0], values[1])


def _object_path(key: str) -> str:
    """The file of a ``shm_open`` key: one name, a leading ``/`` optional, no path."""
    name = key[1:] if key.startswith("/") else key
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise InvalidArgumentError(
            f"shared memory key '{key}' is not a POSIX shared memory name ('/name')"
        )
    return os.path.join(SHM_DIR, name)


class SharedMemoryRegistry:
    """The system shared memory regions of one server process (thread-safe)."""

    def __init__(self) -> None:
        self._regions: dict[str, Region] = {}
        self._lock = threading.Lock()

    def register(self, name: str, key: str, offset: int, byte_size: int) -> None:
        if not name:
            raise InvalidArgumentError("a shared memory region needs a name")
        for label, v in (("offset", offset), ("byte_size", byte_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidArgumentError(
                    f"shared memory region '{name}': {label} must be a non-negative integer"
                )
        path = _object_path(key)
        with self._lock:
            if name in self._regions:
                raise ConflictError(
                    f"shared memory region '{name}' is already registered; unregister it first"
                )
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError as e:
            raise InvalidArgumentError(
                f"failed to open the shared memory object '{key}' of region '{name}': "
                f"{e.strerror or e}"
            ) from None
        try:
            size = os.fstat(fd).st_size
            if offset + byte_size > size:
                raise InvalidArgumentError(
                    f"shared memory region '{name}': offset {offset} + byte_size {byte_size} "
                    f"exceeds the {size} bytes of '{key}'"
                )
            if size == 0:
                raise InvalidArgumentError(f"shared memory object '{key}' is empty")
            mapping = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        with self._lock:
            if name in self._regions:
                mapping.close()
                raise ConflictError(f"shared memory region '{name}' is already registered")
            self._regions[name] = Region(name, key, offset, byte_size, mapping)

    def unregister(self, name: str = "") -> None:
        """Unregisters ``name`` (every region for ``""``); an unknown name is not an error."""
        with self._lock:
            names = list(self._regions) if not name else [name]
            gone = [self._regions.pop(n) for n in names if n in self._regions]
        for r in gone:
            try:
                r.mapping.close()
            except BufferError:  # a view is still being read; the mapping goes with it
                pass

    def status(self, name: str = "") -> list[dict[str, Any]]:
        with self._lock:
            if name and name not in self._regions:
                raise NotFoundError(f"Unable to find system shared memory region: '{name}'")
            regions = [self._regions[name]] if name else list(self._regions.values())
        return [r.status() for r in sorted(regions, key=lambda r: r.name)]

    def _span(self, ref: TensorRef, what: str) -> tuple[Region, int]:
        with self._lock:
            r = self._regions.get(ref.region)
        if r is None:
            raise NotFoundError(f"Unable to find system shared memory region: '{ref.region}'")
        if ref.offset + ref.byte_size > r.byte_size:
            raise InvalidArgumentError(
                f"{what}: offset {ref.offset} + byte size {ref.byte_size} is outside shared "
                f"memory region '{r.name}' of {r.byte_size} bytes"
            )
        return r, r.offset + ref.offset

    def read(self, ref: TensorRef, dtype: np.dtype[Any], shape: list[int], what: str) -> np.ndarray:
        """A copy of the tensor at ``ref`` (the client may reuse the region at once)."""
        region, start = self._span(ref, what)
        count = int(np.prod(shape)) if shape else 1
        if count * dtype.itemsize != ref.byte_size:
            raise InvalidArgumentError(
                f"{what}: shared_memory_byte_size {ref.byte_size} does not match shape {shape} "
                f"of {count * dtype.itemsize} bytes"
            )
        a = np.frombuffer(region.mapping, dtype=dtype, count=count, offset=start)
        return a.reshape(shape).astype(dtype.newbyteorder("="), copy=True)

    def write(self, ref: TensorRef, data: bytes, what: str) -> None:
        """Writes an output's bytes at ``ref``; the reference must have room for them."""
        region, start = self._span(ref, what)
        if len(data) > ref.byte_size:
            raise InvalidArgumentError(
                f"{what}: shared memory size specified with the request ({ref.byte_size} bytes) "
                f"should be at least {len(data)} bytes to hold the results"
            )
        region.mapping[start : start + len(data)] = data

    def close(self) -> None:
        self.unregister()


def cuda_unsupported() -> UnsupportedError:
    return UnsupportedError(CUDA_UNSUPPORTED)
