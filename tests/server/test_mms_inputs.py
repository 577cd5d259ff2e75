# SPDX-License-Identifier: Apache-2.0
"""The MMS prediction routes in-process: ``MmsFastPath`` (what ``serve()`` runs) and the FastAPI
routes give the same answers and the same 4xx for the digits model; label files and archive
labels are read at load, and a bad one fails the load with its reason."""

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
from PIL import Image

from mxserve.server import Settings, create_app
from mxserve.server.app import BodyLimit
from mxserve.server.mar import read_mar
from mxserve.server.routers.infer import InferFastPath
from mxserve.server.routers.mms import MmsFastPath
from server._serving import DIGITS, make_repo

SYMBOL = (DIGITS / "1" / "model-symbol.json").read_bytes()
PARAMS = (DIGITS / "1" / "model-0000.params").read_bytes()
LABELS = [f"digit {i}" for i in range(10)]
OCTETS = "application/octet-stream"


@asynccontextmanager
async def clients(settings: Settings) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One client through MmsFastPath, one through the FastAPI routes, on the same app."""
    app = create_app(settings)
    stacks = {
        "fast": BodyLimit(MmsFastPath(app, InferFastPath(app)), settings.max_request_bytes),
        "fastapi": BodyLimit(InferFastPath(app), settings.max_request_bytes),
    }
    async with app.router.lifespan_context(app):
        out = {}
        for name, asgi in stacks.items():
            out[name] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=asgi), base_url="http://t"
            )
        try:
            yield out
        finally:
            for c in out.values():
                await c.aclose()


def run(settings: Settings, test: Callable[[dict[str, httpx.AsyncClient]], Any]) -> None:
    async def main() -> None:
        async with clients(settings) as cs:
            await asyncio.wait_for(test(cs), 120)

    asyncio.run(main())


def png(h: int, w: int, mode: str = "L") -> bytes:
    rng = np.random.default_rng(5)
    shape = (h, w) if mode == "L" else (h, w, 3)
    f = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(f, format="PNG")
    return f.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mms")
    make_repo(
        root,
        {
            "plain": {"max_batch_size": 8, "input": [{"name": "data", "dims": [64]}]},
            "img": {
                "max_batch_size": 8,
                "input": [{"name": "data", "dims": [64]}],
                "output": [{"name": "dense2_fwd_output", "label_filename": "digits.txt"}],
                "image_preprocess": {"channel_order": "GRAY", "resize": [8, 8], "scale": 1 / 16},
                "classification": {"top_k": 3},
            },
            "short_labels": {
                "max_batch_size": 8,
                "input": [{"name": "data", "dims": [64]}],
                "output": [{"name": "dense2_fwd_output", "label_filename": "digits.txt"}],
            },
        },
    )
    (root / "img" / "digits.txt").write_text("\n".join(LABELS))
    (root / "short_labels" / "digits.txt").write_text("\n".join(LABELS[:7]))
    return root


def test_fast_path_and_fastapi_routes_agree(store: Path) -> None:
    x = np.random.default_rng(1).uniform(0, 1, (3, 64)).astype(np.float32)
    image = png(8, 8)
    form = httpx.Request("POST", "http://t/", files=[("data", ("a.png", image, "image/png"))] * 2)

    async def test(cs: dict[str, httpx.AsyncClient]) -> None:
        answers: dict[str, list[Any]] = {}
        for name, c in cs.items():
            got = []
            for path, body, headers in (
                ("/predictions/plain", x.tobytes(), {}),
                ("/predictions/plain/1", x[:1].tobytes(), {"content-type": OCTETS}),
                ("/invocations?model_name=plain", json.dumps(x.tolist()).encode(), {}),
                ("/predictions/img", image, {}),
                ("/predictions/img", form.read(), {"content-type": form.headers["content-type"]}),
            ):
                r = await c.post(path, content=body, headers=headers)
                assert r.status_code == 200, (name, path, r.text)
                assert r.headers["content-type"].startswith("application/json")
                got.append(r.json())
            answers[name] = got
        fast, slow = answers["fast"], answers["fastapi"]
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(_scores(a), _scores(b), rtol=1e-6)
        out = np.asarray(fast[0]["dense2_fwd_output"])
        assert out.shape == (3, 10)
        top = fast[3]
        assert len(top) == 3 and all(set(t) == {"class", "probability"} for t in top)
        scores = [t["probability"] for t in top]
        assert scores == sorted(scores, reverse=True) and top[0]["class"] in LABELS
        assert len(fast[4]) == 2 and fast[4][0] == fast[4][1] == top

    run(Settings(model_store=store, metrics_port=None), test)


def _scores(answer: Any) -> np.ndarray:
    if isinstance(answer, dict):
        return np.asarray(answer["dense2_fwd_output"], np.float64).ravel()
    rows = answer if isinstance(answer[0], list) else [answer]
    return np.asarray([t["probability"] for row in rows for t in row])


def test_both_paths_refuse_undecodable_bodies_alike(store: Path) -> None:
    jpeg = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(jpeg, format="JPEG")
    cases = [
        ("/predictions/plain", jpeg.getvalue(), {}, 400, "no image_preprocess config"),
        ("/predictions/plain", bytes(100), {}, 400, "a multiple of 256"),
        ("/predictions/plain", b"<html>", {"content-type": "text/html"}, 415, "Content-Type"),
        ("/predictions/img", b"\x89PNG\r\n\x1a\n" + bytes(40), {}, 400, "not a valid PNG"),
        ("/predictions/img", b"GIF89a" + bytes(40), {}, 415, "GIF"),
        ("/predictions/nope", bytes(256), {}, 404, "unknown model"),
        ("/invocations", bytes(256), {}, 400, "model_name"),
        ("/predictions/plain", bytes(256 * 9), {}, 400, "batch-size must be <= 8"),
    ]

    async def test(cs: dict[str, httpx.AsyncClient]) -> None:
        for name, c in cs.items():
            for path, body, headers, code, words in cases:
                r = await c.post(path, content=body, headers=headers)
                err = r.json()
                assert r.status_code == code and err["code"] == code, (name, path, r.text)
                assert words in err["message"] and err["type"].endswith("Exception"), err
            r = await c.post("/predictions/plain", content=bytes(256))
            assert r.status_code == 200, r.text

    run(Settings(model_store=store, metrics_port=None), test)


def test_label_count_mismatch_fails_the_load(store: Path) -> None:
    async def test(cs: dict[str, httpx.AsyncClient]) -> None:
        r = await cs["fast"].post("/predictions/short_labels", content=bytes(256))
        assert r.status_code == 400
        assert "has 7 labels, the output has 10 classes" in r.json()["message"]

    run(Settings(model_store=store, metrics_port=None), test)


def make_mar(path: Path, extra: dict[str, bytes], signature: Any = None) -> Path:
    manifest = {"runtime": "python", "model": {"modelName": "net", "handler": "h:handle"}}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps(manifest))
        z.writestr("net-symbol.json", SYMBOL)
        z.writestr("net-0000.params", PARAMS)
        if signature is not None:
            z.writestr("signature.json", json.dumps(signature))
        for name, data in extra.items():
            z.writestr(name, data)
    return path


def test_archive_synset_and_image_signature(tmp_path: Path) -> None:
    sig = {"inputs": [{"data_name": "data", "data_shape": [0, 64], "input_type": "image/png"}]}
    m = read_mar(make_mar(tmp_path / "a.mar", {"synset.txt": b"a\nb\n\n"}, sig))
    assert m.labels == ["a", "b"] and m.image_input
    m = read_mar(make_mar(tmp_path / "b.mar", {}))
    assert m.labels is None and not m.image_input
    from mxserve.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="synset.txt is not UTF-8"):
        read_mar(make_mar(tmp_path / "c.mar", {"synset.txt": b"\xff\xfe\x00"}))
