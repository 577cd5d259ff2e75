# SPDX-License-Identifier: Apache-2.0
"""Soak and chaos runs of `mxserve serve` (marker `soak`, not in the default run):

    pytest -m soak tests/soak -s          # the figures are printed; see docs/reliability.md

* ``test_soak``: MXSERVE_SOAK_REQUESTS (default 100,000) requests at concurrency 64 across three
  models on ``--workers 2``, with one worker killed (SIGKILL) at 20 % and a hot reload (a new
  version of one model, poll mode) at 50 %. Every request must succeed except deliberate overload
  (429/503 from a full queue); a request whose connection the killed worker took down is sent
  again (at most twice, half a second apart) on a new connection, as a client or load balancer
  retries an idempotent call, and counted. The server's resident memory (every process) may
  grow less than 5 % between 30 % (once the killed worker's successor serves) and the end.
* ``test_sigterm_with_500_requests_in_flight``: 500 requests held in a batcher's queue, then
  SIGTERM: every one is answered 200 and the server exits 0.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from server._serving import DIGITS, Server, make_repo, start_server, stop_server

pytestmark = pytest.mark.soak

MODELS = ("a", "b", "c")
BODY = json.dumps(
    {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.25] * 64}]}
).encode()
OVERLOAD = (429, 503)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total


class _Load:
    """``total`` requests from ``concurrency`` threads on keep-alive connections."""

    def __init__(self, s: Server, total: int, concurrency: int) -> None:
        self.s, self.total, self.concurrency = s, total, concurrency
        self.next = 0
        self.done = 0
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.retried = 0
        self.answers: dict[str, bytes] = {}

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= self.total:
                return None
            self.next += 1
            return self.next - 1

    def _one(self, conn: http.client.HTTPConnection, model: str) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"}
        conn.request("POST", f"/v2/models/{model}/infer", BODY, headers)
        r = conn.getresponse()
        return r.status, r.read()

    def worker(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=60)
        while (i := self._take()) is not None:
            model = MODELS[i % len(MODELS)]
            answer = None
            for attempt in range(3):  # the first try, and two after a reset by the kill
                try:
                    answer = self._one(conn, model)
                    break
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=60)
                    with self.lock:
                        if attempt == 2:
                            self.errors.append(f"request {i}: {type(e).__name__}: {e}")
                        else:
                            self.retried += 1
                    time.sleep(0.5)  # the dying worker's listener is gone by then
            if answer is None:
                continue
            status, body = answer
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.done += 1
                if status == 200:
                    out = json.loads(body)["outputs"][0]["data"]
                    key = json.dumps(out).encode()
                    first = self.answers.setdefault(model, key)
                    if key != first:
                        self.errors.append(f"request {i}: a different answer for {model}")
                elif status not in OVERLOAD:
                    self.errors.append(f"request {i}: {status} {body[:200]!r}")
        conn.close()


def test_soak(tmp_path: Path) -> None:
    total = int(os.environ.get("MXSERVE_SOAK_REQUESTS", "100000"))
    cfg = {"max_batch_size": 64, "dynamic_batching": {"max_queue_delay_microseconds": 200}}
    store = make_repo(tmp_path / "store", {m: cfg for m in MODELS})
    s = start_server(
        store, "--workers", "2", "--model-control-mode", "poll", "--repository-poll-secs", "1",
        "--no-access-log", log_dir=tmp_path, timeout=180,
    )
    try:
        pids = {int(m[1]): int(m[2]) for m in s.wait_log(r"worker (\d+) \(pid (\d+)\) serving", 2)}
        load = _Load(s, total, 64)
        threads = [threading.Thread(target=load.worker) for _ in range(load.concurrency)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        marks: dict[str, Any] = {}
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
            done = load.done
            if "kill" not in marks and done >= total * 0.2:
                os.kill(pids[1], signal.SIGKILL)
                marks["kill"] = done
            restarted = len(s.wait_log(r"worker \d \(pid \d+\) serving", 2))
            if "base_rss" not in marks and done >= total * 0.3 and restarted >= 3:
                marks["base_rss"] = _tree_rss_kb(s.proc.pid)
            if "reload" not in marks and done >= total * 0.5:
                shutil.copytree(DIGITS / "1", store / "b" / "2")
                marks["reload"] = done
        secs = time.monotonic() - t0
        final_rss = _tree_rss_kb(s.proc.pid)
        s.wait_log(r"loaded model 'b' versions \[2\]")
        s.wait_log(r"worker 1 \(pid \d+\) serving", 2)
        growth = final_rss / marks["base_rss"] - 1
        overload = sum(n for st, n in load.statuses.items() if st in OVERLOAD)
        print(
            f"\nsoak: {total} requests in {secs:.0f} s ({total / secs:.0f}/s) at concurrency 64, "
            f"statuses {load.statuses}, overload {overload}, retried after the kill "
            f"{load.retried}, errors {len(load.errors)}; RSS {marks['base_rss'] // 1024} MiB at "
            f"30 % -> {final_rss // 1024} MiB at the end ({growth * 100:+.1f} %)"
        )
        assert load.errors == [], load.errors[:20]
        assert sum(load.statuses.values()) == total
        assert load.retried <= load.concurrency  # only the connections the kill took down
        assert growth < 0.05
    finally:
        stop_server(s)


def test_sigterm_with_500_requests_in_flight(tmp_path: Path) -> None:
    n = 500
    cfg = {
        "max_batch_size": 1024,
        "dynamic_batching": {
            "max_queue_delay_microseconds": 5_000_000,
            "default_queue_policy": {"max_queue_size": 2048},
        },
    }
    store = make_repo(tmp_path / "store", {"held": cfg})
    s = start_server(store, "--no-access-log", log_dir=tmp_path, timeout=180)
    request = (
        b"POST /v2/models/held/infer HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
    )
    socks = []
    try:
        for _ in range(n):
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=120)
            sock.sendall(request)
            socks.append(sock)
        pending = 'nv_inference_pending_request_count{model="held",version="1"}'
        deadline = time.monotonic() + 60
        while s.metrics().get(pending, 0) < n:  # every request sits in the queue
            assert time.monotonic() < deadline, s.metrics().get(pending)
            time.sleep(0.05)
        s.proc.send_signal(signal.SIGTERM)
        statuses = []
        for sock in socks:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            statuses.append(data.split(b" ", 2)[1] if data else b"no answer")
        code = s.proc.wait(120)
        lost = n - statuses.count(b"200")
        print(f"\nsigterm: {n} requests in flight, {statuses.count(b'200')} answered 200, "
              f"{lost} lost; exit status {code}")
        assert statuses == [b"200"] * n
        assert code == 0
    finally:
        for sock in socks:
            sock.close()
        stop_server(s)
