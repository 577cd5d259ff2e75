# SPDX-License-Identifier: Apache-2.0
"""Hardening checks that need a real ``mxserve serve`` process: hostile models at start-up and
in poll mode, start-up errors for a missing or empty store, and CLI values checked with a
one-line error."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import mxserve
from server._serving import DIGITS, Server, make_repo

DEEP = 100_000


def _deep_model(d: Path) -> None:
    """A model version whose symbol JSON nests an attribute value DEEP levels."""
    d.mkdir(parents=True)
    deep = "[" * DEEP + "]" * DEEP
    (d / "model-symbol.json").write_text(
        '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "relu", "name": "r", '
        '"inputs": [[0, 0, 0]], "attrs": {"x": ' + deep + '}}], "heads": [[1, 0, 0]]}'
    )
    shutil.copy(DIGITS / "1" / "model-0000.params", d / "model-0000.params")


def _index(s: Server) -> dict[str, dict[str, str]]:
    status, rows = s.json("POST", "/v2/repository/index")
    assert status == 200
    return {r["name"]: r for r in rows}


def test_deeply_nested_model_at_start_up_and_in_poll_mode(
    tmp_path: Path, serve: Callable[..., Server]
) -> None:
    store = make_repo(tmp_path / "store", {"d": {"max_batch_size": 4}})
    _deep_model(store / "deep" / "1")
    s = serve(store, "--model-control-mode", "poll", "--repository-poll-secs", "0.2", ready=False)
    rows = _index(s)
    assert rows["deep"]["state"] == "UNAVAILABLE"
    assert "deeper than the limit of 64 levels" in rows["deep"]["reason"]
    assert str(tmp_path) not in rows["deep"]["reason"]
    _deep_model(store / ".later" / "1")
    (store / ".later").rename(store / "later")
    deadline = time.monotonic() + 60
    while "later" not in _index(s) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _index(s)["later"]["state"] == "UNAVAILABLE"
    assert s.proc.poll() is None
    status, _ = s.json(
        "POST",
        "/v2/models/d/infer",
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.0] * 64}]},
    )
    assert status == 200


def _serve_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    site = str(Path(mxserve.__file__).resolve().parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "mxserve", "serve", "--metrics-port", "0", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": site, "PATH": ""},
        timeout=120,
    )


def _one_line_error(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_missing_or_empty_model_store_is_a_start_up_error(tmp_path: Path) -> None:
    _one_line_error(
        _serve_cli("--model-store", str(tmp_path / "nonexistent"), cwd=tmp_path),
        "is not a directory",
    )
    (tmp_path / "empty").mkdir()
    _one_line_error(_serve_cli("--model-store", str(tmp_path / "empty"), cwd=tmp_path), "no model")


def test_cli_values_are_checked_with_one_line_errors(tmp_path: Path) -> None:
    store = make_repo(tmp_path / "store", {"d": None})
    for flag, value, word in [
        ("--max-request-bytes", "-1", "max_request_bytes"),
        ("--threads", "-3", "num_threads"),
        ("--exit-timeout-secs", "-5", "exit_timeout_secs"),
        ("--http-port", "70000", "http_port"),
        ("--repository-poll-secs", "nan", "repository_poll_secs"),
    ]:
        _one_line_error(_serve_cli("--model-store", str(store), flag, value, cwd=tmp_path), word)


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    store = make_repo(tmp_path / "store", {"d": None})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _serve_cli("--model-store", str(store), "--http-port", str(port), cwd=tmp_path)
    _one_line_error(r, f"cannot listen on 127.0.0.1 (http port {port}")
