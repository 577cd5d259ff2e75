# SPDX-License-Identifier: Apache-2.0
"""Shared memory extensions over HTTP: ``v2/systemsharedmemory`` (register, unregister, status)
and ``v2/cudasharedmemory`` (no region is ever registered: registering answers 501)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...errors import InvalidArgumentError
from ..shared_memory import cuda_unsupported
from .deps import get_dataplane, read_json_object

router = APIRouter(prefix="/v2", tags=["shared memory"])



@router.get("/systemsharedmemory/status")
@router.get("/systemsharedmemory/region/{name}/status")
async def system_status(request: Request, name: str = "") -> JSONResponse:
    return JSONResponse(get_dataplane(request).shm.status(name))


@router.post("/systemsharedmemory/region/{name}/register")
async def system_register(request: Request, name: str) -> JSONResponse:
    body = await read_json_object(request)
    key = body.get("key")
    if not isinstance(key, str):
        raise InvalidArgumentError("register needs 'key', the shared memory object's name")
    get_dataplane(request).shm.register(name, key, body.get("offset", 0), body.get("byte_size", -1))
    return JSONResponse({})


@router.post("/systemsharedmemory/unregister")
@router.post("/systemsharedmemory/region/{name}/unregister")
async def system_unregister(request: Request, name: str = "") -> JSONResponse:
    get_dataplane(request).shm.unregister(name)
    return JSONResponse({})


@router.get("/cudasharedmemory/status")
@router.get("/cudasharedmemory/region/{name}/status")
async def cuda_status(name: str = "") -> JSONResponse:
    if name:
        raise cuda_unsupported()
    return JSONResponse([])


@router.post("/cudasharedmemory/region/{name}/register")
async def cuda_register(name: str) -> JSONResponse:
    raise cuda_unsupported()


@router.post("/cudasharedmemory/unregister")
@router.post("/cudasharedmemory/region/{name}/unregister")
async def cuda_unregister(name: str = "") -> JSONResponse:
    return JSONResponse({})
