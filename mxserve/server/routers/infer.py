# SPDX-License-Identifier: Apache-2.0
"""``POST /v2/models/{m}[/versions/{v}]/infer``: JSON tensors and the binary tensor extension.

The handler stays thin: decode, validate, ``await batcher.submit()``, encode."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from ...errors import InvalidArgumentError, MXServeError, PayloadTooLargeError
from .. import offload
from ..config import Settings
from ..dataplane import DataPlane, InferRequest
from ..errors_render import error_response, internal_error_response
from ..protocol.binary import HEADER, raw_input, split_body
from ..protocol.plan import encode_response, plan_request
from ..shared_memory import TensorRef
from .deps import (
    decode_body,
    disconnect_probe,
    encode_body,
    get_dataplane,
    get_settings,
    read_body,
    response_encoding,
)

router = APIRouter(prefix="/v2/models", tags=["inference"])


async def process(
    plane: DataPlane,
    model: str,
    version: str,
    header_length: str | None,
    body: bytes,
    gone: Callable[[], bool] | None = None,
) -> tuple[bytes, int | None]:
    """One inference request: (response body, JSON header length or None when all JSON)."""
    await plane.repo.wait_loaded()
    mv = plane.version(model, version)
    header, binary = split_body(body, header_length)
    if header_length is not None and not header:
        if len(mv.config.input) != 1:
            raise InvalidArgumentError(
                f"raw binary request needs a model with exactly one input, '{model}' has "
                f"{len(mv.config.input)}"
            )
        t = mv.config.input[0]
        dims = ([1] if mv.config.max_batch_size > 0 else []) + list(t.dims)
        request = InferRequest({t.name: raw_input(binary, t.name, t.datatype, dims)}, gone=gone)
        plan_id = None
        wanted: tuple[tuple[str, bool], ...] = tuple((n, True) for n in mv.output_names)
        shm_outputs: tuple[tuple[str, TensorRef], ...] = ()
    else:
        if len(header) > offload.OFFLOAD_JSON_BYTES:  # decoded away from the event loop
            plan, inputs = await offload.decode(header, binary, model, mv.output_names)
        else:
            plan = plan_request(header, model, mv.output_names, mv.check_specs, mv.request_plans)
            inputs = plan.read(binary, plane.shm)
        request = InferRequest(inputs, plan.timeout_us, plan.priority, plan.checked, gone)
        plan_id, wanted, shm_outputs = plan.request_id, plan.wanted, plan.shm_outputs
    outputs = await plane.infer(mv, request)
    in_shm = plane.write_shm_outputs(shm_outputs, outputs) if shm_outputs else None
    return encode_response(
        model, str(mv.version), plan_id, wanted, outputs, mv.response_heads, in_shm
    )


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
    """The FastAPI route (listed in the OpenAPI description): the same ``process()`` as
    ``InferFastPath``, which serves these requests in ``serve()`` without FastAPI's routing and
    dependency overhead, with the same cancellation when the client disconnects."""
    plane = get_dataplane(request)
    await plane.repo.wait_loaded()
    plane.version(model, version)
    body = await read_body(request, get_settings(request).max_request_bytes)
    payload, json_length = await process(
        plane, model, version, request.headers.get(HEADER), body, disconnect_probe(request.receive)
    )
    payload, headers = finish_response(
        payload, json_length, request.headers.get("accept-encoding", "")
    )
    return Response(payload, headers=headers)


_INFER_PATH = re.compile(r"^/v2/models/([^/]+)(?:/versions/([^/]+))?/infer$")


class InferFastPath:
    """Pure ASGI layer for ``POST /v2/models/{m}[/versions/{v}]/infer``, the hot path: the same
    ``process()`` as the FastAPI route and the same error rendering, minus the per-request cost
    of FastAPI's router (route matching, dependency solving, exception middleware)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.plane: DataPlane = app.state.dataplane
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
                self.plane, m[1], m[2] or "", header_length, body, disconnect_probe(receive)
            )
        except MXServeError as e:
            await error_response(e, self.settings)(scope, receive, send)
            return
        except Exception as e:
            await internal_error_response(f"POST {scope['path']}", e)(scope, receive, send)
            return
        payload, named = finish_response(payload, json_length, accept)
        headers = [(b"content-length", str(len(payload)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in named.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
