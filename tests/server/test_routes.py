# SPDX-License-Identifier: Apache-2.0
"""The FastAPI app in-process (``create_app`` + httpx.AsyncClient): the routes behind the ASGI
fast path give the same answers, and several apps live in one process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import numpy as np

from mxserve.server import Settings, create_app
from server._serving import make_repo


def test_fastapi_infer_route_and_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "m", {"d": {"max_batch_size": 4}})
    settings = Settings(model_store=repo, metrics_port=None)

    async def main() -> None:
        apps = [create_app(settings), create_app(settings)]
        async with (
            apps[0].router.lifespan_context(apps[0]),
            apps[1].router.lifespan_context(apps[1]),
        ):
            a, b = (
                httpx.AsyncClient(transport=httpx.ASGITransport(app=x), base_url="http://t")
                for x in apps
            )
            x = np.zeros((2, 64), np.float32)
            raw = x.tobytes()
            head = json.dumps(
                {
                    "inputs": [
                        {
                            "name": "data",
                            "shape": [2, 64],
                            "datatype": "FP32",
                            "parameters": {"binary_data_size": len(raw)},
                        }
                    ],
                    "id": "7",
                }
            ).encode()
            r = await a.post(
                "/v2/models/d/infer",
                content=head + raw,
                headers={"inference-header-content-length": str(len(head))},
            )
            assert (
                r.status_code == 200
                and r.json()["id"] == "7"
                and r.json()["outputs"][0]["shape"] == [2, 10]
            )
            r = await b.post("/v2/models/d/versions/1/infer", content=b"{")
            assert r.status_code == 400 and set(r.json()) == {"error"}
            r = await b.post("/v2/models/zz/infer", json={"inputs": []})
            assert r.status_code == 404
            assert (await a.get("/v2/health/ready")).status_code == 200
            assert "nv_inference_count" in (await a.get("/metrics")).text
            await a.aclose()
            await b.aclose()

    asyncio.run(main())
