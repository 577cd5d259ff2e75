# SPDX-License-Identifier: Apache-2.0
"""``mxserve serve --workers N``: processes sharing the ports, numbers summed over them, drain on
SIGTERM, restarts of a dead worker, and the settings that are refused."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mxserve
from mxserve.server import instances
from mxserve.server.config import read_model_config
from mxserve.server.instances import ModelVersion
from mxserve.server.layout import discover_versions
from server._serving import DIGITS, ROOT, Server, free_port, make_repo, unix_get

STORE = ROOT / "model_store"
MODEL = "digits_mlp"
BODY = json.dumps(
    {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.5] * 64}]}
).encode()
SUCCESS = f'nv_inference_request_success{{model="{MODEL}",version="1"}}'


def _serving(s: Server, n: int) -> dict[int, int]:
    """Waits until ``n`` workers serve; their pids by index (the latest process of each)."""
    found = s.wait_log(r"worker (\d+) \(pid (\d+)\) serving", count=n)
    return {int(m[1]): int(m[2]) for m in found}


def _socket_dir(s: Server) -> str:
    return s.wait_log(r"workers \(sockets in (\S+)\)")[0][1]


def _snapshot(s: Server, index: int) -> dict[str, Any]:
    """Worker ``index``'s own numbers, from its private Unix socket."""
    status, body = unix_get(os.path.join(_socket_dir(s), f"worker-{index}.sock"), "/snapshot")
    assert status == 200
    snap: dict[str, Any] = json.loads(body)
    return snap


