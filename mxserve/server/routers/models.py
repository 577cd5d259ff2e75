# SPDX-License-Identifier: Apache-2.0
"""Model metadata, config and statistics (with several worker processes: summed over them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ..aggregate import Aggregator
from ..instances import ModelVersion
from ..lifecycle import ModelRepository
from .deps import get_aggregator, get_repo

router = APIRouter(prefix="/v2/models", tags=["models"])
Repo = Annotated[ModelRepository, Depends(get_repo)]
Agg = Annotated[Aggregator | None, Depends(get_aggregator)]


async def _stats_json(agg: Aggregator | None, versions: list[ModelVersion]) -> dict[str, Any]:
    """Triton's statistics of ``versions``: this process's, or the sum over the workers."""
    merged = await agg.model_stats() if agg is not None else {}
    return {
        "model_stats": [
            merged.get((mv.name, str(mv.version)), mv.stats).to_json(mv.name, str(mv.version))
            for mv in versions
        ]
    }


@router.get("/stats")
async def all_stats(repo: Repo, agg: Agg) -> dict[str, Any]:
    return await _stats_json(agg, list(repo.versions()))


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
async def model_stats(repo: Repo, agg: Agg, model: str, version: str = "") -> dict[str, Any]:
    if version:
        versions = [repo.get(model, version)]
    else:
        repo.get(model)  # 404 / 400 as for inference
        versions = list(repo.entry(model).versions.values())
    return await _stats_json(agg, versions)
