# SPDX-License-Identifier: Apache-2.0
"""Server metadata and health: ``GET /v2``, ``/v2/health/live``, ``/v2/health/ready``, model ready."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from ..lifecycle import ModelRepository
from .deps import get_repo

router = APIRouter(prefix="/v2", tags=["health"])
Repo = Annotated[ModelRepository, Depends(get_repo)]

EXTENSIONS = [
    "binary_tensor_data",
    "schedule_policy",
    "model_configuration",
    "model_repository",
    "statistics",
    "parameters",
    "system_shared_memory",
]


@router.get("")
async def server_metadata() -> dict[str, object]:
    from ... import __version__

    return {"name": "mxserve", "version": __version__, "extensions": EXTENSIONS}


@router.get("/health/live")
async def live() -> JSONResponse:
    """200 while the process can serve, draining included (a liveness probe must not kill a
    draining server)."""
    return JSONResponse({"live": True})


@router.get("/health/ready")
async def ready(repo: Repo) -> Response:
    """200 when every model loaded at start is READY; 503 while the models to load at start are
    still loading and while draining, 400 otherwise."""
    if repo.draining:
        return JSONResponse({"ready": False}, status_code=503, headers={"Retry-After": "1"})
    if not repo.loaded:
        return JSONResponse(
            {"ready": False, "reason": "the model repository is still loading"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    ok = repo.ready()
    return JSONResponse({"ready": ok}, status_code=200 if ok else 400)


@router.get("/models/{model}/ready")
@router.get("/models/{model}/versions/{version}/ready")
async def model_ready(repo: Repo, model: str, version: str = "") -> Response:
    repo.entry(model)  # 404 for an unknown model
    try:
        repo.get(model, version or None)
    except Exception:
        return JSONResponse({"error": "Model version not ready"}, status_code=400)
    if repo.draining:
        return JSONResponse(
            {"name": model, "ready": False}, status_code=503, headers={"Retry-After": "1"}
        )
    return JSONResponse({"name": model, "ready": True})
