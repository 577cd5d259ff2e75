# SPDX-License-Identifier: Apache-2.0
"""Honest health and operations (issue 11): the server listens while it loads and is not ready
until the loads are done; counters that never go backwards when a worker is replaced; a hung
worker is replaced; large JSON bodies are decoded away from the event loop; a cap on the total
of buffered request bodies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mxserve
from server._serving import DIGITS, ROOT, Server, free_port, make_repo, stop_server, unix_get

MODEL = "digits_mlp"
SUCCESS = f'nv_inference_request_success{{model="{MODEL}",version="1"}}'

#: Runs `mxserve serve` with every model version's load held until the file GATE exists.
GATED_SERVE = """
import os, sys, time
from mxserve.server import instances
gate, argv = sys.argv[1], sys.argv[2:]
original = instances.ModelVersion.load
def load(self):
    while not os.path.exists(gate):
        time.sleep(0.02)
    original(self)
instances.ModelVersion.load = load
from mxserve.cli import main
sys.exit(main(argv))
"""


def _launch(code: str, extra: list[str], args: list[str], log_dir: Path) -> Server:
    port, metrics_port = free_port(), free_port()
    cmd = [sys.executable, "-c", code, *extra, "serve", "--http-port", str(port)]
    cmd += ["--metrics-port", str(metrics_port), "--host", "127.0.0.1", "--log-format", "text"]
    cmd += ["--threads", "1", *args]
    site = str(Path(mxserve.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, os.environ.get("PYTHONPATH", "")]))
    log_path = log_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=log_dir)
    return Server(proc, port, metrics_port, log_path)


def _wait_live(s: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert s.proc.poll() is None, s.log()
        try:
            if s.request("GET", "/v2/health/live", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"not live within {timeout} s:\n{s.log()}")


def test_ready_is_503_while_the_repository_loads(tmp_path: Path) -> None:
    store = make_repo(tmp_path / "store", {"a": None, "b": None})
    gate = tmp_path / "gate"
    s = _launch(GATED_SERVE, [str(gate)], ["--model-store", str(store)], tmp_path)
    try:
        _wait_live(s)  # answers while every load is held
        status, headers, body = s.request("GET", "/v2/health/ready")
        assert status == 503 and headers.get("retry-after") == "1", body
        assert b"still loading" in body
        s.wait_log(r"loading model 'a'")
        s.wait_log(r"loading model 'b'")
        # An inference request that arrives meanwhile waits for the loads, then is answered.
        import threading

        got: list[int] = []
        body = _infer_body(400)
        held = threading.Thread(
            target=lambda: got.append(s.request("POST", "/v2/models/a/infer", body)[0])
        )
        held.start()
        held.join(1.0)
        assert got == [] and s.request("GET", "/v2/health/ready")[0] == 503
        gate.touch()
        held.join(120)
        assert got == [200]
        deadline = time.monotonic() + 60
        while s.request("GET", "/v2/health/ready")[0] != 200:
            assert time.monotonic() < deadline, s.log()
            time.sleep(0.05)
        s.wait_log(r"loaded model 'a' versions \[1\]")
        s.wait_log(r"loaded model 'b' versions \[1\]")
    finally:
        stop_server(s)


def test_a_warm_up_is_logged_per_model(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    warmup = [{"name": "w", "batch_size": 2, "inputs": {"data": {"data_type": "TYPE_FP32",
                                                                 "dims": [64], "zero_data": True}}}]
    cfg = {"max_batch_size": 8, "input": [{"name": "data", "dims": [64]}], "model_warmup": warmup}
    store = make_repo(tmp_path / "store", {"warm": cfg})
    s = serve(store)
    s.wait_log(r"model 'warm' version 1: warming up \(1 sample\(s\)\)")
    assert (DIGITS / "1").is_dir()


def _infer_body(size: int) -> bytes:
    """A valid v2 JSON request for the digits model, padded with spaces to ``size`` bytes."""
    import json

    body = json.dumps(
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.5] * 64}]}
    ).encode()
    return body + b" " * (size - len(body))


def test_buffered_request_bodies_have_a_cap(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    import socket

    store = make_repo(tmp_path / "store", {"digits": None})
    s = serve(store, "--max-buffered-bytes", "100000")
    headers = {"Content-Type": "application/json"}
    status, got, body = s.request("POST", "/v2/models/digits/infer", _infer_body(150000), headers)
    assert status == 503 and got.get("retry-after") == "1", body
    assert b"--max-buffered-bytes" in body and b"100000" in body
    # A body still arriving holds its bytes: a second one that would cross the cap is refused
    # until the first has been answered.
    first = _infer_body(60000)
    held = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    try:
        held.sendall(
            b"POST /v2/models/digits/infer HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
            b"\r\nContent-Length: 60000\r\n\r\n" + first[:1000]
        )
        deadline = time.monotonic() + 30
        while True:
            status, _, body = s.request(
                "POST", "/v2/models/digits/infer", _infer_body(60000), headers
            )
            if status == 503:
                break
            assert status == 200 and time.monotonic() < deadline, body
            time.sleep(0.05)
        assert b"buffering 60000 bytes" in body, body
        held.sendall(first[1000:])
        assert held.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        held.close()
    status, _, body = s.request("POST", "/v2/models/digits/infer", _infer_body(60000), headers)
    assert status == 200, body


def _serving(s: Server, index: int, count: int) -> int:
    """The pid of worker ``index``'s ``count``-th process, once it serves."""
    found = [m for m in s.wait_log(r"worker (\d+) \(pid (\d+)\) serving") if int(m[1]) == index]
    deadline = time.monotonic() + 120
    while len(found) < count:
        assert time.monotonic() < deadline, s.log()
        time.sleep(0.1)
        found = [
            m for m in s.wait_log(r"worker (\d+) \(pid (\d+)\) serving") if int(m[1]) == index
        ]
    return int(found[count - 1][2])


