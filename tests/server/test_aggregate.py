# SPDX-License-Identifier: Apache-2.0
"""Worker snapshots and their sum (``mxserve.server.aggregate``), in one process."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from mxserve.server.aggregate import Aggregator, add_stats, merge, stats_to_json
from mxserve.server.app import PortDispatch
from mxserve.server.metrics import Metrics, ModelStats

Row = tuple[str, str, ModelStats, int, float]


def _worker(success: int, batches: list[int], load: float, last_ms: int) -> tuple[Metrics, Row]:
    s = ModelStats()
    for _ in range(success):
        s.success.add(1000)
    for b in batches:
        s.record_batch(b, 10, 20, 30)
    s.last_inference_ms = last_ms
    s.failures["REJECTED"] = 1
    row: Row = ("m", "1", s, 2, load)
    m = Metrics(lambda: [row])
    h = m.for_model("m", "1")
    for _ in range(success):
        h.request_us.observe(120)
    for b in batches:
        h.batch_size.observe(b)
    return m, row


def _without_cpu(text: bytes) -> list[str]:
    return [x for x in text.decode().splitlines() if not x.startswith("nv_cpu_")]


def test_stats_json_keeps_every_field() -> None:
    s = ModelStats()
    s.success.add(5, 2)
    s.fail.add(7)
    s.failures["BACKEND"] = 3
    s.record_batch(4, 1, 2, 3)
    s.record_batch(1, 4, 5, 6)
    total = ModelStats()
    add_stats(total, json.loads(json.dumps(stats_to_json(s))))
    assert total == s


def test_merge_sums_counts_and_keeps_the_largest_times() -> None:
    a_metrics, a = _worker(3, [2, 2], load=0.5, last_ms=100)
    b_metrics, b = _worker(5, [2, 4], load=0.7, last_ms=90)
    snaps = [
        Aggregator(lambda: [a], a_metrics, []).snapshot(),
        Aggregator(lambda: [b], b_metrics, []).snapshot(),
    ]
    merged = merge(json.loads(json.dumps(snaps)))  # as they travel between workers
    ((model, version, s, pending, load),) = merged.rows
    assert (model, version, pending, load) == ("m", "1", 4, 0.7)
    assert s.success.count == 8 and s.success.ns == 8000
    assert s.failures["REJECTED"] == 2 and s.failures["BACKEND"] == 0
    assert s.inference_count == 10 and s.execution_count == 4
    assert s.last_inference_ms == 100
    assert {b: row[1].count for b, row in s.batch_stats.items()} == {2: 3, 4: 1}
    hist = {f.name: f for f in merged.histograms}
    samples = {
        (x.name, x.labels.get("le")): x.value for x in hist["nv_inference_batch_size"].samples
    }
    assert samples[("nv_inference_batch_size_bucket", "2.0")] == 3
    assert samples[("nv_inference_batch_size_bucket", "4.0")] == 4
    assert samples[("nv_inference_batch_size_count", None)] == 4
    assert samples[("nv_inference_batch_size_sum", None)] == 10
    assert not any(x.name.endswith("_created") for f in merged.histograms for x in f.samples)


def test_one_worker_renders_as_the_process_itself() -> None:
    metrics, row = _worker(3, [2, 4], load=0.5, last_ms=100)
    agg = Aggregator(lambda: [row], metrics, [])
    assert _without_cpu(asyncio.run(agg.render())) == _without_cpu(metrics.render())


def test_sum_of_two_workers_renders_every_family_once() -> None:
    a_metrics, a = _worker(3, [2], load=0.5, last_ms=1)
    b_metrics, b = _worker(5, [4], load=0.7, last_ms=2)
    agg = Aggregator(lambda: [a], a_metrics, [])
    other = Aggregator(lambda: [b], b_metrics, [])
    text = agg.render_merged(merge([agg.snapshot(), other.snapshot()])).decode()
    assert 'nv_inference_request_success{model="m",version="1"} 8.0' in text
    assert 'nv_inference_pending_request_count{model="m",version="1"} 4.0' in text
    assert 'nv_model_load_duration_secs{model="m",version="1"} 0.7' in text
    assert 'nv_inference_request_duration_histogram_us_count{model="m",version="1"} 8.0' in text
    assert 'nv_inference_batch_size_bucket{le="4.0",model="m",version="1"} 2.0' in text
    assert text.count("# TYPE nv_inference_batch_size histogram") == 1
    assert text.count("\nnv_cpu_utilization ") == 1


def test_silent_siblings_are_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    metrics, row = _worker(3, [2], load=0.5, last_ms=1)
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # accepts, never answers
    mute.bind(str(tmp_path / "mute.sock"))
    mute.listen()
    try:
        agg = Aggregator(
            lambda: [row], metrics, [str(tmp_path / "gone.sock"), str(tmp_path / "mute.sock")], 0.3
        )
        t0 = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="mxserve.server"):
            stats = asyncio.run(agg.model_stats())
        assert time.monotonic() - t0 < 2
    finally:
        mute.close()
    assert stats[("m", "1")].success.count == 3
    assert sum("gave no snapshot" in r.getMessage() for r in caplog.records) == 2


def _call(app: Any, scope: dict[str, Any]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], sent[1]["body"]


def test_snapshot_is_served_on_the_private_socket_only() -> None:
    metrics, row = _worker(3, [2], load=0.5, last_ms=1)
    agg = Aggregator(lambda: [row], metrics, [])

    def app(tag: bytes) -> Any:
        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 299, "headers": []})
            await send({"type": "http.response.body", "body": tag})

        return asgi

    dispatch = PortDispatch(app(b"main"), app(b"metrics"), 8002, agg, "/d/worker-0.sock")

    def get(path: str, server: tuple[str, int | None]) -> tuple[int, bytes]:
        return _call(dispatch, {"type": "http", "method": "GET", "path": path, "server": server})

    status, body = get("/snapshot", ("/d/worker-0.sock", None))
    assert status == 200 and json.loads(body)["models"][0]["stats"]["success"][0] == 3
    assert get("/metrics", ("/d/worker-0.sock", None))[0] == 404
    assert get("/snapshot", ("127.0.0.1", 8000)) == (299, b"main")
    assert get("/snapshot", ("127.0.0.1", 8002)) == (299, b"metrics")
