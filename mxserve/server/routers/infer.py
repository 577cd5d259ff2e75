# SPDX-License-Identifier: Apache-2.0
"""``POST /v2/models/{m}[/versions/{v}]/infer``: JSON tensors and the binary tensor extension.

The handler stays thin: decode, validate, ``await batcher.submit()``, encode."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...errors import DrainingError, InvalidArgumentError, QueueFullError, QueueTimeoutError
from ..batching import Inputs, Outputs
from ..config import NUMPY_TO_OIP
from ..protocol.binary import (
    HEADER,
    encode_response,
    parse_request,
    raw_input,
    read_inputs,
    split_body,
    to_le_bytes,
)
from ..repository import ModelRepository, ModelVersion
from .deps import get_repo, get_settings, read_body

router = APIRouter(prefix="/v2/models", tags=["inference"])


async def infer_arrays(
    repo: ModelRepository, mv: ModelVersion, inputs: Inputs, timeout_us: int = 0
) -> Outputs:
    """Validates ``inputs``, queues them on the model's batcher and keeps the statistics."""
    t0 = time.perf_counter_ns()
    queued = False
    try:
        if repo.draining:
            raise DrainingError("Server exiting: no new requests are accepted")
        batch, key = mv.check_inputs(inputs)
        assert mv.batcher is not None
        queued = True
        outputs = await mv.batcher.submit(inputs, batch, key, timeout_us)
    except Exception as e:
        ns = time.perf_counter_ns() - t0
        if isinstance(e, QueueFullError | QueueTimeoutError):
            reason = "REJECTED"
        elif queued and not isinstance(e, DrainingError):
            reason = "BACKEND"
        else:
            reason = "OTHER"
        mv.stats.fail.add(ns)
        mv.stats.failures[reason] += 1
        raise
    ns = time.perf_counter_ns() - t0
    mv.stats.success.add(ns)
    if repo.metrics is not None:
        repo.metrics.request_us.labels(mv.name, str(mv.version)).observe(ns / 1000)
    return outputs


def _timeout_us(params: dict[str, Any]) -> int:
    t = params.get("timeout", 0)
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise InvalidArgumentError(
            f"parameter 'timeout' must be a non-negative integer (microseconds), got {t!r}"
        )
    return t


@router.post("/{model}/infer")
@router.post("/{model}/versions/{version}/infer")
async def infer(request: Request, model: str, version: str = "") -> Response:
    repo = get_repo(request)
    settings = get_settings(request)
    if repo.draining:
        raise DrainingError("Server exiting: no new requests are accepted")
    mv = repo.get(model, version or None)
    body = await read_body(request, settings.max_request_bytes)
    header_length = request.headers.get(HEADER)  # Starlette's Headers are case-insensitive
    header, binary = split_body(body, header_length)
    request_id: str | None = None
    timeout = 0
    if header_length is not None and not header:
        if len(mv.config.input) != 1:
            raise InvalidArgumentError(
                f"raw binary request needs a model with exactly one input, '{model}' has {len(mv.config.input)}"
            )
        t = mv.config.input[0]
        dims = ([1] if mv.config.max_batch_size > 0 else []) + list(t.dims)
        inputs = {t.name: raw_input(binary, t.name, t.datatype, dims)}
        wanted = [(n, True) for n in mv.output_names]
    else:
        req = parse_request(header)
        request_id = req.id
        inputs = read_inputs(req, binary)
        params = req.parameters or {}
        timeout = _timeout_us(params)
        default_binary = params.get("binary_data_output") is True
        if req.outputs:
            known = set(mv.output_names)
            wanted = []
            for o in req.outputs:
                if o.name not in known:
                    raise InvalidArgumentError(
                        f"unexpected inference output '{o.name}' for model '{model}'"
                    )
                flag = (o.parameters or {}).get("binary_data", default_binary)
                wanted.append((o.name, flag is True))
        else:
            wanted = [(n, default_binary) for n in mv.output_names]
    outputs = await infer_arrays(repo, mv, inputs, timeout)
    entries: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    for name, as_binary in wanted:
        a = outputs[name]
        entry: dict[str, Any] = {
            "name": name,
            "datatype": NUMPY_TO_OIP.get(a.dtype.name, a.dtype.name),
            "shape": list(a.shape),
        }
        if as_binary:
            raw = to_le_bytes(a)
            entry["parameters"] = {"binary_data_size": len(raw)}
            blobs.append(raw)
        else:
            entry["data"] = a.reshape(-1).tolist()
        entries.append(entry)
    head: dict[str, Any] = {"model_name": model, "model_version": str(mv.version)}
    if request_id is not None:
        head["id"] = request_id
    head["outputs"] = entries
    payload, json_length = encode_response(head, blobs)
    if json_length is None:
        return Response(payload, media_type="application/json")
    return Response(
        payload,
        media_type="application/octet-stream",
        headers={"Inference-Header-Content-Length": str(json_length)},
    )