def _own_successes(s: Server, index: int) -> int:
    folder = s.wait_log(r"workers \(sockets in (\S+)\)")[0][1]
    status, body = unix_get(os.path.join(folder, f"worker-{index}.sock"), "/snapshot")
    assert status == 200
    import json

    rows = json.loads(body)["models"]
    return sum(r["stats"]["success"][0] for r in rows)


def test_counters_stay_monotonic_when_a_worker_is_replaced(serve) -> None:  # type: ignore[no-untyped-def]
    s = serve(ROOT / "model_store", "--workers", "2")
    pids = [_serving(s, i, 1) for i in range(2)]
    body = _infer_body(300)
    sent = 0
    while min(_own_successes(s, i) for i in range(2)) == 0:  # until both served some
        assert sent < 2000
        for _ in range(20):
            assert s.request("POST", f"/v2/models/{MODEL}/infer", body)[0] == 200
        sent += 20
    before = s.metrics()[SUCCESS]
    assert before == sent
    victim = max(range(2), key=lambda i: _own_successes(s, i))
    os.kill(pids[victim], signal.SIGKILL)
    _serving(s, victim, 2)
    assert s.metrics()[SUCCESS] == before  # the dead worker's numbers are still in the sum
    for _ in range(10):
        assert s.request("POST", f"/v2/models/{MODEL}/infer", body)[0] == 200
    assert s.metrics()[SUCCESS] == before + 10


def test_a_hung_worker_is_replaced(serve) -> None:  # type: ignore[no-untyped-def]
    s = serve(ROOT / "model_store", "--workers", "2")
    hung = _serving(s, 0, 1)
    _serving(s, 1, 1)
    os.kill(hung, signal.SIGSTOP)
    try:
        s.wait_log(rf"worker 0 \(pid {hung}\) answered no heartbeat for \d+ s", timeout=90)
        replaced = _serving(s, 0, 2)
        assert replaced != hung
    finally:
        try:
            os.kill(hung, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert _own_successes(s, 0) == 0  # the new process answers on worker 0's socket
    body = _infer_body(300)
    assert all(
        s.request("POST", f"/v2/models/{MODEL}/infer", body)[0] == 200 for _ in range(10)
    )


#: Runs `mxserve serve` with the event loop's own JSON decoder stuck on headers over 1 MiB: only
#: a decoder elsewhere lets such a request, and the probes sent meanwhile, be answered.
STUCK_DECODER = """
import sys, threading
from mxserve.server.routers import infer
original = infer.plan_request
def plan_request(header, *args):
    if len(header) > (1 << 20):
        threading.Event().wait()
    return original(header, *args)
infer.plan_request = plan_request
from mxserve.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_large_json_bodies_are_decoded_off_the_event_loop(tmp_path: Path) -> None:
    import json
    import threading

    import numpy as np

    store = make_repo(tmp_path / "store", {"digits": None})
    s = _launch(STUCK_DECODER, [], ["--model-store", str(store)], tmp_path)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (1000, 64)).astype(np.float32)
    body = json.dumps(
        {"inputs": [{"name": "data", "shape": [1000, 64], "datatype": "FP32",
                     "data": x.ravel().tolist()}]}
    ).encode()
    assert len(body) > 1 << 20
    try:
        _wait_live(s)
        got: list[tuple[int, dict[str, str], bytes]] = []
        t = threading.Thread(
            target=lambda: got.append(
                s.request("POST", "/v2/models/digits/infer", body, timeout=300)
            )
        )
        t.start()
        for _ in range(5):
            assert s.request("GET", "/v2/health/live", timeout=30)[0] == 200
        t.join(300)
        status, _, answer = got[0]
        assert status == 200, answer
        small = json.dumps(
            {"inputs": [{"name": "data", "shape": [2, 64], "datatype": "FP32",
                         "data": x[:2].ravel().tolist()}]}
        ).encode()
        status, _, expected = s.request("POST", "/v2/models/digits/infer", small)
        assert status == 200
        out = np.array(json.loads(answer)["outputs"][0]["data"]).reshape(1000, -1)
        ref = np.array(json.loads(expected)["outputs"][0]["data"]).reshape(2, -1)
        np.testing.assert_allclose(out[:2], ref, rtol=1e-5, atol=1e-6)
        status, _, bad = s.request(
            "POST", "/v2/models/digits/infer", body.replace(b'"FP32"', b'"FP99"'), timeout=300
        )
        assert status == 400 and b"FP99" in bad, bad
    finally:
        stop_server(s)


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_a_dead_workers_listeners_close_with_it(serve) -> None:  # type: ignore[no-untyped-def]
    """Found by the soak run: the supervisor kept its copies of each worker's SO_REUSEPORT
    listeners, so connections the kernel gave a dead worker's listener waited there until the
    supervisor noticed the death, and were then reset. Once a worker serves, only it holds them."""
    s = serve(ROOT / "model_store", "--workers", "2")
    first = _serving(s, 1, 1)
    _serving(s, 0, 1)
    listening = _listening_inodes(s.port)
    assert len(listening) == 2  # one listener per worker
    assert not listening & _socket_inodes(s.proc.pid)
    assert listening & _socket_inodes(first)
    os.kill(first, signal.SIGKILL)
    second = _serving(s, 1, 2)
    listening = _listening_inodes(s.port)
    assert not listening & _socket_inodes(s.proc.pid)
    assert listening & _socket_inodes(second)
