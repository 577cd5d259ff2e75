# SPDX-License-Identifier: Apache-2.0
"""Unit tests of server/image_input.py: image, multipart, raw, .npy and JSON bodies of the MMS
routes, preprocessing and top-k. Images are made with Pillow from a seeded generator; expected
tensors are computed here with numpy from the decoded pixels (an independent formula), multipart
bodies are built by httpx (a peer client)."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from mxserve.errors import InvalidArgumentError, UnsupportedMediaTypeError
from mxserve.server import image_input
from mxserve.server.config import ModelConfig, TensorConfig, parse_model_config
from mxserve.server.image_input import (
    DecodeTarget,
    TopK,
    check_labels,
    decode_body,
    load_labels,
    read_labels,
    top_k_for,
)

RNG = np.random.default_rng(20261202)
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]


def pixels(h: int, w: int, channels: int = 3) -> np.ndarray:
    shape = (h, w, channels) if channels > 1 else (h, w)
    return RNG.integers(0, 256, shape, dtype=np.uint8)


def encode(a: np.ndarray, fmt: str = "PNG") -> bytes:
    f = io.BytesIO()
    Image.fromarray(a).save(f, format=fmt)
    return f.getvalue()


def sig(
    dims: list[int],
    image: dict[str, Any] | None = None,
    max_batch: int = 8,
    data_type: str = "TYPE_FP32",
    name: str = "data",
) -> DecodeTarget:
    cfg = parse_model_config(
        {
            "max_batch_size": max_batch,
            "input": [{"name": name, "data_type": data_type, "dims": dims}],
            **({"image_preprocess": image} if image is not None else {}),
        },
        "test",
    )
    return DecodeTarget.of("m", cfg)


def multipart(files: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body as httpx builds it: (field, data, content type) per part."""
    req = httpx.Request("POST", "http://t/", files=[(f, (f"{f}.bin", d, ct)) for f, d, ct in files])
    return req.read(), req.headers["content-type"]


# -- images -----------------------------------------------------------------------------------


def test_png_body_is_normalised_in_nchw_rgb() -> None:
    a = pixels(8, 6)
    s = sig([3, 8, 6], {"scale": 1.0, "mean": MEAN, "std": STD})
    want = ((a.astype(np.float32) - np.float32(MEAN)) / np.float32(STD)).transpose(2, 0, 1)
    for ctype in ("image/png", "", "application/octet-stream"):
        got = decode_body(s, encode(a), ctype)["data"]
        assert got.shape == (1, 3, 8, 6) and got.dtype == np.float32
        np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-6)


def test_bgr_nhwc_scale_and_uint8() -> None:
    a = pixels(5, 7)
    s = sig([5, 7, 3], {"format": "FORMAT_NHWC", "channel_order": "BGR", "scale": 1 / 255})
    got = decode_body(s, encode(a), "image/png")["data"][0]
    np.testing.assert_allclose(got, a[:, :, ::-1] / np.float32(255), rtol=1e-6)
    s8 = sig([3, 5, 7], {}, data_type="TYPE_UINT8")
    got8 = decode_body(s8, encode(a), "image/png")["data"][0]
    assert got8.dtype == np.uint8 and (got8 == a.transpose(2, 0, 1)).all()


def test_gray_image_flattened_into_a_vector_input() -> None:
    a = pixels(28, 28, channels=1)
    s = sig([784], {"channel_order": "GRAY", "scale": 1 / 255, "resize": [28, 28]})
    got = decode_body(s, encode(a), "image/png")["data"]
    assert got.shape == (1, 784)
    np.testing.assert_allclose(got[0], a.ravel() / np.float32(255), rtol=1e-6)


def test_resize_shorter_then_center_crop() -> None:
    a = pixels(60, 40)
    s = sig([3, 32, 32], {"resize_shorter": 32, "center_crop": [32, 32]})
    got = decode_body(s, encode(a), "image/png")["data"][0]
    # shorter side (width 40) to 32 -> 32x48 (w x h); the crop keeps rows 8..40
    ref = np.asarray(Image.fromarray(a).resize((32, 48), Image.Resampling.BILINEAR))[8:40]
    np.testing.assert_array_equal(got, ref.transpose(2, 0, 1).astype(np.float32))


