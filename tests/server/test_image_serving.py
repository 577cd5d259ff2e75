# SPDX-License-Identifier: Apache-2.0
"""Image bodies on the MMS routes of a real ``mxserve serve``, against MXNet.

resnet18_v1 exported by MXNet 1.9.1 (random fixed-seed weights) is served at 64x64 with an
``image_preprocess`` config and a label file. Two pictures made with Pillow from a seeded
generator are sent as JPEG bodies (with and without a Content-Type, as ``curl -T`` sends them),
as one multipart form, and as the preprocessed tensor in a JSON v2 request; every answer must be
the top-5 that MXNet's own output for the tensor preprocessed here (numpy, from the decoded
pixels) gives. The same network as an MMS archive (signature.json ``image/jpeg``, synset.txt)
answers as MMS's vision service does. Garbage bodies get 4xx, never a 200 computed from bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from oracle.envs import CACHE, publish, run_in_oracle
from oracle.models import exported_model
from PIL import Image

from server._serving import DIGITS, Server

HERE = Path(__file__).resolve().parent
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
SIZE = 64
LABELS = [f"class {i:04d}" for i in range(1000)]
SYNSET = [f"n{i:08d} synset {i}" for i in range(1000)]
TOP = 5


def picture(seed: int, w: int, h: int) -> Image.Image:
    """A smooth random RGB picture (coarse noise upscaled), so that JPEG keeps it close."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (h // 8, w // 8, 3), dtype=np.uint8)
    return Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC)


def jpeg(img: Image.Image) -> bytes:
    f = io.BytesIO()
    img.save(f, format="JPEG", quality=92)
    return f.getvalue()


def preprocess_here(body: bytes) -> np.ndarray:
    """The config's steps written out with numpy: shorter side to 72, center crop 64, /255,
    ImageNet mean/std, NCHW."""
    img = Image.open(io.BytesIO(body)).convert("RGB")
    w, h = img.size
    s = 72
    size = (s, round(h * s / w)) if w <= h else (round(w * s / h), s)
    img = img.resize(size, Image.Resampling.BILINEAR)
    w, h = img.size
    left, top = (w - SIZE) // 2, (h - SIZE) // 2
    a = np.asarray(img, np.float32)[top : top + SIZE, left : left + SIZE] / np.float32(255)
    return ((a - MEAN) / STD).transpose(2, 0, 1)


def mms_preprocess_here(body: bytes) -> np.ndarray:
    """MMS's vision service: resize to the signature's height and width, RGB, NCHW, 0..255."""
    img = Image.open(io.BytesIO(body)).convert("RGB")
    img = img.resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    return np.asarray(img, np.float32).transpose(2, 0, 1)


