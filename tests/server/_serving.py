# SPDX-License-Identifier: Apache-2.0
"""Helpers for the server tests: a real ``mxserve serve`` process on a free loopback port.

``serve(repo, *args)`` starts one and waits until it is live; it is stopped (SIGTERM, then
SIGKILL) at teardown. ``make_repo(configs)`` builds a model repository of copies of the default
digits model with the given configs. ``unix_get`` asks a worker's private Unix socket, and
``exit_at_start``/``exit_after_start`` stand in for a worker (``mxserve serve --workers``)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIGITS = ROOT / "model_store" / "digits_mlp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    metrics_port: int
    log_path: Path
    grpc_port: int = 0

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request (header names are sent exactly as given); returns status, headers, body."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, payload: Any = None, **kw: Any) -> tuple[int, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        status, _, data = self.request(
            method, path, body, {"Content-Type": "application/json"}, **kw
        )
        return status, json.loads(data) if data else None

    def wait_log(self, pattern: str, count: int = 1, timeout: float = 30) -> list[re.Match[str]]:
        """The matches of the regex ``pattern`` in the log, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = list(re.finditer(pattern, self.log()))
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not {count}x in the log:\n{self.log()}")
            time.sleep(0.05)

    def metrics(self) -> dict[str, float]:
        """Samples of /metrics on the metrics port, keyed by the full sample line left of the value."""
        _, _, text = self.request("GET", "/metrics", port=self.metrics_port)
        out = {}
        for line in text.decode().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                out[key] = float(value)
        return out


def start_server(
    repo: Path | None, *args: str, log_dir: Path, ready: bool = True, timeout: float = 60
) -> Server:
    port, metrics_port, grpc_port = free_port(), free_port(), free_port()
    cmd = [
        sys.executable,
        "-m",
        "mxserve",
        "serve",
        "--http-port",
        str(port),
        "--metrics-port",
        str(metrics_port),
        "--grpc-port",
        str(grpc_port),
        "--host",
        "127.0.0.1",
        "--log-format",
        "text",
        "--threads",
        "1",
    ]
    cmd += ["--model-store", str(repo)] if repo is not None else []
    cmd += list(args)
    log_path = log_dir / f"server-{port}.log"
    # The server must import the same mxserve as the tests (the installed package in CI, the
    # source tree with its built extension in development), so its parent directory goes first
    # on PYTHONPATH, and the cwd is not the repository root (whose mxserve/ may lack the build).
    import mxserve

    site = str(Path(mxserve.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, os.environ.get("PYTHONPATH", "")]))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=log_dir)
    server = Server(proc, port, metrics_port, log_path, grpc_port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log()}")
        try:
            status, _, _ = server.request("GET", "/v2/health/live", timeout=2)
            # The server listens while it loads: `ready` waits until the loads are done (ready
            # answers 200, or 400 when a model failed), not merely until it answers.
            if status == 200 and ready:
                status, _, _ = server.request("GET", "/v2/health/ready", timeout=2)
            if status in (200, 400):
                return server
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not start within {timeout} s:\n{server.log()}")


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def unix_get(path: str, target: str, timeout: float = 10) -> tuple[int, bytes]:
    """``GET target`` over the Unix socket ``path``: status and body."""
    conn = http.client.HTTPConnection("localhost", timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    conn.sock = sock
    try:
        conn.request("GET", target)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def exit_at_start(*args: Any) -> None:
    """A worker whose start-up fails."""
    sys.exit(3)


def exit_after_start(
    index: int, settings: Any, sockets: Any, d: str, started: Any, sup: int
) -> None:
    """A worker that reports it serves, then dies."""
    started.send(os.getpid())
    started.close()
    time.sleep(0.2)
    sys.exit(5)


def make_repo(root: Path, configs: dict[str, dict[str, Any] | None]) -> Path:
    """A repository with one copy of the digits model per name; ``None`` = no config file."""
    root.mkdir(parents=True, exist_ok=True)
    for name, cfg in configs.items():
        d = root / name
        shutil.copytree(DIGITS / "1", d / "1")
        if cfg is not None:
            (d / "config.json").write_text(json.dumps({"name": name, **cfg}))
    return root