def test_default_resize_is_to_the_input_size_as_mms() -> None:
    a = pixels(20, 30)
    s = sig([3, 10, 12], {})
    got = decode_body(s, encode(a), "image/png")["data"][0]
    ref = np.asarray(Image.fromarray(a).resize((12, 10), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(got, ref.transpose(2, 0, 1).astype(np.float32))


def test_jpeg_by_magic_and_content_type() -> None:
    a = pixels(16, 16)
    jpg = encode(a, "JPEG")
    s = sig([3, 16, 16], {})
    ref = np.asarray(Image.open(io.BytesIO(jpg)).convert("RGB")).transpose(2, 0, 1)
    for ctype in ("image/jpeg", "", "application/octet-stream"):
        got = decode_body(s, jpg, ctype)["data"][0]
        np.testing.assert_array_equal(got, ref.astype(np.float32))


def test_image_rejects_corrupt_truncated_and_oversized(monkeypatch: pytest.MonkeyPatch) -> None:
    s = sig([3, 16, 16], {})
    jpg = encode(pixels(16, 16), "JPEG")
    png = encode(pixels(16, 16))
    for body, ctype in (
        (jpg[: len(jpg) // 2], "image/jpeg"),  # truncated
        (png[:-30], ""),  # truncated, found by its magic
        (b"\xff\xd8\xff" + bytes(100), "application/octet-stream"),
        (b"not an image at all", "image/png"),
        (png, "image/jpeg"),  # a PNG labelled JPEG
    ):
        with pytest.raises(InvalidArgumentError, match="not a valid"):
            decode_body(s, body, ctype)
    monkeypatch.setattr(image_input, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(InvalidArgumentError, match="more than 100 pixels"):
        decode_body(s, png, "image/png")


def test_image_rejects_other_formats_with_415() -> None:
    s = sig([3, 16, 16], {})
    gif = io.BytesIO()
    Image.fromarray(pixels(4, 4)).save(gif, format="GIF")
    for body, ctype in ((gif.getvalue(), ""), (gif.getvalue(), "image/gif"), (b"x", "image/webp")):
        with pytest.raises(UnsupportedMediaTypeError):
            decode_body(s, body, ctype)
    for ctype in ("text/html", "application/xml", "video/mp4"):
        with pytest.raises(UnsupportedMediaTypeError, match="unsupported Content-Type"):
            decode_body(s, b"\x00" * 16, ctype)


def test_image_rejects_model_without_image_config() -> None:
    s = sig([3, 16, 16])
    jpg = encode(pixels(16, 16), "JPEG")
    for ctype in ("image/jpeg", "", "application/octet-stream"):
        with pytest.raises(InvalidArgumentError, match="no image_preprocess config"):
            decode_body(s, jpg, ctype)


def test_image_rejects_a_size_the_input_cannot_take() -> None:
    s = sig([3, 16, 16], {"resize": [8, 8]})
    with pytest.raises(InvalidArgumentError, match=r"shape \[3, 8, 8\]"):
        decode_body(s, encode(pixels(16, 16)), "image/png")
    s = sig([3, 16, 16], {"center_crop": [16, 16]})
    with pytest.raises(InvalidArgumentError, match="smaller than center_crop"):
        decode_body(s, encode(pixels(10, 30)), "image/png")


def test_image_preprocess_config_rejects_inconsistent_fields() -> None:
    for bad, what in (
        ({"resize": [8]}, "resize"),
        ({"resize": [8, 8], "resize_shorter": 8}, "at most one"),
        ({"mean": [1.0, 2.0]}, "mean needs 1 or 3"),
        ({"std": [1.0, 0.0, 1.0]}, "must not be 0"),
        ({"format": "NCHW"}, "format"),
        ({"crop": [1, 1]}, "crop"),
    ):
        with pytest.raises(InvalidArgumentError, match=what):
            sig([3, 8, 8], bad)


# -- raw, npy, JSON ---------------------------------------------------------------------------


def test_raw_body_needs_whole_samples() -> None:
    s = sig([4])
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    got = decode_body(s, x.astype("<f4").tobytes(), "application/octet-stream")["data"]
    np.testing.assert_array_equal(got, x)
    for n in (0, 15, 17):
        with pytest.raises(InvalidArgumentError, match="a multiple of 16"):
            decode_body(s, bytes(n), "")
    single = sig([4], max_batch=0)
    with pytest.raises(InvalidArgumentError, match="exactly 16"):
        decode_body(single, bytes(32), "")
    with pytest.raises(InvalidArgumentError, match="fixed dims"):
        decode_body(sig([-1]), bytes(16), "")


def test_npy_and_json_bodies() -> None:
    s = sig([4])
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    f = io.BytesIO()
    np.save(f, x)
    for ctype in ("application/x-npy", ""):
        np.testing.assert_array_equal(decode_body(s, f.getvalue(), ctype)["data"], x)
    for payload in (x.tolist(), {"data": x.tolist()}):
        got = decode_body(s, json.dumps(payload).encode(), "application/json")["data"]
        np.testing.assert_allclose(got, x, rtol=1e-6)
    got = decode_body(s, json.dumps(x.tolist()).encode(), "application/x-www-form-urlencoded")
    np.testing.assert_allclose(got["data"], x, rtol=1e-6)
    v2 = {"inputs": [{"name": "data", "shape": [2, 4], "datatype": "FP32", "data": x.tolist()}]}
    got = decode_body(s, json.dumps(v2).encode(), "application/json")["data"]
    np.testing.assert_allclose(got, x, rtol=1e-6)
    with pytest.raises(InvalidArgumentError, match="unknown input"):
        decode_body(s, b'{"nope": [1, 2, 3, 4]}', "application/json")
    with pytest.raises(InvalidArgumentError, match="not a numeric array"):
        decode_body(s, b'["a", "b", "c", "d"]', "application/json")
    with pytest.raises(InvalidArgumentError, match="failed to parse"):
        decode_body(s, b"{", "application/json")


# -- multipart --------------------------------------------------------------------------------


def test_multipart_images_form_a_batch() -> None:
    a, b = pixels(16, 16), pixels(16, 16)
    s = sig([3, 16, 16], {"scale": 1 / 255})
    body, ctype = multipart([("data", encode(a), "image/png"), ("data", encode(b), "image/png")])
    got = decode_body(s, body, ctype)["data"]
    want = np.stack([a, b]).transpose(0, 3, 1, 2) / np.float32(255)
    assert got.shape == (2, 3, 16, 16)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    # a part named after the input, with no Content-Type of its own (found by its bytes)
    body, ctype = multipart([("data", encode(a), "")])
    np.testing.assert_allclose(decode_body(s, body, ctype)["data"], want[:1], rtol=1e-6)


def test_multipart_tensor_parts_by_input_name() -> None:
    s = sig([4], name="x")
    x = RNG.standard_normal((1, 4)).astype(np.float32)
    f = io.BytesIO()
    np.save(f, x)
    body, ctype = multipart(
        [("x", x.astype("<f4").tobytes(), "application/octet-stream"), ("x", f.getvalue(), "")]
    )
    np.testing.assert_array_equal(decode_body(s, body, ctype)["x"], np.concatenate([x, x]))


def test_multipart_rejects_wrong_field_bad_form_and_unbatched_batches() -> None:
    s = sig([3, 16, 16], {})
    png = encode(pixels(16, 16))
    body, ctype = multipart([("image", png, "image/png")])
    with pytest.raises(InvalidArgumentError, match="form field 'image' is not an input"):
        decode_body(s, body, ctype)
    with pytest.raises(InvalidArgumentError, match="boundary"):
        decode_body(s, body, "multipart/form-data")
    with pytest.raises(InvalidArgumentError, match="malformed multipart|no parts"):
        decode_body(s, b"--xyz\r\ngarbage", "multipart/form-data; boundary=xyz")
    unbatched = sig([3, 16, 16], {}, max_batch=0)
    body, ctype = multipart([("data", png, "image/png"), ("data", png, "image/png")])
    with pytest.raises(InvalidArgumentError, match="does not batch"):
        decode_body(unbatched, body, ctype)
    body, ctype = multipart([("data", png, "image/gif")])
    with pytest.raises(UnsupportedMediaTypeError):
        decode_body(s, body, ctype)


# -- top-k ------------------------------------------------------------------------------------


def test_top_k_orders_scores_and_names_classes() -> None:
    scores = RNG.standard_normal((3, 10)).astype(np.float32)
    labels = [f"label {i}" for i in range(10)]
    top = TopK("prob", labels, 3)
    rows = top.render(scores)
    assert len(rows) == 3
    for row, s in zip(rows, scores):
        best = sorted(range(10), key=lambda i: -float(s[i]))[:3]
        assert [r["class"] for r in row] == [labels[i] for i in best]
        assert [r["probability"] for r in row] == pytest.approx([float(s[i]) for i in best])
    one = top.render(scores[:1, :, None, None])  # (1, C, 1, 1) as a conv head gives
    assert [r["class"] for r in one] == [r["class"] for r in rows[0]]


def test_labels_from_label_filename_and_synset(tmp_path: Any) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\nbird\n\n")
    cfg = ModelConfig(output=[TensorConfig(name="o", dims=[3], label_filename="classes.txt")])
    labels = load_labels(cfg, tmp_path)
    assert labels == {"o": ["cat", "dog", "bird"]}
    top = top_k_for(cfg, labels, ["o"])
    assert top is not None and top.k == 5 and top.output == "o"
    cfg0 = ModelConfig(output=[TensorConfig(name="o", dims=[3])], classification={"top_k": 0})
    assert top_k_for(cfg0, labels, ["o"]) is None
    (tmp_path / "synset.txt").write_text("n01 tench, Tinca tinca\nn02 goldfish\nn03 shark\n")
    synset = load_labels(ModelConfig(output=[TensorConfig(name="o", dims=[3])]), tmp_path)
    assert synset == {"o": ["n01 tench, Tinca tinca", "n02 goldfish", "n03 shark"]}
    check_labels(cfg, labels)
    with pytest.raises(InvalidArgumentError, match="has 3 labels, the output has 4 classes"):
        check_labels(ModelConfig(output=[TensorConfig(name="o", dims=[4])]), labels)


def test_labels_reject_missing_empty_and_path_names(tmp_path: Any) -> None:
    cfg = ModelConfig(output=[TensorConfig(name="o", label_filename="nope.txt")])
    with pytest.raises(InvalidArgumentError, match="not a file in the model directory"):
        load_labels(cfg, tmp_path)
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(InvalidArgumentError, match="holds no label"):
        read_labels(tmp_path / "empty.txt")
    for bad in ("../secret", "/etc/passwd", ".."):
        with pytest.raises(InvalidArgumentError, match="label_filename"):
            parse_model_config({"output": [{"name": "o", "label_filename": bad}]}, "test")
    with pytest.raises(InvalidArgumentError, match="classification.output 'x'"):
        top_k_for(ModelConfig(classification={"output": "x"}), {"o": ["a"]}, ["o"])


# -- the MMS codec ----------------------------------------------------------------------------


def test_codec_raw_fast_path_agrees_with_the_decoder() -> None:
    import asyncio

    from mxserve.server.mms_codec import MmsCodec

    cfg = parse_model_config(
        {"max_batch_size": 8, "input": [{"name": "data", "dims": [4]}], "output": [{"name": "o"}]},
        "test",
    )
    codec = MmsCodec("m", cfg, ["o"], {})
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    starts_ff = np.frombuffer(b"\xff\x00\x00\x3f" * 4, "<f4").reshape(1, 4)  # raw, not a JPEG
    for body in (x.astype("<f4").tobytes(), starts_ff.tobytes()):
        for ctype in ("", "application/octet-stream"):
            fast = asyncio.run(codec.decode_async(body, ctype))["data"]
            np.testing.assert_array_equal(fast, codec.decode(body, ctype)["data"])
    with pytest.raises(InvalidArgumentError, match="multiple of 16"):
        asyncio.run(codec.decode_async(bytes(20), ""))
    jpg = encode(pixels(4, 4), "JPEG")
    with pytest.raises(InvalidArgumentError, match="no image_preprocess"):
        asyncio.run(codec.decode_async(jpg[:16], ""))


def test_codec_answers_json_of_the_outputs() -> None:
    from mxserve.server.mms_codec import MmsCodec

    cfg = ModelConfig(input=[TensorConfig(name="data", dims=[4])], output=[TensorConfig(name="o")])
    codec = MmsCodec("m", cfg, ["o"], {})
    y = RNG.standard_normal((2, 6)).astype(np.float32)
    got = json.loads(codec.encode({"o": y}))
    assert np.array_equal(np.asarray(got["o"], np.float32), y)  # float32 values read back exactly
    got = json.loads(codec.encode({"o": y[:, ::2]}))  # not contiguous
    assert np.array_equal(np.asarray(got["o"], np.float32), y[:, ::2])
    assert json.loads(codec.encode({"o": np.array([np.nan, 1.0], np.float32)})) == {
        "o": [None, 1.0]
    }
    labelled = MmsCodec("m", cfg, ["o"], {"o": list("abcdef")})
    rows = json.loads(labelled.encode({"o": y}))
    assert [r["class"] for r in rows[0]] == [
        "abcdef"[i] for i in sorted(range(6), key=lambda i: -y[0, i])[:5]
    ]


def test_json_without_content_type_and_raw_that_looks_like_json() -> None:
    s = sig([4])
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    got = decode_body(s, json.dumps(x.tolist()).encode(), "")["data"]
    np.testing.assert_allclose(got, x, rtol=1e-6)
    raw = np.frombuffer(b"[\x00\x00\x3f" * 4, "<f4").reshape(1, 4)  # starts with "[", not JSON
    np.testing.assert_array_equal(decode_body(s, raw.tobytes(), "")["data"], raw)
    with pytest.raises(InvalidArgumentError, match="failed to parse"):
        decode_body(s, b"[1, 2", "")


def test_image_claiming_a_huge_canvas_is_refused_before_decoding() -> None:
    import struct
    import zlib

    png = bytearray(encode(pixels(1, 1)))
    # IHDR: length(4) type(4) width(4) height(4) ...; rewrite width/height, then the CRC
    start = png.index(b"IHDR")
    for side, words in ((10000, "10000x10000 image, more than"), (30000, "more than")):
        png[start + 4 : start + 12] = struct.pack(">II", side, side)
        crc_at = start + 4 + 13
        png[crc_at : crc_at + 4] = struct.pack(">I", zlib.crc32(bytes(png[start:crc_at])))
        with pytest.raises(InvalidArgumentError, match=words):
            decode_body(sig([3, 16, 16], {}), bytes(png), "")
