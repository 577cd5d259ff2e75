# SPDX-License-Identifier: Apache-2.0
"""``GET /metrics`` on the main listener too (the metrics port serves the same text)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..metrics import CONTENT_TYPE, Metrics
from .deps import get_metrics

router = APIRouter(tags=["metrics"])


@router.get("/metrics")
async def metrics(m: Annotated[Metrics, Depends(get_metrics)]) -> Response:
    return Response(m.render(), media_type=CONTENT_TYPE)
