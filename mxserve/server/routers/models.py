# SPDX-License-Identifier: Apache-2.0
"""Model metadata, config and statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ..repository import ModelRepository
from .deps import get_repo

router = APIRouter(prefix="/v2/models", tags=["models"])
Repo = Annotated[ModelRepository, Depends(get_repo)]


@router.get("/stats")
async def all_stats(repo: Repo) -> dict[str, Any]:
    return {"model_stats": [mv.stats.to_json(mv.name, str(mv.version)) for mv in repo.versions()]}


@router.get("/{model}")
@router.get("/{model}/versions/{version}")
async def metadata(repo: Repo, model: str, version: str = "") -> dict[str, Any]:
    mv = repo.get(model, version or None)
    return mv.metadata(sorted(repo.entry(model).versions))


@router.get("/{model}/config")
@router.get("/{model}/versions/{version}/config")
async def config(repo: Repo, model: str, version: str = "") -> dict[str, Any]:
    return repo.get(model, version or None).config.to_triton_json()


@router.get("/{model}/stats")
@router.get("/{model}/versions/{version}/stats")
async def model_stats(repo: Repo, model: str, version: str = "") -> dict[str, Any]:
    if version:
        versions = [repo.get(model, version)]
    else:
        repo.get(model)  # 404 / 400 as for inference
        versions = list(repo.entry(model).versions.values())
    return {"model_stats": [mv.stats.to_json(mv.name, str(mv.version)) for mv in versions]}
