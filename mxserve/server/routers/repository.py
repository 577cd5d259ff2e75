# SPDX-License-Identifier: Apache-2.0
"""Model repository extension: index, and load/unload in explicit model control mode."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...errors import InvalidArgumentError
from .deps import get_repo, read_json_object

router = APIRouter(prefix="/v2/repository", tags=["repository"])



@router.post("/index")
async def index(request: Request) -> JSONResponse:
    body = await read_json_object(request)
    repo = get_repo(request)
    await repo.wait_loaded()  # the start-up loads' outcome, not the state before they ran
    return JSONResponse(repo.index(ready_only=body.get("ready") is True))


@router.post("/models/{model}/load")
async def load(request: Request, model: str) -> JSONResponse:
    repo = get_repo(request)
    repo.require_explicit()
    params = (await read_json_object(request)).get("parameters") or {}
    if not isinstance(params, dict):
        raise InvalidArgumentError("the load request's 'parameters' must be a JSON object")
    await repo.load_requested(model, params)
    return JSONResponse({})


@router.post("/models/{model}/unload")
async def unload(request: Request, model: str) -> JSONResponse:
    repo = get_repo(request)
    repo.require_explicit()
    await read_json_object(request)
    await repo.unload_requested(model)
    return JSONResponse({})