def _infer_many(s: Server, total: int, threads: int) -> list[int]:
    """``total`` requests from ``threads`` threads, each on a new connection; their statuses."""
    statuses: list[int] = []

    def run(n: int) -> None:
        for _ in range(n):
            statuses.append(s.request("POST", f"/v2/models/{MODEL}/infer", BODY)[0])

    ts = [threading.Thread(target=run, args=(total // threads,)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return statuses


def test_workers_share_the_port_and_sum_their_numbers(serve: Callable[..., Server]) -> None:
    s = serve(STORE, "--workers", "2")
    pids = _serving(s, 2)
    assert len(set(pids.values())) == 2 and s.proc.pid not in pids.values()
    assert _infer_many(s, 200, 8) == [200] * 200

    # Each worker served part of the requests; its own snapshot (private socket) says how many.
    snaps = [_snapshot(s, i) for i in range(2)]
    assert [snap["pid"] for snap in snaps] == [pids[0], pids[1]]
    own = [snap["models"][0]["stats"] for snap in snaps]
    assert all(st["success"][0] > 0 for st in own), own
    assert sum(st["success"][0] for st in own) == 200

    # /metrics on either port and the statistics sum both workers, whichever answers.
    for port in (s.metrics_port, s.port):
        status, _, text = s.request("GET", "/metrics", port=port)
        assert status == 200
        lines = text.decode().splitlines()
        assert f"{SUCCESS} 200.0" in lines
        assert f'nv_inference_count{{model="{MODEL}",version="1"}} 200.0' in lines
        execs = sum(st["execution_count"] for st in own)
        assert f'nv_inference_exec_count{{model="{MODEL}",version="1"}} {float(execs)}' in lines
        assert (
            f'nv_inference_request_duration_histogram_us_count{{model="{MODEL}",version="1"}} 200.0'
            in lines
        )
        assert sum(x.startswith("nv_cpu_utilization ") for x in lines) == 1
        assert not any(
            x.split("{")[0].split(" ")[0].endswith(("_total", "_created")) for x in lines
        )
    for path in (
        "/v2/models/stats",
        f"/v2/models/{MODEL}/stats",
        f"/v2/models/{MODEL}/versions/1/stats",
    ):
        for _ in range(3):
            status, body = s.json("GET", path)
            assert status == 200
            (st,) = body["model_stats"]
            assert st["inference_stats"]["success"]["count"] == 200
            assert st["inference_stats"]["queue"]["count"] == 200
            assert st["inference_count"] == 200 and st["execution_count"] == execs
            assert sum(b["compute_infer"]["count"] for b in st["batch_stats"]) == execs

    # Connections opened at once (as a load generator opens them) are spread over the workers:
    # each worker has its own SO_REUSEPORT socket, and the kernel picks one by a hash of the
    # addresses, not by which worker wakes first.
    conns = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=30) for _ in range(64)]
    for c in conns:
        c.connect()
    for c in conns:
        c.request("POST", f"/v2/models/{MODEL}/infer", BODY)
    for c in conns:
        assert c.getresponse().status == 200
        c.close()
    more = [
        _snapshot(s, i)["models"][0]["stats"]["success"][0] - own[i]["success"][0] for i in (0, 1)
    ]
    assert sum(more) == 64 and min(more) >= 16, more  # binomial(64, 1/2) < 16: p = 1e-5

    # The snapshot route exists on the private sockets only.
    assert s.request("GET", "/snapshot")[0] == 404
    assert s.request("GET", "/snapshot", port=s.metrics_port)[0] == 404
    assert oct(os.stat(_socket_dir(s)).st_mode & 0o777) == "0o700"


def test_sigterm_drains_every_worker(serve: Callable[..., Server], tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "m",
        {
            "held": {
                "max_batch_size": 8,
                "dynamic_batching": {"max_queue_delay_microseconds": 3_000_000},
            }
        },
    )
    s = serve(repo, "--workers", "2")
    _serving(s, 2)
    body = BODY
    results: list[int] = []

    def call() -> None:
        results.append(s.request("POST", "/v2/models/held/infer", body)[0])

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    # All six are queued: the pending gauge is summed over the workers.
    key = 'nv_inference_pending_request_count{model="held",version="1"}'
    deadline = time.monotonic() + 10
    while s.metrics().get(key, 0) < 6:
        assert time.monotonic() < deadline, "requests never queued"
        time.sleep(0.02)
    s.proc.send_signal(signal.SIGTERM)
    s.wait_log(r"received SIGTERM: draining", count=2, timeout=5)
    assert s.request("GET", "/v2/health/ready")[0] == 503
    assert s.request("GET", "/v2/health/live")[0] == 200
    status, headers, answer = s.request("POST", "/v2/models/held/infer", body)
    assert status == 503 and "exiting" in json.loads(answer)["error"]
    for t in threads:
        t.join()
    assert results == [200] * 6
    assert s.proc.wait(20) == 0
    assert "all workers stopped" in s.log()
    assert not os.path.exists(_socket_dir(s))


def test_dead_worker_is_left_out_then_restarted(serve: Callable[..., Server]) -> None:
    # (A sibling that accepts but never answers is left out after the timeout: test_aggregate.)
    s = serve(STORE, "--workers", "2")
    pids = _serving(s, 2)
    os.kill(pids[1], signal.SIGKILL)
    s.wait_log(r"worker 1 \(pid \d+\) died \(killed by SIGKILL\); restarting", timeout=10)
    # Until it is back, worker 0 answers everything, leaving out the missing sibling.
    for _ in range(4):
        status, body = s.json("GET", f"/v2/models/{MODEL}/stats")
        assert status == 200 and body["model_stats"][0]["inference_count"] == 0
        assert s.request("GET", "/metrics", port=s.metrics_port)[0] == 200
    assert "worker-1.sock gave no snapshot" in s.log()
    restarted = _serving(s, 3)
    assert restarted[1] != pids[1] and restarted[0] == pids[0]
    assert _infer_many(s, 40, 4) == [200] * 40
    assert s.metrics()[SUCCESS] == 40
    counts = [_snapshot(s, i)["models"][0]["stats"]["success"][0] for i in range(2)]
    assert sum(counts) == 40 and all(counts), counts


# -- refused settings and start-up failures ----------------------------------------------------
def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    site = str(Path(mxserve.__file__).resolve().parent.parent)
    tests = str(ROOT / "tests")
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": os.pathsep.join([site, tests]), "PATH": "", **(env or {})},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--workers", "0"], {}, "workers must be an integer >= 1, got 0"),
        ([], {"MXSERVE_WORKERS": "-1"}, "workers must be an integer >= 1, got -1"),
        (["--workers", "2", "--model-control-mode", "explicit"], {}, "it needs --workers 1"),
        (["--workers", "2", "--enable-model-api"], {}, "it needs --workers 1"),
    ],
)
def test_bad_worker_settings_are_refused(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    ports = ["--http-port", str(free_port()), "--metrics-port", "0"]
    r = _run(["-m", "mxserve", "serve", "--model-store", str(STORE), *ports, *args], tmp_path, env)
    assert r.returncode == 1, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_port_in_use_stops_before_any_worker(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _run(
            [
                "-m",
                "mxserve",
                "serve",
                "--model-store",
                str(STORE),
                "--http-port",
                str(port),
                "--metrics-port",
                "0",
                "--workers",
                "2",
            ],
            tmp_path,
        )
    assert r.returncode == 1
    assert "cannot bind" in r.stderr and "started worker" not in r.stderr


SUPERVISE = """
import sys
from mxserve.server import workers
from mxserve.server.config import Settings
from server import _serving
workers.RESTART_BACKOFF_S = 0.05
workers.MAX_RESTARTS = 2
settings = Settings(
    http_port=int(sys.argv[1]), metrics_port=0, workers=int(sys.argv[2]), log_format="text"
)
sys.exit(workers.Supervisor(settings, getattr(_serving, sys.argv[3])).run())
"""


def test_worker_failing_at_start_is_not_restarted(tmp_path: Path) -> None:
    r = _run(["-c", SUPERVISE, str(free_port()), "2", "exit_at_start"], tmp_path)
    assert r.returncode == 1
    assert "failed to start (exit code 3); stopping the server" in r.stderr
    assert r.stderr.count("started worker") == 2


def test_worker_dying_again_and_again_stops_the_server(tmp_path: Path) -> None:
    r = _run(["-c", SUPERVISE, str(free_port()), "1", "exit_after_start"], tmp_path)
    assert r.returncode == 1
    assert r.stderr.count("died (exit code 5); restarting it in") == 2
    assert "3 times within 60 s: giving up" in r.stderr
    assert r.stderr.count("started worker 0") == 3


# -- threads -----------------------------------------------------------------------------------
def test_default_threads_divide_the_cores_among_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instances, "_cores", lambda: 8)
    config = read_model_config(DIGITS)
    assert config is not None and config.instance_count == 2
    (files,) = discover_versions(DIGITS, None)
    for workers, expected in ((1, 4), (2, 2), (4, 1), (16, 1)):
        mv = ModelVersion(MODEL, config, files, 0, workers)
        mv.load()
        assert mv.predictor_for({"data": (1, 64)}).info()["num_threads"] == expected
    explicit = ModelVersion(MODEL, config, files, 3, 2)  # --threads wins
    explicit.load()
    assert explicit.predictor_for({"data": (1, 64)}).info()["num_threads"] == 3
