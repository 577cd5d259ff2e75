# SPDX-License-Identifier: Apache-2.0
"""``GET /metrics`` on the main listener too (the metrics port serves the same text).

With several worker processes the numbers are summed over all of them (``aggregate.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..aggregate import Aggregator
from ..metrics import CONTENT_TYPE, Metrics
from .deps import get_aggregator, get_metrics

router = APIRouter(tags=["metrics"])


@router.get("/metrics")
async def metrics(
    m: Annotated[Metrics, Depends(get_metrics)],
    agg: Annotated[Aggregator | None, Depends(get_aggregator)],
) -> Response:
    body = await agg.render() if agg is not None else m.render()
    return Response(body, media_type=CONTENT_TYPE)
