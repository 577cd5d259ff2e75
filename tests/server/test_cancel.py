# SPDX-License-Identifier: Apache-2.0
"""A request whose client disconnects while it is queued is dropped before it runs (failure
reason CANCELED), and the server goes on serving."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

from server._serving import Server, make_repo


def test_disconnected_client_request_never_runs(
    tmp_path: Path, serve: Callable[..., Server]
) -> None:
    store = make_repo(
        tmp_path / "store",
        {
            "d": {
                "max_batch_size": 8,
                "dynamic_batching": {
                    "max_queue_delay_microseconds": 1_500_000,
                    "preferred_batch_size": [8],
                },
            }
        },
    )
    s = serve(store)
    body = json.dumps(
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.5] * 64}]}
    ).encode()
    head = (
        f"POST /v2/models/d/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", s.port)) as c:
        c.sendall(head + body)
        time.sleep(0.3)  # queued, waiting out the 1.5 s batch delay
    key = '{model="d",reason="CANCELED",version="1"}'
    deadline = time.monotonic() + 10
    while s.metrics().get(f"nv_inference_request_failure{key}", 0) < 1:
        assert time.monotonic() < deadline, "the cancelled request was not counted"
        time.sleep(0.1)
    m = s.metrics()
    assert m['nv_inference_exec_count{model="d",version="1"}'] == 0  # never executed
    status, out = s.json("POST", "/v2/models/d/infer", json.loads(body))
    assert status == 200 and out["outputs"][0]["shape"] == [1, 10]
