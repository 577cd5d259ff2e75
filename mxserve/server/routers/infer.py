# SPDX-License-Identifier: Apache-2.0
"""``POST /v2/models/{m}[/versions/{v}]/infer``: JSON tensors and the binary tensor extension.

The handler stays thin: decode, validate, ``await batcher.submit()``, encode."""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ...errors import (
    DrainingError,
    InvalidArgumentError,
    MXServeError,
    PayloadTooLargeError,
    QueueFullError,
    QueueTimeoutError,
    RequestCancelledError,
)
from ..app import Receive, Scope, Send, error_response
from ..batching import Inputs, Outputs
from ..config import Settings
from ..protocol.binary import HEADER, raw_input, split_body
from ..protocol.plan import encode_response, plan_request
from ..repository import ModelRepository, ModelVersion
from .deps import (
    decode_body,
    encode_body,
    get_repo,
    get_settings,
    read_body,
    response_encoding,
)

log = logging.getLogger("mxserve.server")

router = APIRouter(prefix="/v2/models", tags=["inference"])


async def infer_arrays(
    repo: ModelRepository,
    mv: ModelVersion,
    inputs: Inputs,
    timeout_us: int = 0,
    checked: tuple[int, tuple[Any, ...]] | None = None,
    priority: int = 0,
    gone: Callable[[], bool] | None = None,
) -> Outputs:
    """Validates ``inputs`` (unless ``checked`` already holds their batch size and key), queues
    them on the model's batcher and keeps the statistics."""
    t0 = time.perf_counter_ns()
    queued = False
    try:
        if repo.draining:
            raise DrainingError("Server exiting: no new requests are accepted")
        batch, key = checked or mv.check_inputs(inputs)
        assert mv.batcher is not None
        queued = True
        outputs = await mv.batcher.submit(inputs, batch, key, timeout_us, priority, gone)
    except Exception as e:
        ns = time.perf_counter_ns() - t0
        if isinstance(e, QueueFullError | QueueTimeoutError):
            reason = "REJECTED"
        elif isinstance(e, RequestCancelledError):
            reason = "CANCELED"
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
        repo.metrics.for_model(mv.name, str(mv.version)).request_us.observe(ns / 1000)
    return outputs


async def process(
    repo: ModelRepository,
    model: str,
    version: str,
    header_length: str | None,
    body: bytes,
    gone: Callable[[], bool] | None = None,
) -> tuple[bytes, int | None]:
    """One inference request: (response body, JSON header length or None when all JSON)."""
    if repo.draining:
        raise DrainingError("Server exiting: no new requests are accepted")
    mv = repo.get(model, version or None)
    header, binary = split_body(body, header_length)
    if header_length is not None and not header:
        if len(mv.config.input) != 1:
            raise InvalidArgumentError(
                f"raw binary request needs a model with exactly one input, '{model}' has {len(mv.config.input)}"
            )
        t = mv.config.input[0]
        dims = ([1] if mv.config.max_batch_size > 0 else []) + list(t.dims)
        inputs = {t.name: raw_input(binary, t.name, t.datatype, dims)}
        plan_id, timeout, priority, checked = None, 0, 0, None
        wanted: tuple[tuple[str, bool], ...] = tuple((n, True) for n in mv.output_names)
    else:
        plan = plan_request(header, model, mv.output_names, mv.check_specs, mv.request_plans)
        inputs = plan.read(binary)
        plan_id, timeout, priority, checked, wanted = (
            plan.request_id,
            plan.timeout_us,
            plan.priority,
            plan.checked,
            plan.wanted,
        )
    outputs = await infer_arrays(repo, mv, inputs, timeout, checked, priority, gone)
    return encode_response(model, str(mv.version), plan_id, wanted, outputs, mv.response_heads)


def finish_response(
    payload: bytes, json_length: int | None, accept_encoding: str
) -> tuple[bytes, dict[str, str]]:
    """The body as sent (compressed when the client accepts it) and its headers, Content-Length
    aside: Content-Type, Content-Encoding, Inference-Header-Content-Length when outputs are binary."""
    coding = response_encoding(accept_encoding) if accept_encoding else None
    payload, coding = encode_body(payload, coding)
    headers = {
        "content-type": "application/json" if json_length is None else "application/octet-stream"
    }
    if coding is not None:
        headers["content-encoding"] = coding
    if json_length is not None:
        headers["inference-header-content-length"] = str(json_length)
    return payload, headers


@router.post("/{model}/infer")
@router.post("/{model}/versions/{version}/infer")
async def infer(request: Request, model: str, version: str = "") -> Response:
    """The FastAPI route (listed in the OpenAPI description); ``InferFastPath`` serves the same
    requests in ``serve()`` without FastAPI's routing and dependency overhead."""
    repo = get_repo(request)
    if repo.draining:
        raise DrainingError("Server exiting: no new requests are accepted")
    repo.get(model, version or None)
    body = await read_body(request, get_settings(request).max_request_bytes)
    payload, json_length = await process(repo, model, version, request.headers.get(HEADER), body)
    payload, headers = finish_response(
        payload, json_length, request.headers.get("accept-encoding", "")
    )
    return Response(payload, headers=headers)


def disconnect_probe(receive: Receive) -> Callable[[], bool] | None:
    """A cheap "has the client gone?" check for a queued request, or None where the server does
    not offer one. uvicorn's ``receive`` is a method of its per-request cycle object, whose
    ``disconnected`` flag turns true when the client closes the connection; reading it costs
    nothing per request, unlike a watcher task awaiting ``http.disconnect``."""
    cycle = getattr(receive, "__self__", None)
    if cycle is None or not isinstance(getattr(cycle, "disconnected", None), bool):
        return None
    return lambda: bool(cycle.disconnected)


_INFER_PATH = re.compile(r"^/v2/models/([^/]+)(?:/versions/([^/]+))?/infer$")


class InferFastPath:
    """Pure ASGI layer for ``POST /v2/models/{m}[/versions/{v}]/infer``, the hot path: the same
    ``process()`` as the FastAPI route and the same error rendering, minus the per-request cost
    of FastAPI's router (route matching, dependency solving, exception middleware)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.repo: ModelRepository = app.state.repo
        self.settings: Settings = app.state.settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        m = _INFER_PATH.match(scope["path"]) if scope["type"] == "http" else None
        if m is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        header_length = None
        encoding = ""
        accept = ""
        for k, v in scope["headers"]:
            if k == b"inference-header-content-length":  # ASGI servers lowercase header names
                header_length = v.decode("latin-1")
            elif k == b"content-encoding":
                encoding = v.decode("latin-1")
            elif k == b"accept-encoding":
                accept = v.decode("latin-1")
        limit = self.settings.max_request_bytes
        try:
            chunks = []
            size = 0
            more = True
            while more:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    return
                chunk = msg.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(f"request body exceeds the limit of {limit} bytes")
                chunks.append(chunk)
                more = msg.get("more_body", False)
            body = decode_body(b"".join(chunks), encoding, limit)
            payload, json_length = await process(
                self.repo, m[1], m[2] or "", header_length, body, disconnect_probe(receive)
            )
        except MXServeError as e:
            await error_response(e, self.settings)(scope, receive, send)
            return
        except Exception as e:
            log.error(
                "internal error on POST %s: %s",
                scope["path"],
                "".join(traceback.format_exception(e)),
                extra={"event": "internal_error"},
            )
            await JSONResponse({"error": "internal server error"}, status_code=500)(
                scope, receive, send
            )
            return
        payload, named = finish_response(payload, json_length, accept)
        headers = [(b"content-length", str(len(payload)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in named.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
