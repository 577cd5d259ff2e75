# SPDX-License-Identifier: Apache-2.0
"""Decoding large v2 JSON request bodies in a helper process, away from the event loop.

Turning a JSON body into arrays (pydantic's parse of the ``data`` lists, then numpy) holds the
GIL for the whole body: a 54 MB body kept the event loop from answering anything, a liveness
probe included, for seconds, and a thread would not help. A JSON header larger than
OFFLOAD_JSON_BYTES is therefore decoded by ``plan_request`` and ``RequestPlan.read`` in a helper
process (one per server process, started with *spawn* on the first such request); the event
loop only waits for the plan and the arrays to come back. Errors come back as the same
MXServeError the in-process decoder raises.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import numpy as np

from ..errors import InvalidArgumentError
from .protocol.plan import RequestPlan, plan_request

#: JSON headers above this many bytes are decoded in the helper process.
OFFLOAD_JSON_BYTES = 1 << 20

T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def call(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the helper process (``fn`` and the arguments must pickle)."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), fn, *args)


async def decode(
    header: bytes, binary: bytes | memoryview, model: str, output_names: Sequence[str]
) -> tuple[RequestPlan, dict[str, np.ndarray]]:
    """The plan of a large JSON ``header`` and every input, decoded in the helper process."""
    return await call(_decode, bytes(header), bytes(binary), model, tuple(output_names))


def _no_cached_check(specs: object) -> tuple[int, tuple[Any, ...]]:
    """Headers this large are never cached, so ``plan_request`` never calls its check."""
    raise InvalidArgumentError("not checked in the decoding process")


def _decode(
    header: bytes, binary: bytes, model: str, output_names: tuple[str, ...]
) -> tuple[RequestPlan, dict[str, np.ndarray]]:
    plan = plan_request(header, model, output_names, _no_cached_check, {})
    inputs = {k: np.ascontiguousarray(v) for k, v in plan.read(binary).items()}
    return dataclasses.replace(plan, request=None), inputs
