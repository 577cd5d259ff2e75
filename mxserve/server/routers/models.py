# SPDX-License-Identifier: Apache-2.0
"""Model metadata, config and statistics (with several worker processes: summed over them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ..aggregate import Aggregator
from ..dataplane import DataPlane
from ..lifecycle import ModelRepository
from .deps import get_aggregator, get_dataplane, get_repo

router = APIRouter(prefix="/v2/models", tags=["models"])
Repo = Annotated[ModelRepository, Depends(get_repo)]
Agg = Annotated[Aggregator | None, Depends(get_aggregator)]
Plane = Annotated[DataPlane, Depends(get_dataplane)]


@router.get("/stats")
async def all_stats(plane: Plane, agg: Agg) -> dict[str, Any]:
    return await plane.statistics(list(plane.repo.versions()), agg)


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
async def model_stats(plane: Plane, agg: Agg, model: str, version: str = "") -> dict[str, Any]:
    return await plane.statistics(plane.versions_of(model, version), agg)
