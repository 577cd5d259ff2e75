# SPDX-License-Identifier: Apache-2.0
"""MXNet Model Server / TorchServe compatible endpoints.

Inference: ``GET /ping``, ``POST /predictions/{m}[/{v}]``, ``POST /invocations?model_name=``.
Management: ``GET /models``, ``GET /models/{m}``; ``POST /models?url=`` and ``DELETE /models/{m}``
only with ``--enable-model-api`` (``url`` may only name a directory of the model store).
Errors use MMS's body ``{"code", "type", "message"}``.

A prediction body is an image (JPEG/PNG), a multipart form, ``.npy``, JSON or raw tensor bytes
(``image_input.py``); the answer is ``{output: nested list}``, or MMS's top-k
``[{"class", "probability"}]`` when an output has labels. ``MmsFastPath`` serves the prediction
routes in ``serve()`` as a pure ASGI layer, with the same code as the FastAPI routes here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ...errors import (
    ConflictError,
    InternalError,
    InvalidArgumentError,
    ModelNotFoundError,
    MXServeError,
    PayloadTooLargeError,
    UnavailableError,
)
from ..config import MODEL_NAME, Settings
from ..dataplane import DataPlane, InferRequest
from ..errors_render import log_internal, mms_error
from ..lifecycle import ModelEntry, ModelRepository
from ..mms_codec import codec_for
from .deps import (
    decode_body,
    disconnect_probe,
    get_dataplane,
    get_repo,
    get_settings,
    read_body,
)

router = APIRouter(tags=["mms"])


@router.get("/ping")
async def ping(request: Request) -> JSONResponse:
    repo = get_repo(request)
    if repo.draining:
        return JSONResponse({"status": "Unhealthy"}, status_code=503)
    if repo.ready():
        return JSONResponse({"status": "Healthy"})
    return JSONResponse({"status": "Partial Healthy"}, status_code=500)


async def predict(
    plane: DataPlane,
    model: str,
    version: str,
    body: bytes,
    content_type: str,
    gone: Callable[[], bool] | None = None,
) -> bytes:
    """One MMS prediction: the body decoded for the model (``image_input``), run through the
    data plane, answered as JSON (top-k classes when an output has labels)."""
    await plane.repo.wait_loaded()
    mv = plane.version(model, version)
    codec = codec_for(mv)
    inputs = await codec.decode_async(body, content_type)
    outputs = await plane.infer(mv, InferRequest(inputs, gone=gone))
    return codec.encode(outputs)


def _only_model(repo: ModelRepository) -> str:
    ready = [n for n, e in repo.models.items() if e.versions]
    if len(ready) != 1:
        raise InvalidArgumentError("give ?model_name= (more than one model is loaded)")
    return ready[0]


async def _predict(request: Request, model: str, version: str | None) -> Response:
    plane = get_dataplane(request)
    try:
        await plane.repo.wait_loaded()
        plane.version(model, version or "")
        body = await read_body(request, get_settings(request).max_request_bytes)
        payload = await predict(
            plane,
            model,
            version or "",
            body,
            request.headers.get("content-type", ""),
            disconnect_probe(request.receive),
        )
    except MXServeError as e:
        return mms_error(e)
    return Response(payload, media_type="application/json")


@router.post("/predictions/{model}")
async def predictions(request: Request, model: str) -> Response:
    return await _predict(request, model, None)


@router.post("/predictions/{model}/{version}")
async def predictions_version(request: Request, model: str, version: str) -> Response:
    return await _predict(request, model, version)


@router.post("/invocations")
async def invocations(request: Request, model_name: str = "") -> Response:
    try:
        model_name = model_name or _only_model(get_repo(request))
    except MXServeError as e:
        return mms_error(e)
    return await _predict(request, model_name, None)


_PREDICT_PATH = re.compile(r"^/predictions/([^/]+)(?:/([^/]+))?$")


class MmsFastPath:
    """Pure ASGI layer for ``POST /predictions/{m}[/{v}]`` and ``POST /invocations``, the MMS
    hot path: the same ``predict()`` and error rendering as the FastAPI routes above, without
    FastAPI's per-request routing, dependency solving and exception middleware. Every other
    request goes on to ``inner``."""

    def __init__(self, app: FastAPI, inner: ASGIApp) -> None:
        self.inner = inner
        self.plane: DataPlane = app.state.dataplane
        self.settings: Settings = app.state.settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.inner(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/predictions/"):
            m = _PREDICT_PATH.match(path)
            if m is None:
                await self.inner(scope, receive, send)
                return
            model, version = m[1], m[2] or ""
        elif path == "/invocations":
            model, version = "", ""
        else:
            await self.inner(scope, receive, send)
            return
        content_type = encoding = ""
        for k, v in scope["headers"]:
            if k == b"content-type":  # ASGI servers lowercase header names
                content_type = v.decode("latin-1")
            elif k == b"content-encoding":
                encoding = v.decode("latin-1")
        try:
            if not model:
                query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
                model = (query.get("model_name") or [""])[0] or _only_model(self.plane.repo)
            body = await _receive_body(receive, self.settings.max_request_bytes)
            if body is None:  # the client went away
                return
            body = decode_body(body, encoding, self.settings.max_request_bytes)
            payload = await predict(
                self.plane, model, version, body, content_type, disconnect_probe(receive)
            )
        except MXServeError as e:
            await mms_error(e)(scope, receive, send)
            return
        except Exception as e:
            log_internal(f"POST {path}", e)
            await mms_error(InternalError("internal server error"))(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


async def _receive_body(receive: Receive, limit: int) -> bytes | None:
    """The request body (None when the client disconnected); over ``limit`` bytes: 413."""
    chunks = []
    size = 0
    more = True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return None
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
        more = msg.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _describe(entry: ModelEntry) -> dict[str, Any]:
    mv = entry.versions[max(entry.versions)] if entry.versions else None
    cfg = mv.config if mv else None
    db = cfg.dynamic_batching if cfg else None
    workers = cfg.instance_count if cfg else 0
    return {
        "modelName": entry.name,
        "modelVersion": str(mv.version) if mv else "",
        "modelUrl": entry.path.name,
        "engine": "MXNet",
        "runtime": "mxserve",
        "minWorkers": workers,
        "maxWorkers": workers,
        "batchSize": cfg.max_batch_size if cfg else 0,
        "maxBatchDelay": (db.max_queue_delay_microseconds // 1000) if db else 0,
        "status": entry.state,
        "reason": entry.reason,
        "workers": [{"id": str(i), "status": "READY"} for i in range(workers)],
        "jobQueueStatus": {"pendingRequests": mv.batcher.pending if mv and mv.batcher else 0},
    }


@router.get("/models")
async def list_models(request: Request, limit: int = 100, next_page_token: int = 0) -> JSONResponse:
    entries = sorted(get_repo(request).models.values(), key=lambda e: e.name)
    page = entries[next_page_token : next_page_token + limit]
    out: dict[str, Any] = {"models": [{"modelName": e.name, "modelUrl": e.path.name} for e in page]}
    if next_page_token + limit < len(entries):
        out["nextPageToken"] = str(next_page_token + limit)
    return JSONResponse(out)


@router.get("/models/{model}")
async def describe_model(request: Request, model: str) -> Response:
    entry = get_repo(request).models.get(model)
    if entry is None:
        return mms_error(ModelNotFoundError(f"Model not found: {model}"))
    return JSONResponse([_describe(entry)])


@router.post("/models")
async def register_model(request: Request, url: str = "", model_name: str = "") -> Response:
    repo = get_repo(request)
    settings = get_settings(request)
    try:
        if not settings.enable_model_api:
            raise UnavailableError(
                "the model management API is disabled (start with --enable-model-api)"
            )
        store = settings.model_store
        if (
            store is None
            or not url
            or "/" in url
            or "\\" in url
            or ".." in url
            or not MODEL_NAME.match(url)
        ):
            raise InvalidArgumentError(
                f"url '{url}' must name a model directory in the model store"
            )
        if not (store / url).is_dir():
            raise ModelNotFoundError(f"no model directory '{url}' in the model store")
        name = model_name or url
        if not MODEL_NAME.match(name):
            raise InvalidArgumentError(f"invalid model name '{name}'")
        # One registration per name at a time: a second one while the first loads is a 409,
        # as is one for a name already loaded (concurrent loads would leave orphans).
        registering: set[str] | None = getattr(request.app.state, "mms_registering", None)
        if registering is None:
            registering = request.app.state.mms_registering = set()
        if name in registering or (name in repo.models and repo.models[name].versions):
            raise ConflictError(f"Model {name} is already registered.")
        registering.add(name)
        try:
            repo.models[name] = ModelEntry(name, store / url, renamed=name != url)
            entry = await repo.load(name)
            if entry.state != "READY":
                reason = entry.reason
                del repo.models[name]
                raise InvalidArgumentError(f"failed to register '{name}': {reason}")
        finally:
            registering.discard(name)
    except MXServeError as e:
        return mms_error(e)
    return JSONResponse({"status": f'Model "{name}" registered'})


@router.delete("/models/{model}")
async def unregister_model(request: Request, model: str) -> Response:
    repo = get_repo(request)
    try:
        if not get_settings(request).enable_model_api:
            raise UnavailableError(
                "the model management API is disabled (start with --enable-model-api)"
            )
        await repo.unload(model)
        del repo.models[model]
    except MXServeError as e:
        return mms_error(e)
    return JSONResponse({"status": f'Model "{model}" unregistered'})
