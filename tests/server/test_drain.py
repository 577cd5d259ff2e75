# SPDX-License-Identifier: Apache-2.0
"""Graceful shutdown: on SIGTERM readiness turns false, liveness stays true, new requests get 503,
and every request already accepted gets its answer before the process exits."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from server._serving import Server, make_repo

BODY = json.dumps(
    {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.5] * 64}]}
).encode()


def _wait_pending(server: Server, model: str, n: int) -> None:
    key = f'nv_inference_pending_request_count{{model="{model}",version="1"}}'
    deadline = time.monotonic() + 10
    while server.metrics().get(key, 0) < n:
        assert time.monotonic() < deadline, "requests never queued"
        time.sleep(0.01)


def test_sigterm_drains_in_flight_requests(serve: Callable[..., Server], tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "m",
        {
            "held": {
                "max_batch_size": 8,
                "dynamic_batching": {"max_queue_delay_microseconds": 3_000_000},
            }
        },
    )
    s = serve(repo)
    assert s.request("GET", "/v2/health/ready")[0] == 200
    results: list[tuple[int, bytes]] = []

    def call() -> None:
        status, _, body = s.request("POST", "/v2/models/held/infer", BODY)
        results.append((status, body))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    _wait_pending(s, "held", 4)
    s.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while s.request("GET", "/v2/health/ready")[0] == 200:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    status, headers, _ = s.request("GET", "/v2/health/ready")
    assert status == 503
    assert s.request("GET", "/v2/health/live")[0] == 200
    status, headers, body = s.request("POST", "/v2/models/held/infer", BODY)
    assert status == 503 and "exiting" in json.loads(body)["error"] and headers["retry-after"]
    for t in threads:
        t.join()
    assert [r[0] for r in results] == [200] * 4
    outs = [np.array(json.loads(b)["outputs"][0]["data"]) for _, b in results]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    assert s.proc.wait(20) == 0
    assert "draining" in s.log()


def test_exit_timeout_bounds_the_drain(serve: Callable[..., Server], tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "m",
        {
            "stuck": {
                "max_batch_size": 8,
                "dynamic_batching": {"max_queue_delay_microseconds": 30_000_000},
            }
        },
    )
    s = serve(repo, "--exit-timeout-secs", "1")
    results: list[int] = []
    t = threading.Thread(
        target=lambda: results.append(s.request("POST", "/v2/models/stuck/infer", BODY)[0])
    )
    t.start()
    _wait_pending(s, "stuck", 1)
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    s.proc.wait(20)
    t.join()
    assert time.monotonic() - t0 < 10
    assert "Exit timeout expired" in s.log()
    assert results and results[0] != 200


def test_sigterm_drains_grpc_requests_too(serve: Callable[..., Server], tmp_path: Path) -> None:
    import tritonclient.grpc as tg
    from tritonclient.utils import InferenceServerException

    repo = make_repo(
        tmp_path / "m",
        {
            "held": {
                "max_batch_size": 8,
                "dynamic_batching": {"max_queue_delay_microseconds": 3_000_000},
            }
        },
    )
    s = serve(repo)
    c = tg.InferenceServerClient(s.grpc_address)
    x = tg.InferInput("data", [1, 64], "FP32")
    x.set_data_from_numpy(np.full((1, 64), 0.5, np.float32))
    answers: list[object] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(c.infer("held", [x]).as_numpy("dense2_fwd_output"))
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    _wait_pending(s, "held", 3)
    s.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while c.is_server_ready():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert c.is_server_live()
    with pytest.raises(InferenceServerException) as e:
        c.infer("held", [x])
    assert str(e.value.status()) == "StatusCode.UNAVAILABLE" and "exiting" in e.value.message()
    for t in threads:
        t.join()
    assert len(answers) == 3  # the queued gRPC requests were answered before the exit
    c.close()
    assert s.proc.wait(20) == 0
