# SPDX-License-Identifier: Apache-2.0
"""MXNet Model Server / TorchServe compatible endpoints.

Inference: ``GET /ping``, ``POST /predictions/{m}[/{v}]``, ``POST /invocations?model_name=``.
Management: ``GET /models``, ``GET /models/{m}``; ``POST /models?url=`` and ``DELETE /models/{m}``
only with ``--enable-model-api`` (``url`` may only name a directory of the model store).
Errors use MMS's body ``{"code", "type", "message"}``.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ...errors import (
    ConflictError,
    InvalidArgumentError,
    ModelNotFoundError,
    MXServeError,
    UnavailableError,
)
from ..config import MODEL_NAME
from ..dataplane import InferRequest
from ..errors_render import mms_error
from ..instances import ModelVersion
from ..lifecycle import ModelEntry
from ..protocol.binary import parse_request, read_inputs
from ..protocol.v2 import MAX_DIMS
from .deps import (
    disconnect_probe,
    get_dataplane,
    get_repo,
    get_settings,
    parse_json,
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


def _as_batch(mv: ModelVersion, name: str, a: np.ndarray) -> np.ndarray:
    t = next(t for t in mv.config.input if t.name == name)
    a = a.astype(t.numpy_dtype, copy=False)
    if mv.config.max_batch_size > 0 and a.ndim == len(t.dims):
        a = a[np.newaxis]
    return a


def _load_npy(body: bytes) -> np.ndarray:
    """A ``.npy`` body; 400 for a malformed one, or one whose header claims more data than the
    body holds (checked before numpy allocates the array)."""
    f = io.BytesIO(body)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        if dtype.hasobject:
            raise ValueError("object arrays are not accepted")
        if len(shape) > MAX_DIMS or math.prod(shape) * dtype.itemsize != len(body) - f.tell():
            raise ValueError(f"its header's shape {shape} of {dtype} does not match its data")
        f.seek(0)
        return np.load(f, allow_pickle=False)
    except (ValueError, EOFError, OSError, TypeError, SyntaxError) as e:
        raise InvalidArgumentError(f"malformed .npy request body: {e}") from None


def _decode(
    mv: ModelVersion, body: bytes, content_type: str, header_len: str | None
) -> dict[str, np.ndarray]:
    names = [t.name for t in mv.config.input]
    if body.startswith(b"\x93NUMPY"):
        if len(names) != 1:
            raise InvalidArgumentError(f"a .npy body needs a model with one input, it has {names}")
        return {names[0]: _as_batch(mv, names[0], _load_npy(body))}
    if "json" in content_type or body.lstrip()[:1] in (b"{", b"["):
        data = parse_json(body)
        if isinstance(data, dict) and isinstance(data.get("inputs"), list):
            return read_inputs(parse_request(body), b"")
        if isinstance(data, dict):
            if "data" in data and len(names) == 1 and names[0] != "data":
                data = {names[0]: data["data"]}
            unknown = sorted(set(data) - set(names))
            if unknown:
                raise InvalidArgumentError(
                    f"unknown input(s) {unknown}; model '{mv.name}' takes {names}"
                )
            items = data
        else:
            if len(names) != 1:
                raise InvalidArgumentError(
                    f"a bare JSON array needs a model with one input, it has {names}"
                )
            items = {names[0]: data}
        try:
            return {n: _as_batch(mv, n, np.asarray(v)) for n, v in items.items()}
        except (ValueError, TypeError) as e:
            raise InvalidArgumentError(f"input data is not a numeric array: {e}") from None
    if len(names) != 1:
        raise InvalidArgumentError(f"a raw body needs a model with one input, it has {names}")
    t = mv.config.input[0]
    dtype = np.dtype(t.numpy_dtype).newbyteorder("<")
    if len(body) % dtype.itemsize or not body:
        raise InvalidArgumentError(
            f"raw body of {len(body)} bytes is not a whole number of {t.datatype} values"
        )
    a = np.frombuffer(body, dtype=dtype).astype(dtype.newbyteorder("="))
    per = int(np.prod(t.dims)) if all(d > 0 for d in t.dims) else 0
    if per and a.size % per == 0:
        shape = ([a.size // per] if mv.config.max_batch_size > 0 else []) + list(t.dims)
        if mv.config.max_batch_size == 0 and a.size != per:
            raise InvalidArgumentError(
                f"raw body has {a.size} values, input '{t.name}' needs {per}"
            )
        return {t.name: a.reshape(shape)}
    raise InvalidArgumentError(
        f"raw body of {a.size} values does not fit input '{t.name}' dims {t.dims}"
    )


async def _predict(request: Request, model: str, version: str | None) -> Response:
    plane = get_dataplane(request)
    try:
        await plane.repo.wait_loaded()
        mv = plane.repo.get(model, version)
        body = await read_body(request, get_settings(request).max_request_bytes)
        inputs = _decode(mv, body, request.headers.get("content-type", ""), None)
        gone = disconnect_probe(request.receive)
        outputs = await plane.infer(mv, InferRequest(inputs, gone=gone))
    except MXServeError as e:
        return mms_error(e)
    return JSONResponse({name: outputs[name].tolist() for name in mv.output_names})


@router.post("/predictions/{model}")
async def predictions(request: Request, model: str) -> Response:
    return await _predict(request, model, None)


@router.post("/predictions/{model}/{version}")
async def predictions_version(request: Request, model: str, version: str) -> Response:
    return await _predict(request, model, version)


@router.post("/invocations")
async def invocations(request: Request, model_name: str = "") -> Response:
    repo = get_repo(request)
    if not model_name:
        ready = [n for n, e in repo.models.items() if e.versions]
        if len(ready) != 1:
            return mms_error(
                InvalidArgumentError("give ?model_name= (more than one model is loaded)")
            )
        model_name = ready[0]
    return await _predict(request, model_name, None)


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
