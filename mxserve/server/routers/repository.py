# SPDX-License-Identifier: Apache-2.0
"""Model repository extension: index, and load/unload in explicit model control mode."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...errors import InvalidArgumentError
from .deps import get_repo, get_settings, parse_json, read_body

router = APIRouter(prefix="/v2/repository", tags=["repository"])


async def _json_body(request: Request) -> dict[str, Any]:
    body = await read_body(request, get_settings(request).max_request_bytes)
    if not body.strip():
        return {}
    data = parse_json(body)
    if not isinstance(data, dict):
        raise InvalidArgumentError("the request body must be a JSON object")
    return data


@router.post("/index")
async def index(request: Request) -> JSONResponse:
    body = await _json_body(request)
    repo = get_repo(request)
    await repo.wait_loaded()  # the start-up loads' outcome, not the state before they ran
    return JSONResponse(repo.index(ready_only=body.get("ready") is True))


@router.post("/models/{model}/load")
async def load(request: Request, model: str) -> JSONResponse:
    repo = get_repo(request)
    repo.require_explicit()
    params = (await _json_body(request)).get("parameters") or {}
    if not isinstance(params, dict):
        raise InvalidArgumentError("the load request's 'parameters' must be a JSON object")
    await repo.load_requested(model, params)
    return JSONResponse({})


@router.post("/models/{model}/unload")
async def unload(request: Request, model: str) -> JSONResponse:
    repo = get_repo(request)
    repo.require_explicit()
    await _json_body(request)
    await repo.unload_requested(model)
    return JSONResponse({})
