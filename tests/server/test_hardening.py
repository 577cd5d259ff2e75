# SPDX-License-Identifier: Apache-2.0
"""Hostile requests and archives against the app in-process (``create_app`` behind the same
ASGI layers ``serve()`` uses): every one gets a 4xx naming the problem, leaves nothing queued,
and the next ordinary request still works."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from mxserve.errors import DrainingError, InvalidArgumentError
from mxserve.server import Settings, create_app
from mxserve.server.app import MAX_HEADER_BYTES, BodyLimit
from mxserve.server.errors_render import error_response
from mxserve.server.layout import public_reason
from mxserve.server.mar import ROOT_PREFIX, read_mar, remove_stale_roots
from mxserve.server.routers.infer import InferFastPath
from server._serving import DIGITS, make_repo

X = np.zeros((1, 64), np.float32)


@asynccontextmanager
async def client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings)
    asgi = BodyLimit(InferFastPath(app), settings.max_request_bytes)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=asgi), base_url="http://t"
        ) as c:
            yield c, app.state.repo


def run(settings: Settings, test: Callable[[httpx.AsyncClient, Any], Any]) -> None:
    async def main() -> None:
        async with client(settings) as (c, repo):
            # A hang is a failure here, not a stuck test run.
            await asyncio.wait_for(test(c, repo), 120)

    asyncio.run(main())


def body(**changes: Any) -> dict[str, Any]:
    inp = {"name": "data", "shape": [1, 64], "datatype": "FP32", "data": X.ravel().tolist()}
    req: dict[str, Any] = {"inputs": [inp]}
    for k, v in changes.items():
        if k in inp:
            inp[k] = v
        else:
            req[k] = v
    return req


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("hardening"), {"d": {"max_batch_size": 4}})


async def ok(c: httpx.AsyncClient) -> None:
    r = await c.post("/v2/models/d/infer", json=body())
    assert r.status_code == 200, r.text
    assert r.json()["outputs"][0]["shape"] == [1, 10]


# -- 3. request parameters are validated before the request is queued ---------------------------
@pytest.mark.parametrize(
    "parameters",
    [{"timeout": 10**400}, {"timeout": 2**64}, {"priority": 10**30}, {"timeout": -1}],
)
def test_out_of_range_parameters_are_400_and_leave_nothing_queued(
    store: Path, parameters: dict[str, Any]
) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        for _ in range(3):
            text = json.dumps(body(parameters=parameters))
            r = await c.post(
                "/v2/models/d/infer", content=text, headers={"content-type": "application/json"}
            )
            assert r.status_code == 400, r.text
            assert "must be a non-negative integer of at most" in r.json()["error"]
            assert repo.get("d").batcher.pending == 0
            await ok(c)

    run(Settings(model_store=store, metrics_port=None), test)


# -- 4. strict values in v2 JSON requests -------------------------------------------------------
def _text(req: dict[str, Any]) -> str:
    return json.dumps(req)


STRICT_CASES = {
    "null": (_text(body(data=[None] + [0.0] * 63)), "it holds null"),
    "bool as number": (_text(body(data=[True] + [0.0] * 63)), "it holds a boolean"),
    "numeric string": (_text(body(data=["1.5"] + [0.0] * 63)), "it holds a string"),
    "1e39 in FP32": (_text(body(data=[1e39] + [0.0] * 63)), "not finite in FP32"),
    "NaN literal": (_text(body(data=[0.0] * 63)).replace("[0.0", "[NaN, 0.0", 1), "not finite"),
    "Infinity literal": (
        _text(body(data=[0.0] * 63)).replace("[0.0", "[Infinity, 0.0", 1),
        "not finite",
    ),
    "float for INT32": (
        _text(body(datatype="INT32", data=[1.5] + [0] * 63)),
        "must hold only integers",
    ),
    "ragged": (_text(body(data=[[0.0] * 64, [0.0]], shape=[2, 64])), "it holds a nested array"),
    "string shape": (_text(body(shape=["1", "64"])), "valid integer"),
    "string dims": (_text(body(shape="1,64")), "valid array"),
    "65 dims": (_text(body(shape=[1] * 65)), "more than the limit of 64"),
    "huge dims": (_text(body(shape=[2**62, 2**62])), "more than the limit of"),
    "huge dim": (_text(body(shape=[2**70])), "more than the limit of"),
    "deep data": (_text(body()).replace('"data": [', '"data": ' + "[" * 100_000, 1), ""),
}


@pytest.mark.parametrize("case", list(STRICT_CASES))
def test_bad_values_in_v2_json_are_400_with_the_reason(store: Path, case: str) -> None:
    text, reason = STRICT_CASES[case]

    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        r = await c.post(
            "/v2/models/d/infer", content=text, headers={"content-type": "application/json"}
        )
        assert r.status_code == 400, r.text
        assert reason in r.json()["error"]
        await ok(c)

    run(Settings(model_store=store, metrics_port=None), test)


def test_binary_request_with_huge_dims_is_400(store: Path) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        for shape in ([2**40, 2**40], [1] * 70, [2**63]):
            head = json.dumps(
                {
                    "inputs": [
                        {
                            "name": "data",
                            "shape": shape,
                            "datatype": "FP32",
                            "parameters": {"binary_data_size": 256},
                        }
                    ]
                }
            ).encode()
            r = await c.post(
                "/v2/models/d/infer",
                content=head + bytes(256),
                headers={"inference-header-content-length": str(len(head))},
            )
            assert r.status_code == 400, r.text
        await ok(c)

    run(Settings(model_store=store, metrics_port=None), test)


def test_unicode_digit_and_huge_versions_are_404(store: Path) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        for v in ("\u0661", "\u00b2", "\uff11", "9" * 5000):
            r = await c.post(f"/v2/models/d/versions/{v}/infer", json=body())
            assert r.status_code == 404, (v[:10], r.text)
            r = await c.get(f"/v2/models/d/versions/{v}")
            assert r.status_code == 404, (v[:10], r.text)
        await ok(c)

    run(Settings(model_store=store, metrics_port=None), test)


def test_predictions_reject_malformed_npy_and_deep_json(store: Path) -> None:
    good = io.BytesIO()
    np.save(good, X)
    npy = good.getvalue()
    header_end = npy.index(b"\n") + 1
    huge = npy[:10] + npy[10:header_end].replace(b"(1, 64)", b"(9999999999, 64)")

    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        bad = [
            npy[:20],  # truncated header
            npy[:-8],  # truncated data
            b"\x93NUMPY\x09\x00" + npy[8:],  # unknown format version
            huge[: len(npy[:header_end])] + npy[header_end:],  # header claims more data
            b"[" * 100_000 + b"]" * 100_000,  # deep JSON
            b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            b"\xff\xfe{",  # not UTF-8
        ]
        for b in bad:
            r = await c.post("/predictions/d", content=b)
            assert r.status_code == 400, (b[:30], r.text)
        r = await c.post("/predictions/d", content=npy)
        assert r.status_code == 200, r.text

    run(Settings(model_store=store, metrics_port=None, enable_model_api=True), test)


def test_odd_repository_api_bodies_are_4xx(store: Path) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        for b in (b"[1]", b'"x"', b"[" * 100_000, b"\xff", b"{"):
            for path in ("/v2/repository/models/d/load", "/v2/repository/index"):
                r = await c.post(path, content=b)
                assert r.status_code == 400, (path, b[:20], r.text)
        for b in (b'{"parameters": [1, 2]}', b'{"parameters": "config"}', b'{"parameters": 5}'):
            r = await c.post("/v2/repository/models/d/load", content=b)
            assert r.status_code == 400 and "must be a JSON object" in r.text, (b, r.text)
        r = await c.post("/v2/repository/index", content=b"{}")
        assert r.status_code == 200 and [m["name"] for m in r.json()] == ["d"]

    run(Settings(model_store=store, metrics_port=None, model_control_mode="explicit"), test)


# -- 7. server limits ---------------------------------------------------------------------------
def test_header_bytes_count_against_a_limit(store: Path) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        r = await c.post(
            "/v2/models/d/infer", json=body(), headers={"x-big": "a" * (MAX_HEADER_BYTES + 1)}
        )
        assert r.status_code == 431 and "headers exceed" in r.json()["error"]
        await ok(c)

    run(Settings(model_store=store, metrics_port=None), test)


def test_server_exiting_replies_close_the_connection() -> None:
    r = error_response(DrainingError("Server exiting"), Settings(model_store=None))
    assert r.status_code == 503 and r.headers["connection"] == "close"
    r = error_response(InvalidArgumentError("bad"), Settings(model_store=None))
    assert "connection" not in r.headers


def test_concurrent_mms_registrations_of_one_name(store: Path) -> None:
    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        rs = await asyncio.gather(*(c.post("/models?url=d&model_name=twin") for _ in range(6)))
        codes = sorted(r.status_code for r in rs)
        assert codes == [200] + [409] * 5, [r.text for r in rs]
        assert len(repo.models["twin"].versions) == 1
        r = await c.delete("/models/twin")
        assert r.status_code == 200 and "twin" not in repo.models
        r = await c.post("/models?url=d&model_name=twin")
        assert r.status_code == 200

    run(
        Settings(
            model_store=store,
            metrics_port=None,
            enable_model_api=True,
            model_control_mode="explicit",
        ),
        test,
    )


# -- 8. honest error bodies -----------------------------------------------------------------------
def test_load_errors_name_the_problem_without_server_paths(tmp_path: Path) -> None:
    store = make_repo(tmp_path / "store", {"d": {"max_batch_size": 4}})
    broken = store / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model-symbol.json").write_text('{"nodes": [' + "[" * 100 + "]" * 100 + "]}")
    (broken / "model-0000.params").write_bytes(b"\x00" * 40)

    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        r = await c.post("/v2/repository/index")
        rows = {m["name"]: m for m in r.json()}
        assert rows["broken"]["state"] == "UNAVAILABLE"
        reason = rows["broken"]["reason"]
        assert "deeper than the limit" in reason and str(tmp_path) not in reason, reason
        r = await c.post("/v2/models/broken/infer", json=body())
        assert r.status_code == 400 and str(tmp_path) not in r.text
        await ok(c)

    run(Settings(model_store=store, metrics_port=None, strict_readiness=False), test)


def test_public_reason_drops_absolute_paths(tmp_path: Path) -> None:
    model = tmp_path / "store" / "m"
    msg = f"NotFoundError: cannot read params file '{model}/1/m-0000.params': No such file"
    assert public_reason(msg, model) == (
        "NotFoundError: cannot read params file '1/m-0000.params': No such file"
    )
    assert public_reason("open /etc/secret/x.json failed", model) == "open x.json failed"


# -- 6. bounded .mar extraction -------------------------------------------------------------------
def _mar(path: Path, params: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps({"model": {"modelName": "net"}}))
        z.writestr("net-symbol.json", (DIGITS / "1" / "model-symbol.json").read_bytes())
        z.writestr("net-0000.params", params)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return path


def test_mar_zip_bomb_is_rejected_before_extraction(tmp_path: Path) -> None:
    bomb = _mar(tmp_path / "bomb.mar", bytes(64 << 20))  # 64 MiB of zeros: ~64 KB compressed
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InvalidArgumentError, match=r"more than 100 times \(a zip bomb\?\)"):
        read_mar(bomb)
    manifest_bomb = tmp_path / "manifest.mar"
    with zipfile.ZipFile(manifest_bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("MAR-INF/MANIFEST.json", b" " * (4 << 20))
    with pytest.raises(InvalidArgumentError, match="more than"):
        read_mar(manifest_bomb)


def test_mar_members_never_become_paths(tmp_path: Path) -> None:
    params = (DIGITS / "1" / "model-0000.params").read_bytes()
    mar = read_mar(_mar(tmp_path / "t.mar", params, {"../../escape.txt": b"x", "/abs.txt": b"y"}))
    try:
        assert sorted(p.name for p in mar.directory.iterdir()) == [
            "net-0000.params",
            "net-symbol.json",
        ]
        assert not (tmp_path.parent / "escape.txt").exists()
    finally:
        import shutil

        shutil.rmtree(mar.directory)


def test_mar_extraction_is_removed_after_each_load(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    _mar(store / "net.mar", (DIGITS / "1" / "model-0000.params").read_bytes())

    async def test(c: httpx.AsyncClient, repo: Any) -> None:
        from mxserve.server import mar

        for _ in range(3):
            await repo.load("net")
            assert repo.models["net"].state == "READY"
            assert mar._extract_root is not None and list(mar._extract_root.iterdir()) == []
        r = await c.post("/v2/models/net/infer", json=body())
        assert r.status_code == 200, r.text

    run(Settings(model_store=store, metrics_port=None), test)


def test_stale_mar_extractions_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{ROOT_PREFIX}999999999-abc"
    (dead / "net-x").mkdir(parents=True)
    import os

    alive = tmp_path / f"{ROOT_PREFIX}{os.getpid()}-abc"
    alive.mkdir()
    assert remove_stale_roots(tmp_path) == [dead]
    assert not dead.exists() and alive.exists()


# -- 7. connection limits in the HTTP protocol ----------------------------------------------
def _limited_server(**protocol_attrs: Any) -> tuple[Any, int, Any]:
    """A uvicorn server with LimitedHttpToolsProtocol (one-second idle timeout) on a free port,
    running in a thread; returns (server, port, thread)."""
    import socket
    import threading

    import uvicorn

    from mxserve.server.limits import LimitedHttpToolsProtocol

    class Protocol(LimitedHttpToolsProtocol):
        pass

    for k, v in protocol_attrs.items():
        setattr(Protocol, k, v)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, http=Protocol, timeout_keep_alive=1, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    t.start()
    while not server.started:
        t.join(0.05)
    return server, port, t


def _recv_all(conn: Any) -> bytes:
    out = b""
    while chunk := conn.recv(65536):
        out += chunk
    return out


def test_idle_slow_and_oversized_connections_are_closed() -> None:
    import socket

    server, port, t = _limited_server(header_timeout=1.0, max_header_bytes=1024)
    try:
        # A connection that never sends anything is closed (recv returns EOF).
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            assert _recv_all(c) == b""
        # Headers that never complete are cut off.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: a")
            assert _recv_all(c) == b""
        # Oversized headers get 431 and the connection closes.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n")
            reply = _recv_all(c)
            assert reply.startswith(b"HTTP/1.1 431 "), reply[:80]
            assert b"connection: close" in reply.lower()
        # An ordinary request still works.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            assert _recv_all(c).startswith(b"HTTP/1.1 200 ")
    finally:
        server.should_exit = True
        t.join(30)