def mxnet_outputs(model: Path, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """MXNet 1.9.1's output for each batch (cached by the hash of the inputs and the script)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    script = HERE.parent / "oracle" / "mx_run_symbol.py"
    key = hashlib.sha256(buf.getvalue() + script.read_bytes() + str(model).encode()).hexdigest()
    out = CACHE / "image_serving" / key[:16]
    if not (out / "y.npz").exists():
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / "x.npz").write_bytes(buf.getvalue())
        run_in_oracle("1.9.1", script, str(model), str(tmp / "x.npz"), str(tmp / "y.npz"))
        publish(tmp, out, "y.npz")
    with np.load(out / "y.npz") as f:
        return {k: f[k] for k in f.files}


def top_k(scores: np.ndarray, labels: list[str]) -> list[dict[str, Any]]:
    order = np.argsort(-scores)[:TOP]
    return [{"class": labels[i], "probability": float(scores[i])} for i in order]


def assert_same_top(got: Any, want: list[dict[str, Any]], what: str) -> None:
    assert [g["class"] for g in got] == [w["class"] for w in want], what
    np.testing.assert_allclose(
        [g["probability"] for g in got],
        [w["probability"] for w in want],
        rtol=1e-4,
        atol=1e-4,
        err_msg=what,
    )


def wait_ready(s: Server, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if s.request("GET", "/v2/health/ready")[0] == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"server not ready:\n{s.log()}")


def mar(path: Path, model: Path) -> None:
    """An MMS 1.x archive of the network, as model-archiver writes one for the vision handler."""
    manifest = {
        "runtime": "python",
        "model": {"modelName": "resnet", "handler": "mxnet_vision_service:handle"},
    }
    signature = {
        "inputs": [
            {"data_name": "data", "data_shape": [1, 3, SIZE, SIZE], "input_type": "image/jpeg"}
        ],
        "input_type": "image/jpeg",
    }
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps(manifest))
        z.write(model / "model-symbol.json", "resnet-symbol.json")
        z.write(model / "model-0000.params", "resnet-0000.params")
        z.writestr("signature.json", json.dumps(signature))
        z.writestr("synset.txt", "\n".join(SYNSET) + "\n")
        z.writestr("mxnet_vision_service.py", "raise SystemExit('never run')\n")


@pytest.fixture(scope="module")
def model() -> Path:
    return exported_model("1.9.1", "resnet18_v1")


@pytest.fixture(scope="module")
def pictures() -> list[bytes]:
    return [jpeg(picture(1, 96, 80)), jpeg(picture(2, 70, 90))]


@pytest.fixture
def server(serve: Callable[..., Server], tmp_path: Path, model: Path) -> Server:
    repo = tmp_path / "repo"
    d = repo / "resnet"
    (d / "1").mkdir(parents=True)
    for f in ("model-symbol.json", "model-0000.params"):
        shutil.copy(model / f, d / "1" / f)
    (d / "labels.txt").write_text("\n".join(LABELS) + "\n")
    (d / "config.json").write_text(
        json.dumps(
            {
                "max_batch_size": 4,
                "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": [3, SIZE, SIZE]}],
                "output": [{"name": "resnetv10_dense0_fwd_output", "label_filename": "labels.txt"}],
                "image_preprocess": {
                    "resize_shorter": 72,
                    "center_crop": [SIZE, SIZE],
                    "scale": 1 / 255,
                    "mean": MEAN.tolist(),
                    "std": STD.tolist(),
                },
            }
        )
    )
    mar(repo / "mmsnet.mar", model)
    shutil.copytree(DIGITS / "1", repo / "digits" / "1")
    s = serve(repo)
    wait_ready(s)
    return s


def test_jpeg_multipart_and_json_give_mxnets_top5(
    server: Server, model: Path, pictures: list[bytes]
) -> None:
    x = np.stack([preprocess_here(p) for p in pictures])
    y = mxnet_outputs(model, {"x": x})["x"]
    want = [top_k(y[i], LABELS) for i in range(len(pictures))]
    for i, body in enumerate(pictures):
        for headers in ({}, {"Content-Type": "image/jpeg"}):
            status, _, data = server.request("POST", "/predictions/resnet", body, headers)
            assert status == 200, data
            assert_same_top(json.loads(data), want[i], f"picture {i} JPEG body {headers}")
    form = httpx.Request(
        "POST",
        "http://t/",
        files=[("data", (f"{i}.jpg", p, "image/jpeg")) for i, p in enumerate(pictures)],
    )
    status, _, data = server.request(
        "POST", "/predictions/resnet", form.read(), {"Content-Type": form.headers["content-type"]}
    )
    assert status == 200, data
    rows = json.loads(data)
    assert len(rows) == len(pictures)
    for i, row in enumerate(rows):
        assert_same_top(row, want[i], f"picture {i} in the multipart form")
    for i in range(len(pictures)):
        v2 = {
            "inputs": [
                {
                    "name": "data",
                    "shape": [1, 3, SIZE, SIZE],
                    "datatype": "FP32",
                    "data": x[i].ravel().tolist(),
                }
            ]
        }
        status, got = server.json("POST", "/predictions/resnet", v2)
        assert status == 200, got
        assert_same_top(got, want[i], f"picture {i} as a JSON v2 request on the MMS route")
        status, out = server.json("POST", "/v2/models/resnet/infer", v2)
        assert status == 200, out
        scores = np.asarray(out["outputs"][0]["data"], np.float32)
        assert_same_top(top_k(scores, LABELS), want[i], f"picture {i} on the v2 route")


def test_mms_archive_answers_like_mms_vision_service(
    server: Server, model: Path, pictures: list[bytes]
) -> None:
    x = np.stack([mms_preprocess_here(p) for p in pictures])
    y = mxnet_outputs(model, {f"x{i}": x[i : i + 1] for i in range(len(pictures))})
    for i, body in enumerate(pictures):
        status, _, data = server.request("POST", "/predictions/mmsnet", body)
        assert status == 200, data
        assert_same_top(json.loads(data), top_k(y[f"x{i}"][0], SYNSET), f"picture {i} .mar")


def test_garbage_bodies_are_4xx(server: Server, pictures: list[bytes]) -> None:
    gif = io.BytesIO()
    picture(3, 16, 16).save(gif, format="GIF")
    rng = np.random.default_rng(4)
    cases = [
        ("resnet", rng.bytes(5000), {"Content-Type": "image/jpeg"}, 400, "not a valid JPEG"),
        ("resnet", pictures[0][:300], {}, 400, "not a valid JPEG"),
        ("resnet", gif.getvalue(), {}, 415, "GIF"),
        ("resnet", b"hello", {"Content-Type": "text/html"}, 415, "unsupported Content-Type"),
        ("resnet", rng.bytes(1234), {"Content-Type": "application/octet-stream"}, 400, "raw"),
        # today's bug: a JPEG posted to a float model gave logits of its bytes
        ("digits", pictures[0], {}, 400, "no image_preprocess config"),
        # ... even when its size is exactly that of a raw float32 sample (64 values)
        ("digits", pictures[0][:256], {}, 400, "no image_preprocess config"),
    ]
    form = httpx.Request("POST", "http://t/", files=[("picture", ("a.jpg", pictures[0]))])
    cases.append(
        ("resnet", form.read(), {"Content-Type": form.headers["content-type"]}, 400, "picture")
    )
    for model, body, headers, code, words in cases:
        status, _, data = server.request("POST", f"/predictions/{model}", body, headers)
        err = json.loads(data)
        assert status == code and err["code"] == code, (model, headers, status, data[:300])
        assert words in err["message"], err
    # the server still answers ordinary requests
    status, _, data = server.request("POST", "/predictions/resnet", pictures[0])
    assert status == 200 and len(json.loads(data)) == TOP
