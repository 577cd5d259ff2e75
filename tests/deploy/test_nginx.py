# SPDX-License-Identifier: Apache-2.0
"""Three ``mxserve serve`` replicas behind nginx (Debian's nginx, started by the test on
loopback with its own config; marker ``deploy``): the throughput of 1, 2 and 3 replicas under
the same closed-loop load, and a replica drained with SIGTERM under load without a lost request
(nginx passes the 503s of the draining replica, and its refused connections once it is gone, to
the other replicas).

    apt-get install -y nginx && pytest -m deploy tests/deploy/test_nginx.py -s

The throughput load is wrk (C, one thread) where it is installed, so that the load generator
leaves the cores to the replicas; otherwise Python clients. The figures are printed
(docs/deployment.md has those of one run); nothing asserts a speed.
"""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from server._serving import Server, free_port, start_server, stop_server

pytestmark = pytest.mark.deploy

REPO = pathlib.Path(__file__).resolve().parents[2]
BODY = json.dumps(
    {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.25] * 64}]}
)
CLIENTS = 8


def _nginx() -> str:
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if path is None:
        pytest.fail("nginx is not installed (apt-get install -y nginx)")
    return path


class Nginx:
    """nginx on a free loopback port in front of ``upstreams``, all files in ``folder``."""

    def __init__(self, folder: pathlib.Path, upstreams: list[int]) -> None:
        self.folder = folder
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstreams
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"""{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream mxserve {{
    least_conn;
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://mxserve;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A draining replica answers 503 before it runs anything, and a stopped one refuses the
      # connection: both are safe to retry on another replica, POST included.
      proxy_next_upstream error timeout http_503 non_idempotent;
      proxy_next_upstream_tries 3;
    }}
  }}
}}
"""
        )
        with open(folder / "stderr.log", "wb") as stderr:
            self.proc = subprocess.Popen(
                [_nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (folder / "stderr.log").read_text()
            try:
                if _get(self.port, "/v2/health/live") == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start:\n" + (folder / "error.log").read_text())

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


#: One load process: THREADS closed-loop clients, each on its own keep-alive connection, for
#: SECONDS; prints the status of every answer (-1: no answer) and the seconds it ran, as JSON.
CLIENT = """
import http.client, json, sys, threading, time
port, threads, seconds, body = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
start = time.monotonic()
stop, results = start + seconds, []

def client():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop:
        try:
            conn.request("POST", "/v2/models/digits_mlp/infer", body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            ok = r.status == 200 and len(json.loads(data)["outputs"][0]["data"]) == 10
            results.append(200 if ok else r.status)
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            results.append(-1)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()

ts = [threading.Thread(target=client) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(json.dumps({"results": results, "seconds": time.monotonic() - start}))
"""
#: Load processes (the clients are Python too: more than one so the GIL is not the limit).
PROCESSES = 2


def _load(
    port: int, seconds: float, during: Callable[[], None] | None = None
) -> tuple[list[int], float]:
    """Runs the load for ``seconds`` (calling ``during()`` meanwhile); every answer's status
    and the longest time a load process ran (from its first request to its last answer)."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CLIENT,
                str(port),
                str(CLIENTS // PROCESSES),
                str(seconds),
                BODY,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    if during is not None:
        during()
    results: list[int] = []
    ran = 0.0
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 120)
        assert proc.returncode == 0
        report = json.loads(out)
        results += report["results"]
        ran = max(ran, report["seconds"])
    return results, ran


#: wrk (Debian's package) for the throughput load, None where it is not installed.
WRK = shutil.which("wrk")
#: wrk's request: the same JSON body as the Python clients.
WRK_SCRIPT = f"""
wrk.method = "POST"
wrk.path = "/v2/models/digits_mlp/infer"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {json.dumps(BODY)}
"""


def _wrk_load(port: int, seconds: float, folder: pathlib.Path) -> float:
    """Requests per second of wrk (one thread, CLIENTS connections) for ``seconds``; fails on
    any socket error or non-2xx answer."""
    script = folder / "body.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        [
            str(WRK),
            "-t1",
            f"-c{CLIENTS}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    assert "Non-2xx" not in out and "Socket errors" not in out, out
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def _throughput(port: int, seconds: float, folder: pathlib.Path) -> float:
    """Requests per second under the closed-loop load, after a one-second warm-up."""
    if WRK:
        _wrk_load(port, 1, folder)
        return _wrk_load(port, seconds, folder)
    _load(port, 1)
    results, elapsed = _load(port, seconds)
    assert results and all(r == 200 for r in results), sorted(set(results))
    return len(results) / elapsed


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    logs = tmp_path_factory.mktemp("replicas")
    servers = [start_server(REPO / "model_store", log_dir=logs) for _ in range(3)]
    yield servers
    for s in servers:
        stop_server(s)


def test_throughput_of_one_two_three_replicas(
    replicas: list[Server], tmp_path: pathlib.Path
) -> None:
    seconds = float(os.environ.get("MXSERVE_NGINX_SECONDS", "5"))
    # The baseline: the same load sent straight to one replica, without nginx.
    direct = _throughput(replicas[0].port, seconds, tmp_path)
    figures = {}
    for n in (1, 2, 3):
        nginx = Nginx(tmp_path / f"nginx{n}", [s.port for s in replicas[:n]])
        try:
            figures[n] = _throughput(nginx.port, seconds, tmp_path)
        finally:
            nginx.stop()
    load = (
        f"wrk, {CLIENTS} connections"
        if WRK
        else f"{CLIENTS} Python clients in {PROCESSES} processes"
    )
    print(
        f"\nnginx: direct to 1 replica {direct:.0f} req/s; "
        + ", ".join(f"{n} replica(s) {rps:.0f} req/s" for n, rps in figures.items())
        + f" ({load}, {os.cpu_count()} cores)"
    )


def test_draining_a_replica_loses_no_request(
    replicas: list[Server], tmp_path: pathlib.Path
) -> None:
    nginx = Nginx(tmp_path / "nginx-drain", [s.port for s in replicas])
    drained = replicas[2]
    exit_code: list[int] = []

    def drain() -> None:
        time.sleep(2)
        drained.proc.send_signal(signal.SIGTERM)
        exit_code.append(drained.proc.wait(60))

    try:
        results, _ = _load(nginx.port, 6, during=drain)
    finally:
        nginx.stop()
    lost = [r for r in results if r != 200]
    print(f"\nnginx drain: {len(results)} requests, {len(lost)} lost, replica exit {exit_code}")
    assert exit_code == [0]
    assert len(results) > 100
    assert lost == []
